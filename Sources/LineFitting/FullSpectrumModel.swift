import Foundation
import SDDCore

/// The whole calibrated spectrum (typically 4–10 keV) as one binned model: every line of a profile
/// (Kα doublets with the tabulated ratio and splitting [D],[S]; Kβ lines with a free Kβ/Kα ratio per
/// element, since real spectra differ from Scofield's values, docs/physics.md §1), their silicon escape peaks
/// (E − 1740 eV, a shared free fraction), one resolution model for all lines,
/// σ(E) = sqrt((ENC·w)² + F·w·E) with w fixed, the shared low-energy tail, and a smooth continuum
/// exp(c0 + c1·t + c2·t²), t = (E − E_ref)/1 keV (an exponential falling continuum with curvature).
///
/// Parameters: `area_<El>Ka` per element (Kα counts), `kb_ka_<El>` per element with a Kβ line, `shift` (eV)
/// and `scale` (line position = shift + scale·E, for residual miscalibration), `enc`, `fano`,
/// `tail_fraction`, `tail_slope`, `escape_fraction`, `bg_c0`, `bg_c1`, `bg_c2`.
public struct FullSpectrumModel: BinnedModel {
    struct Component {
        var energy: Double
        var weight: Double          // intensity within its line (Kα1/Kα2 split), × escape if any
        var element: Int
        var isKBeta: Bool
        var isEscape: Bool
    }

    public let profile: LineProfile
    public let elements: [String]
    public let centers: [Double]
    public let binWidth: Double
    public let pairEnergy: Double
    public let reference: Double
    let components: [Component]
    /// Index of each element's Kβ ratio parameter, nil without a Kβ line.
    let ratioIndex: [Int?]
    public let parameterNames: [String]

    public init(profile: LineProfile, lowerEdge: Double, binWidth: Double, bins: Int,
                pairEnergy: Double = DetectorResponse().pairEnergy) {
        self.profile = profile
        self.binWidth = binWidth
        self.pairEnergy = pairEnergy
        centers = (0..<bins).map { lowerEdge + (Double($0) + 0.5) * binWidth }
        reference = lowerEdge + 0.5 * binWidth * Double(bins)
        let els = profile.lines.map(\.element).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        elements = els
        var comps: [Component] = []
        var names = els.map { "area_\($0)Ka" }
        var ratio: [Int?] = []
        for (k, el) in els.enumerated() {
            if profile.lines.contains(where: { $0.element == el && $0.kind == .kBeta }) {
                ratio.append(names.count); names.append("kb_ka_\(el)")
            } else { ratio.append(nil) }
            for l in profile.lines where l.element == el {
                let total = l.components.reduce(0) { $0 + $1.relativeIntensity }
                for c in l.components {
                    let w = c.relativeIntensity / total
                    comps.append(Component(energy: c.energy, weight: w, element: k, isKBeta: l.kind == .kBeta, isEscape: false))
                    if c.energy > XRayLineTable.siliconEscapeEnergy + 500 {
                        comps.append(Component(energy: c.energy - XRayLineTable.siliconEscapeEnergy, weight: w, element: k,
                                               isKBeta: l.kind == .kBeta, isEscape: true))
                    }
                }
            }
        }
        ratioIndex = ratio
        components = comps
        parameterNames = names + ["shift", "scale", "enc", "fano", "tail_fraction", "tail_slope", "escape_fraction",
                                  "bg_c0", "bg_c1", "bg_c2"]
    }

    /// Model over the bins of an energy histogram.
    public init(profile: LineProfile, histogram h: Histogram) {
        self.init(profile: profile, lowerEdge: h.lowerEdge, binWidth: h.binWidth, bins: h.binCount)
    }

    public var binCount: Int { centers.count }
    public var parameterCount: Int { parameterNames.count }
    var shared: Int { parameterCount - 10 }

    public func evaluate(_ theta: [Double], values: inout [Double], jacobian: UnsafeMutablePointer<Double>?) {
        let nb = centers.count, np = parameterCount, s0 = shared
        let shift = theta[s0], scale = theta[s0 + 1], enc = theta[s0 + 2], fano = theta[s0 + 3]
        let f = theta[s0 + 4], beta = theta[s0 + 5], esc = theta[s0 + 6]
        let c0 = theta[s0 + 7], c1 = theta[s0 + 8], c2 = theta[s0 + 9]
        let w = binWidth, pe = pairEnergy
        if let jac = jacobian { jac.update(repeating: 0, count: nb * np) }
        centers.withUnsafeBufferPointer { xs in
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<nb {
                let t = (xs[i] - reference) / 1000
                let bg = exp(c0 + t * (c1 + t * c2)) * w
                v[i] = bg
                if let jac = jacobian {
                    jac[(s0 + 7) * nb + i] = bg
                    jac[(s0 + 8) * nb + i] = bg * t
                    jac[(s0 + 9) * nb + i] = bg * t * t
                }
            }
            for c in components {
                let area = theta[c.element]
                let ratio = c.isKBeta ? theta[ratioIndex[c.element]!] : 1
                let escape = c.isEscape ? esc : 1
                let base = c.weight * w              // amplitude per unit of area·ratio·escape
                let amp = area * ratio * escape * base
                let mu = shift + scale * c.energy
                let var0 = (enc * pe) * (enc * pe) + fano * pe * c.energy
                let sigma = var0.squareRoot()
                let dSigmaDEnc = enc * pe * pe / sigma, dSigmaDFano = pe * c.energy / (2 * sigma)
                // Only bins where the component matters: 25σ below (tail), 10σ above.
                let lo = Swift.max(0, Int(((mu - 25 * sigma) - (xs[0] - 0.5 * w)) / w))
                let hi = Swift.min(nb, Int(((mu + 10 * sigma) - (xs[0] - 0.5 * w)) / w) + 1)
                guard lo < hi else { continue }
                for i in lo..<hi {
                    let cv = LineComponent.evaluate(xs[i], mu: mu, sigma: sigma, fraction: f, beta: beta)
                    v[i] += amp * cv.value
                    if let jac = jacobian {
                        let shape = base * cv.value
                        jac[c.element * nb + i] += ratio * escape * shape
                        if c.isKBeta { jac[ratioIndex[c.element]! * nb + i] += area * escape * shape }
                        if c.isEscape { jac[(s0 + 6) * nb + i] += area * ratio * shape }
                        jac[s0 * nb + i] += amp * cv.dMu
                        jac[(s0 + 1) * nb + i] += amp * cv.dMu * c.energy
                        jac[(s0 + 2) * nb + i] += amp * cv.dSigma * dSigmaDEnc
                        jac[(s0 + 3) * nb + i] += amp * cv.dSigma * dSigmaDFano
                        jac[(s0 + 4) * nb + i] += amp * cv.dFraction
                        jac[(s0 + 5) * nb + i] += amp * cv.dBeta
                    }
                }
            }
        }
        }
    }

    /// Starting values and bounds: Kα areas from the counts near each line, Kβ/Kα 0.13, no shift, unit
    /// scale, ENC 12 e⁻, F 0.119, the typical tail with β fixed at 1.4, escape fraction 0.005, and a flat
    /// continuum at the level of the emptiest bins.
    public func initialParameters(counts: [Double]) -> FitParameters {
        var values = [Double](repeating: 0, count: parameterCount)
        let nb = centers.count
        for (k, el) in elements.enumerated() {
            guard let ka = profile.line(el + "Ka") else { values[k] = 1; continue }
            var s = 0.0
            for i in 0..<nb where abs(centers[i] - ka.energy) < 150 { s += counts[i] }
            values[k] = Swift.max(1, s * 1.1)
            if let r = ratioIndex[k] { values[r] = 0.13 }
        }
        let sorted = counts.sorted()
        let low = Swift.max(sorted[nb / 10], 0.5) / binWidth
        let s0 = shared
        values[s0] = 0; values[s0 + 1] = 1; values[s0 + 2] = 12; values[s0 + 3] = 0.119
        values[s0 + 4] = 0.03; values[s0 + 5] = 1.4; values[s0 + 6] = 0.005
        values[s0 + 7] = log(low); values[s0 + 8] = 0; values[s0 + 9] = 0
        var p = FitParameters(names: parameterNames, values: values)
        for (k, el) in elements.enumerated() {
            p.bound("area_\(el)Ka", 0, .infinity)
            if ratioIndex[k] != nil { p.bound("kb_ka_\(el)", 0, 1) }
        }
        p.bound("enc", 0, 60)
        p.bound("fano", 0.01, 0.5)
        p.bound("scale", 0.9, 1.1)
        p.bound("tail_fraction", 0, 0.3)
        p.bound("escape_fraction", 0, 0.05)
        p.fix("tail_slope", at: 1.4)
        return p
    }
}

/// Result of a full-spectrum fit: the resolution model, Kβ/Kα ratios and the expected Cu Kα FWHM.
public struct FullSpectrumFit: Sendable {
    public var fit: FitResult
    public var model: FullSpectrumModel

    public var enc: Double { fit.value("enc") }
    public var encError: Double { fit.error("enc") }
    public var fano: Double { fit.value("fano") }
    public var fanoError: Double { fit.error("fano") }

    /// Intrinsic FWHM at energy `e` from ENC and F, with its error from their covariance.
    public func fwhm(at e: Double) -> (value: Double, error: Double) {
        let w = model.pairEnergy
        let v = pow(enc * w, 2) + fano * w * e
        let dv = [2 * enc * w * w, w * e]
        let c = [fit.covariance("enc", "enc"), fit.covariance("enc", "fano"), fit.covariance("fano", "fano")]
        let varV = dv[0] * dv[0] * c[0] + 2 * dv[0] * dv[1] * c[1] + dv[1] * dv[1] * c[2]
        let f = DetectorResponse.fwhmPerSigma * v.squareRoot()
        return (f, DetectorResponse.fwhmPerSigma * Swift.max(0, varV).squareRoot() / (2 * v.squareRoot()))
    }

    /// Kβ/Kα of an element, with error.
    public func kBetaRatio(_ element: String) -> (value: Double, error: Double)? {
        guard fit.names.contains("kb_ka_\(element)") else { return nil }
        return (fit.value("kb_ka_\(element)"), fit.error("kb_ka_\(element)"))
    }

    /// Fits a calibrated energy histogram (e.g. 4–10 keV in 10 eV bins).
    public static func fit(_ histogram: Histogram, profile: LineProfile = .vip2) -> FullSpectrumFit {
        let m = FullSpectrumModel(profile: profile, histogram: histogram)
        let r = BinnedFit(model: m, counts: histogram.counts).minimize(m.initialParameters(counts: histogram.counts))
        return FullSpectrumFit(fit: r, model: m)
    }
}
