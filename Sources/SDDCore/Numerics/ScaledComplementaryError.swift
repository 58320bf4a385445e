import Foundation

/// Where ``erfcx(_:)`` changes from the direct product to the continued fraction, and where the SDD
/// line shape's tail changes to its scaled form (``SDDLineShape``).
///
/// Below it exp(x²)·erfc(x) is exact to rounding (erfc(x) ≥ erfc(10) ≈ 2·10⁻⁴⁵ is a normal number with
/// full relative precision, and x² is carried in two parts); above it the Laplace continued fraction
/// at depth ``erfcxContinuedFractionDepth`` has converged to rounding (measured against mpmath: both
/// sides within 4.5·10⁻¹⁶ relative; the tests compare with SciPy at ~2,000 points). A lower cut needs
/// a deeper fraction (depth 20 at x = 4), whose chain of divisions costs more than libm's erfc.
@inlinable public var erfcxAsymptoticCut: Double { 10 }

/// Levels of the continued fraction evaluated above ``erfcxAsymptoticCut``.
@inlinable public var erfcxContinuedFractionDepth: Int { 12 }

/// 2/√π, the derivative scale of erf and erfc.
@inlinable public var twoOverSquareRootPi: Double { 1.1283791670955126 }

/// The scaled complementary error function erfcx(x) = exp(x²)·erfc(x), finite for large x
/// (≈ 1/(x√π)) where exp(x²) overflows and erfc(x) underflows. The one implementation in sddcal: the
/// SDD line shape's low-energy tail (``SDDLineShape``) and the derivatives of the refinement's dual
/// numbers use it.
///
/// For x ≤ 10 the direct product with x² split exactly into hi + lo (so exp(x²) carries no rounding
/// of x²); above, the continued fraction erfcx(x) = (1/√π) / (x + ½/(x + 1/(x + (3/2)/(x + …))))
/// evaluated bottom-up at fixed depth 12. Overflows to +∞ below x ≈ −26.6, as erfcx itself does.
@inlinable public func erfcx(_ x: Double) -> Double {
    if x <= erfcxAsymptoticCut {
        let hi = x * x
        let lo = (-hi).addingProduct(x, x)       // x² − hi, exact (fused multiply–add)
        return exp(hi) * (1 + lo) * erfc(x)
    }
    var f = x
    for k in stride(from: erfcxContinuedFractionDepth, through: 1, by: -1) { f = x + (Double(k) * 0.5) / f }
    return 1 / (f * 1.7724538509055159)
}
