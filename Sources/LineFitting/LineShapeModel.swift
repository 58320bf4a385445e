import SDDCore

/// Binned model of one or more X-ray lines on a linear background, the shape of eq. 4 of the paper:
/// each line is a set of components (a Kα1/Kα2 doublet, or one Kβ component) with the SDD response of
/// docs/physics.md §4 — a Gaussian plus the low-energy tail of area fraction f_T and slope β (in units of σ).
///
/// Works in any x unit (eV for calibrated spectra, ADC for raw ones): component offsets are given in x.
///
/// Parameters, per line k (named with the line's name): `area_k` (counts in the line), `centroid_k`
/// (the intensity-weighted mean of its components, i.e. what a calibration maps to the tabulated
/// `SpectralLine.energy`), `sigma_k` (Gaussian σ of every component); then shared `tail_fraction`,
/// `tail_slope`; then the background `bg_const` (counts per x unit at `backgroundReference`),
/// `bg_slope` (per x unit²) and `bg_curvature` (per x unit³; fixed at 0 by `initialParameters`: the
/// paper's linear continuum, released for wide windows where the continuum visibly bends). Bin contents are the density at the bin centre times the bin width
/// (midpoint rule: relative error ~(w/σ)²/24, below 10⁻³ for bins up to σ/2).
public struct LineShapeModel: BinnedModel {
    /// One line: components at offsets (x units) from the centroid with weights summing to 1.
    public struct Line: Sendable, Hashable {
        public var name: String
        public var offsets: [Double]
        public var weights: [Double]

        public init(name: String, offsets: [Double], weights: [Double]) {
            precondition(offsets.count == weights.count && !offsets.isEmpty)
            let s = weights.reduce(0, +)
            self.name = name
            self.offsets = offsets
            self.weights = weights.map { $0 / s }
        }

        /// A single Gaussian (plus tail) component.
        public static func single(_ name: String) -> Line { Line(name: name, offsets: [0], weights: [1]) }

        /// The components of a tabulated line in x units, `xPerEV` x units per eV (1 for energy spectra,
        /// 1/gain for ADC spectra), offsets taken from the intensity-weighted mean. For a Kα line this is the
        /// doublet of eq. 4: Kα2/Kα1 ratio and splitting from the table [D],[S] (20 eV for Cu).
        public init(_ line: SpectralLine, xPerEV: Double = 1, ratio: Double? = nil) {
            var comps = line.components
            if let r = ratio, comps.count == 2 {
                comps[1] = SpectralLine.Component(energy: comps[1].energy, relativeIntensity: r)
            }
            let w = comps.map(\.relativeIntensity)
            let s = w.reduce(0, +)
            let mean = zip(comps, w).reduce(0) { $0 + $1.0.energy * $1.1 } / s
            self.init(name: line.id, offsets: comps.map { ($0.energy - mean) * xPerEV }, weights: w)
        }
    }

    public let lines: [Line]
    public let centers: [Double]
    public let binWidth: Double
    /// Whether the tail is part of the shape (else `tail_fraction`/`tail_slope` exist but must be fixed).
    public let hasTail: Bool
    public let backgroundReference: Double
    /// Components of all lines, flattened: line k owns componentStart[k]..<componentStart[k+1].
    let componentOffsets: [Double]
    let componentWeights: [Double]
    let componentStart: [Int]

    public init(lines: [Line], lowerEdge: Double, binWidth: Double, bins: Int, hasTail: Bool = true,
                backgroundReference: Double? = nil) {
        self.lines = lines
        self.binWidth = binWidth
        centers = (0..<bins).map { lowerEdge + (Double($0) + 0.5) * binWidth }
        self.hasTail = hasTail
        self.backgroundReference = backgroundReference ?? (lowerEdge + 0.5 * binWidth * Double(bins))
        componentOffsets = lines.flatMap(\.offsets)
        componentWeights = lines.flatMap(\.weights)
        componentStart = lines.reduce(into: [0]) { $0.append($0.last! + $1.offsets.count) }
    }

    /// Model over the bins of a histogram.
    public init(lines: [Line], histogram h: Histogram, hasTail: Bool = true) {
        self.init(lines: lines, lowerEdge: h.lowerEdge, binWidth: h.binWidth, bins: h.binCount, hasTail: hasTail)
    }

    public var binCount: Int { centers.count }
    public var parameterCount: Int { 3 * lines.count + 5 }

    /// Parameter names in order.
    public var parameterNames: [String] {
        lines.flatMap { ["area_\($0.name)", "centroid_\($0.name)", "sigma_\($0.name)"] }
            + ["tail_fraction", "tail_slope", "bg_const", "bg_slope", "bg_curvature"]
    }

    public var tailFractionIndex: Int { 3 * lines.count }

    public func evaluate(_ theta: [Double], values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let nb = centers.count
        let t0 = 3 * lines.count
        let f = theta[t0], beta = theta[t0 + 1], b0 = theta[t0 + 2], b1 = theta[t0 + 3], b2 = theta[t0 + 4]
        let w = binWidth, ref = backgroundReference, tail = hasTail
        // Flat loops over unsafe buffers: no per-bin copies (and reference counting) of the line structs.
        centers.withUnsafeBufferPointer { xs in
        componentOffsets.withUnsafeBufferPointer { offs in
        componentWeights.withUnsafeBufferPointer { wts in
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<nb { let dx = xs[i] - ref; v[i] = (b0 + dx * (b1 + dx * b2)) * w }
            if let jac = jacobian {
                jac.update(repeating: 0, count: nb * parameterCount)
                for i in 0..<nb {
                    jac[(t0 + 2) * nb + i] = w
                    jac[(t0 + 3) * nb + i] = (xs[i] - ref) * w
                    jac[(t0 + 4) * nb + i] = (xs[i] - ref) * (xs[i] - ref) * w
                }
            }
            for k in 0..<lines.count {
                let area = theta[3 * k], c = theta[3 * k + 1], s = theta[3 * k + 2]
                let aw = area * w
                let q0 = componentStart[k], q1 = componentStart[k + 1]
                if let jac = jacobian {
                    let jA = jac + (3 * k) * nb, jC = jac + (3 * k + 1) * nb, jS = jac + (3 * k + 2) * nb
                    let jF = jac + t0 * nb, jB = jac + (t0 + 1) * nb
                    for i in 0..<nb {
                        let x = xs[i]
                        var dens = 0.0, dMu = 0.0, dS = 0.0, dF = 0.0, dB = 0.0
                        for q in q0..<q1 {
                            let cv = tail
                                ? LineComponent.evaluate(x, mu: c + offs[q], sigma: s, fraction: f, beta: beta)
                                : LineComponent.gaussian(x, mu: c + offs[q], sigma: s)
                            let wq = wts[q]
                            dens += wq * cv.value; dMu += wq * cv.dMu; dS += wq * cv.dSigma
                            dF += wq * cv.dFraction; dB += wq * cv.dBeta
                        }
                        v[i] += aw * dens
                        jA[i] = w * dens
                        jC[i] = aw * dMu
                        jS[i] = aw * dS
                        jF[i] += aw * dF
                        jB[i] += aw * dB
                    }
                } else {
                    for i in 0..<nb {
                        let x = xs[i]
                        var dens = 0.0
                        for q in q0..<q1 {
                            dens += wts[q] * (tail
                                ? LineComponent.value(x, mu: c + offs[q], sigma: s, fraction: f, beta: beta)
                                : LineComponent.gaussianValue(x, mu: c + offs[q], sigma: s))
                        }
                        v[i] += aw * dens
                    }
                }
            }
        }
        }
        }
        }
    }

    /// Starting parameters: the given centroids and σ per line, areas from the counts near each centroid,
    /// the background from the window's edges, and the typical tail of `DetectorResponse` (fixed when the
    /// model has no tail). Sensible bounds are set: areas ≥ 0, σ > 0, 0 ≤ f_T ≤ 0.3, 0.3 ≤ β ≤ 5.
    public func initialParameters(counts: [Double], centroids: [Double], sigmas: [Double],
                                  tailFraction: Double = 0.03, tailSlope: Double = 1.4) -> FitParameters {
        precondition(centroids.count == lines.count && sigmas.count == lines.count)
        let nb = centers.count
        let edge = Swift.max(1, nb / 20)
        let lo = counts.prefix(edge).reduce(0, +) / Double(edge) / binWidth
        let hi = counts.suffix(edge).reduce(0, +) / Double(edge) / binWidth
        let span = (centers.last ?? 0) - (centers.first ?? 0)
        let b0 = Swift.max(0, 0.5 * (lo + hi))
        let b1 = span > 0 ? (hi - lo) / span : 0
        var values: [Double] = []
        let total = Swift.max(counts.reduce(0, +) - b0 * binWidth * Double(nb), 1)
        // Share the counts above background between lines by their peak heights.
        var heights: [Double] = []
        for c in centroids {
            var h = 0.0, n = 0
            for i in 0..<nb where abs(centers[i] - c) <= Swift.max(binWidth, 0.5 * (sigmas.min() ?? binWidth)) { h += counts[i]; n += 1 }
            heights.append(Swift.max(n > 0 ? h / Double(n) - b0 * binWidth : 0, 0.5) * sigmas[heights.count])
        }
        let hs = heights.reduce(0, +)
        for k in lines.indices {
            values += [Swift.max(total * heights[k] / hs, 1), centroids[k], sigmas[k]]
        }
        values += [hasTail ? tailFraction : 0, tailSlope, b0, b1, 0]
        var p = FitParameters(names: parameterNames, values: values)
        for k in lines.indices {
            p.bound("area_\(lines[k].name)", 0, .infinity)
            p.bound("sigma_\(lines[k].name)", 1e-3 * sigmas[k], 100 * sigmas[k])
            p.bound("centroid_\(lines[k].name)", centers.first! - 0.5 * binWidth, centers.last! + 0.5 * binWidth)
        }
        p.bound("bg_const", 0, .infinity)
        p.fix("bg_curvature", at: 0)   // linear background unless released
        p.bound("tail_fraction", 0, 0.3)
        p.bound("tail_slope", 0.3, 5)
        if !hasTail {
            p.fix("tail_fraction", at: 0)
            p.fix("tail_slope")
        }
        return p
    }
}
