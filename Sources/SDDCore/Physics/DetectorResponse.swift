import Foundation

/// The response of an SDD to a monochromatic X-ray line: a Gaussian whose width follows the
/// Fano/ENC resolution model, plus a low-energy tail from incomplete charge collection.
///
/// Resolution (docs/physics.md §3): FWHM(E) = 2.3548 · sqrt((ENC·w)² + F·w·E), silicon near 123 K:
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
    /// (1 − f_T)·Gauss + f_T·Tail, integrating to 1 (``SDDLineShape``).
    public func density(_ x: Double, mu: Double, sigma: Double) -> Double {
        SDDLineShape.density((x - mu) / sigma, tailFraction: tailFraction, tailSlope: tailSlope) / sigma
    }

    /// Unit-area Gaussian.
    @inlinable public static func gaussian(_ x: Double, mu: Double, sigma: Double) -> Double {
        let z = (x - mu) / sigma
        return exp(-0.5 * z * z) / (sigma * 2.5066282746310002)
    }

    /// Unit-area low-energy tail with slope β (in σ) at `x` (``SDDLineShape/tail(_:tailSlope:)``).
    public static func tail(_ x: Double, mu: Double, sigma: Double, beta: Double) -> Double {
        SDDLineShape.tail((x - mu) / sigma, tailSlope: beta) / sigma
    }
}
