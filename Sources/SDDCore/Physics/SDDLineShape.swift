import Foundation

/// The response of an SDD to one monochromatic line component, in the standardised coordinate
/// d = (x − μ)/σ: a Gaussian plus the low-energy tail of incomplete charge collection,
///
///     s(d) = (1 − f_T)·φ(d) + f_T·τ(d; β),
///     φ(d) = exp(−d²/2)/√(2π),
///     τ(d; β) = 1/(2β) · exp(d/β + 1/(2β²)) · erfc((d + 1/β)/√2),
///
/// with tail area fraction f_T and slope β in units of σ (docs/physics.md §4; the paper's eq. 5 with
/// its normalisation corrected). τ is the density of Z − βE for Z standard normal and E unit
/// exponential, so s integrates to 1 over d; divide by σ for a density in x.
///
/// The one implementation in sddcal, generic over ``RealScalar`` so that the refinement's dual and
/// jet numbers differentiate it; the line fits (`LineComponent`, analytic derivatives built on
/// ``tailFactor(_:inverseSlope:gaussCore:)``), the simulator (``DetectorResponse``) and the CNN's
/// synthetic spectra (bin integrals through ``cdf(_:tailFraction:tailSlope:)``) call it.
public enum SDDLineShape {
    /// 1/√2 and 1/√(2π).
    @inlinable public static var inverseSquareRoot2: Double { 0.7071067811865476 }
    @inlinable public static var inverseSquareRoot2Pi: Double { 0.3989422804014327 }

    /// The tail factor E(d) = exp(d/β + 1/(2β²))·erfc(u), u = (d + 1/β)/√2 (so τ = E/(2β)), given
    /// the Gaussian core g = exp(−d²/2) already computed. Above the cut-over of ``erfcx(_:)`` it is
    /// g·erfcx(u): the exponents agree exactly (d/β + 1/(2β²) − u² = −d²/2), and the product stays
    /// finite where exp alone would overflow and erfc underflow.
    @inlinable public static func tailFactor<T: RealScalar>(_ d: T, inverseSlope ib: Double, gaussCore g: T) -> T {
        let u = (d + ib) * inverseSquareRoot2
        if u.value > erfcxAsymptoticCut { return g * T.erfcx(u) }
        return T.exp(d * ib + 0.5 * ib * ib) * T.erfc(u)
    }

    /// The tail factor E(d) (see ``tailFactor(_:inverseSlope:gaussCore:)``) without a Gaussian core at hand.
    @inlinable public static func tailFactor<T: RealScalar>(_ d: T, inverseSlope ib: Double) -> T {
        let u = (d + ib) * inverseSquareRoot2
        if u.value > erfcxAsymptoticCut { return T.exp(d * d * -0.5) * T.erfcx(u) }
        return T.exp(d * ib + 0.5 * ib * ib) * T.erfc(u)
    }

    /// The unit-area tail τ(d; β) alone.
    @inlinable public static func tail<T: RealScalar>(_ d: T, tailSlope beta: Double) -> T {
        let ib = 1 / beta
        return tailFactor(d, inverseSlope: ib) * (0.5 * ib)
    }

    /// s(d) = (1 − f_T)·φ(d) + f_T·τ(d; β), per unit d.
    @inlinable public static func density<T: RealScalar>(_ d: T, tailFraction f: Double, tailSlope beta: Double) -> T {
        let g = T.exp(d * d * -0.5)
        let ib = 1 / beta
        return g * ((1 - f) * inverseSquareRoot2Pi) + tailFactor(d, inverseSlope: ib, gaussCore: g) * (0.5 * f * ib)
    }

    /// The cumulative distribution ∫₋∞^d s: Φ(d) + f_T·E(d)/2 (the tail's CDF is Φ(d) + E(d)/2, as
    /// differentiating shows: E′/2 = τ − φ).
    @inlinable public static func cdf<T: RealScalar>(_ d: T, tailFraction f: Double, tailSlope beta: Double) -> T {
        let phi = T.erfc(d * -inverseSquareRoot2) * 0.5
        guard f != 0 else { return phi }
        return phi + tailFactor(d, inverseSlope: 1 / beta) * (0.5 * f)
    }
}
