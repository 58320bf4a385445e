import SDDCore

/// How the low-energy tail enters a line fit.
public enum TailTreatment: Sendable, Equatable {
    /// f_T and β both free (bounded to 0–0.3 and 0.3–5): for lines with many counts.
    case free
    /// f_T free, β fixed.
    case fractionFree(slope: Double)
    /// Both fixed (e.g. taken from a stronger line of the same spectrum).
    case fixed(fraction: Double, slope: Double)
    /// Pure Gaussian components.
    case none
}

/// Options of a single-line fit.
public struct LineFitOptions: Sendable, Equatable {
    public var statistic: FitStatistic = .poisson
    /// Default: f_T free, β fixed at 1.4 (docs/physics.md §4: 1.3–1.5). With both free they are nearly degenerate
    /// below ~10⁵ counts (a narrow, large "tail" mimics a shifted Gaussian and biases position and width).
    public var tail: TailTreatment = .fractionFree(slope: 1.4)
    /// Kα2/Kα1 intensity ratio; nil takes the tabulated value [S] (0.513 for Cu; the paper uses 0.51).
    public var kAlpha2Ratio: Double?
    /// Continuum under the line: linear (the paper's eq. 4, default) or quadratic.
    public var quadraticBackground = false
    public init(statistic: FitStatistic = .poisson, tail: TailTreatment = .fractionFree(slope: 1.4), kAlpha2Ratio: Double? = nil) {
        self.statistic = statistic; self.tail = tail; self.kAlpha2Ratio = kAlpha2Ratio
    }
}

/// A fitted line with everything needed to draw or refit it.
public struct LineFitOutcome: Sendable {
    public var result: LineFitResult
    public var fit: FitResult
    public var model: LineShapeModel
    /// The fitted expectation per bin of the window (for plots and residuals).
    public var expected: [Double] { model.expected(fit.values) }
}

/// Fits of one X-ray line (doublet or single, + tail + linear background) on a histogram window.
public enum LineFit {
    /// Fits `line` on the bins of `histogram` (already cut to the window).
    /// - Parameters:
    ///   - xPerEV: x units per eV (1 for energy spectra; 1/gain for ADC spectra), for the doublet splitting.
    ///   - seedCentroid: start for the centroid; default the highest bin (3-bin average).
    ///   - seedSigma: start for σ; default the nominal resolution of `DetectorResponse()` at the line.
    public static func fit(_ histogram: Histogram, line: SpectralLine, xPerEV: Double = 1,
                           seedCentroid: Double? = nil, seedSigma: Double? = nil,
                           neighbours: [SpectralLine] = [],
                           options: LineFitOptions = LineFitOptions()) -> LineFitOutcome {
        let shape = LineShapeModel.Line(line, xPerEV: xPerEV, ratio: options.kAlpha2Ratio)
        let hasTail: Bool
        if case .none = options.tail { hasTail = false } else { hasTail = true }
        let counts = histogram.counts
        let nominal = DetectorResponse()
        let s0 = seedSigma ?? nominal.sigma(at: line.energy) * xPerEV
        // Energy spectra: start at the tabulated energy (refined to the highest point within ±2σ), so a
        // stronger neighbour in the window cannot capture the seed; ADC spectra: the highest point.
        let c0 = seedCentroid ?? (xPerEV == 1 ? Self.peakPosition(histogram.slice((line.energy - 2 * s0)...(line.energy + 2 * s0)),
                                                                 fallback: line.energy)
                                               : Self.peakPosition(histogram))
        // Other lines whose peaks reach into the window (e.g. Ti Kβ 421 eV above Ti Kα) and silicon escape
        // peaks (E − 1740 eV, e.g. Mn Kα's at 4155 eV) are fitted too, at their tabulated distance from the
        // line, widths by the resolution model, areas free.
        let lo = histogram.lowerEdge, hi = histogram.upperEdge
        var extra: [(name: String, line: SpectralLine, energy: Double)] = []
        for n in neighbours {
            if n.id != line.id { extra.append((n.id, n, n.energy)) }
            if n.energy > XRayLineTable.siliconEscapeEnergy + 500 {
                extra.append(("esc_\(n.id)", n, n.energy - XRayLineTable.siliconEscapeEnergy))
            }
        }
        let near = extra.filter { n in
            let x = c0 + (n.energy - line.energy) * xPerEV, sn = nominal.sigma(at: n.energy) * xPerEV
            return x > lo - 3 * sn && x < hi + 3 * sn
        }
        let shapes = [shape] + near.map { n -> LineShapeModel.Line in
            let l = LineShapeModel.Line(n.line, xPerEV: xPerEV, ratio: options.kAlpha2Ratio)
            return LineShapeModel.Line(name: n.name, offsets: l.offsets, weights: l.weights)
        }
        let model = LineShapeModel(lines: shapes, histogram: histogram, hasTail: hasTail)
        let ratios = near.map { nominal.sigma(at: $0.energy) / nominal.sigma(at: line.energy) }
        var p = model.initialParameters(counts: counts, centroids: [c0] + near.map { c0 + ($0.energy - line.energy) * xPerEV },
                                        sigmas: [s0] + ratios.map { $0 * s0 })
        // The line stays near its seed: a stronger neighbour in the window must not capture it.
        p.bound("centroid_\(line.id)", Swift.max(lo, c0 - 3 * s0), Swift.min(hi, c0 + 3 * s0))
        p.bound("sigma_\(line.id)", 0.3 * s0, 3 * s0)
        for (k, n) in near.enumerated() {
            p.tie("centroid_\(n.name)", to: "centroid_\(line.id)", offset: (n.energy - line.energy) * xPerEV)
            p.tie("sigma_\(n.name)", to: "sigma_\(line.id)", scale: ratios[k])
        }
        if options.quadraticBackground { p.release("bg_curvature") }
        switch options.tail {
        case .free: break
        case .fractionFree(let slope): p.fix("tail_slope", at: slope)
        case .fixed(let f, let slope): p.fix("tail_fraction", at: f); p.fix("tail_slope", at: slope)
        case .none: break
        }
        let fitter = BinnedFit(model: model, counts: counts, statistic: options.statistic)
        if !near.isEmpty {
            // Neighbours may lie outside the window with only a flank inside, where the starting areas
            // cannot be read off: first fit areas and background with the line's position and width held.
            var first = p
            first.fix("centroid_\(line.id)")
            first.fix("sigma_\(line.id)")
            first.fix("tail_fraction")
            let r0 = fitter.minimize(first)
            if r0.values.allSatisfy(\.isFinite) {
                for (i, name) in p.names.enumerated() where name.hasPrefix("area_") || name.hasPrefix("bg_") {
                    p.values[i] = Swift.min(Swift.max(r0.values[i], p.lower[i]), p.upper[i])
                }
            }
        }
        let r = fitter.minimize(p)
        let unit = xPerEV == 1 ? "eV" : "ADC"
        return LineFitOutcome(result: LineFitResult(model: model, fit: r, lineIndex: 0, unit: unit), fit: r, model: model)
    }

    /// Centre of the highest 3-bin average (`fallback` for fewer than 3 bins).
    static func peakPosition(_ h: Histogram, fallback: Double? = nil) -> Double {
        let n = h.binCount
        guard n >= 3 else { return fallback ?? h.center(n / 2) }
        var best = 1, bv = -Double.infinity
        for i in 1..<(n - 1) {
            let v = h.counts[i - 1] + h.counts[i] + h.counts[i + 1]
            if v > bv { bv = v; best = i }
        }
        return h.center(best)
    }
}

/// The Cu Kα measurement of the paper (table 1, eq. 4): Kα1/Kα2 doublet with the tabulated 20 eV
/// splitting, a common Gaussian width, the low-energy tail and a linear background, fitted to a calibrated
/// spectrum in the VIP-2 region of interest 7000–8500 eV.
public enum CuKalphaLineFit {
    /// The VIP-2 region of interest (eV).
    public static let roi: ClosedRange<Double> = 7000...8500
    public static let line = SpectralLine(id: "CuKa")!

    /// Fits the Cu Kα line on the bins of `histogram` (eV) whose centres lie in `roi`.
    public static func fit(histogram: Histogram, roi: ClosedRange<Double> = roi,
                           options: LineFitOptions = LineFitOptions()) -> LineFitResult {
        fitOutcome(histogram: histogram, roi: roi, options: options).result
    }

    /// As `fit`, returning the full outcome (model, fit, expected counts).
    public static func fitOutcome(histogram: Histogram, roi: ClosedRange<Double> = roi,
                                  options: LineFitOptions = LineFitOptions()) -> LineFitOutcome {
        LineFit.fit(histogram.slice(roi), line: line, xPerEV: 1, options: options)
    }
}
