import Foundation

/// The response of an SDD to a monochromatic X-ray line: a Gaussian whose width follows the
/// Fano/ENC resolution model, plus a low-energy tail from incomplete charge collection.
///
/// Resolution (`physics.md`): FWHM(E) = 2.3548 · sqrt((ENC·w)² + F·w·E), silicon near 123 K:
/// F = 0.119, w = 3.749 eV (Rodrigues et al. 2020). Cu Kα FWHM 185 eV ⇔ ENC ≈ 13.6 e⁻, 176 eV ⇔ 11.9 e⁻.
public struct DetectorResponse: Sendable, Hashable, Codable {
    /// Equivalent noise charge in electrons.
    public var enc: Double
    /// Fano factor.
    public var fano: Double
    /// Mean energy per electron–hole pair in eV.
    public var pairEnergy: Double
    /// Area fraction of the low-energy tail, f_T (typically 0.02–0.05).
    public var tailFraction: Double
    /// Tail slope β in units of σ (typically 1.3–1.5).
    public var tailSlope: Double

    public init(enc: Double = 13.6, fano: Double = 0.119, pairEnergy: Double = 3.749,
                tailFraction: Double = 0.03, tailSlope: Double = 1.4) {
        self.enc = enc
        self.fano = fano
        self.pairEnergy = pairEnergy
        self.tailFraction = tailFraction
        self.tailSlope = tailSlope
    }

    /// 2·sqrt(2·ln 2): FWHM of a Gaussian in units of σ.
    public static let fwhmPerSigma = 2.3548200450309493

    /// Intrinsic FWHM at energy `e` (eV) of a single line.
    public func fwhm(at e: Double) -> Double {
        Self.fwhmPerSigma * ((enc * pairEnergy) * (enc * pairEnergy) + fano * pairEnergy * e).squareRoot()
    }

    /// Gaussian σ at energy `e` (eV).
    public func sigma(at e: Double) -> Double { fwhm(at: e) / Self.fwhmPerSigma }

    /// The ENC (electrons) that gives the stated FWHM at energy `e`, for this Fano factor and w.
    public func enc(forFWHM f: Double, at e: Double) -> Double {
        let s = f / Self.fwhmPerSigma
        return (Swift.max(0, s * s - fano * pairEnergy * e)).squareRoot() / pairEnergy
    }

    /// Normalised line shape at `x` for one component at `mu` with Gaussian width `sigma`:
    /// (1 − f_T)·Gauss + f_T·Tail, integrating to 1.
    public func density(_ x: Double, mu: Double, sigma: Double) -> Double {
        (1 - tailFraction) * Self.gaussian(x, mu: mu, sigma: sigma)
            + tailFraction * Self.tail(x, mu: mu, sigma: sigma, beta: tailSlope)
    }

    /// Unit-area Gaussian.
    @inlinable public static func gaussian(_ x: Double, mu: Double, sigma: Double) -> Double {
        let z = (x - mu) / sigma
        return exp(-0.5 * z * z) / (sigma * 2.5066282746310002)
    }

    /// Unit-area low-energy tail (`physics.md`, the paper's eq. 5 corrected):
    /// T(x) = 1/(2βσ) · exp((x−μ)/(βσ) + 1/(2β²)) · erfc((x−μ)/(√2σ) + 1/(√2β)).
    /// Evaluated in a form that stays finite far from the peak.
    public static func tail(_ x: Double, mu: Double, sigma: Double, beta: Double) -> Double {
        let d = (x - mu) / sigma
        let a = d / beta + 0.5 / (beta * beta)
        let u = (d + 1 / beta) / 2.0.squareRoot()
        // exp(a)·erfc(u) = exp(a − u²)·erfcx(u) for large u, which avoids inf·0.
        if u > 5 {
            return exp(a - u * u) * scaledErfc(u) / (2 * beta * sigma)
        }
        return exp(a) * erfc(u) / (2 * beta * sigma)
    }

    /// erfcx(u) = exp(u²)·erfc(u) for u > 5, by its continued fraction (accurate to ~1e-14 there).
    static func scaledErfc(_ u: Double) -> Double {
        // Lentz-free fixed-depth continued fraction: erfcx(u) = (1/√π) · 1/(u + 1/2/(u + 1/(u + 3/2/(u + ...)))).
        var f = u
        for k in stride(from: 40, through: 1, by: -1) { f = u + (Double(k) / 2) / f }
        return 1 / (f * 1.7724538509055159)
    }
}
