import Foundation

/// Value and first derivatives of one unit-area line component: (1 − f)·Gauss(x; μ, σ) + f·T(x; μ, σ, β),
/// the SDD response of `physics.md` (the tail T is the exponentially modified Gaussian with slope β in
/// units of σ, eq. 5 of the paper corrected).
///
/// Derivatives are analytic so that the minimizer gets exact Jacobians at the cost of one model pass.
public struct LineComponentValue: Sendable {
    public var value: Double
    public var dMu: Double
    public var dSigma: Double
    public var dFraction: Double
    public var dBeta: Double

    @inlinable
    public init(value: Double, dMu: Double, dSigma: Double, dFraction: Double, dBeta: Double) {
        self.value = value; self.dMu = dMu; self.dSigma = dSigma; self.dFraction = dFraction; self.dBeta = dBeta
    }
}

/// Line-shape primitives with analytic derivatives.
public enum LineComponent {
    @usableFromInline static let invSqrt2Pi = 0.3989422804014327
    @usableFromInline static let sqrt2OverPi = 0.7978845608028654
    @usableFromInline static let invSqrt2 = 0.7071067811865476

    /// Unit-area shape (1 − f)·G + f·T at `x` and its derivatives with respect to μ, σ, f and β.
    @inlinable
    public static func evaluate(_ x: Double, mu: Double, sigma: Double, fraction f: Double, beta: Double) -> LineComponentValue {
        let d = (x - mu) / sigma
        let gaussCore = exp(-0.5 * d * d)              // exp(−d²/2)
        let g = gaussCore * invSqrt2Pi / sigma
        let dgdMu = g * d / sigma
        let dgdSigma = g * (d * d - 1) / sigma
        // Tail: T = E/(2βσ), E = exp(a)·erfc(u), a = d/β + 1/(2β²), u = (d + 1/β)/√2.
        // Note a − u² = −d²/2, so E = exp(−d²/2)·erfcx(u): exp(a)·erfc(u) is exact while erfc does not
        // underflow (u < 10 here), the scaled form beyond (where exp(a) alone could overflow).
        let ib = 1 / beta
        let u = (d + ib) * invSqrt2
        let e: Double
        if u < 10 {
            e = exp(d * ib + 0.5 * ib * ib) * erfc(u)
        } else {
            e = gaussCore * scaledComplementaryError(u)
        }
        // dE/dd = E/β − √(2/π)·exp(−d²/2);  dE/dβ = −E·(d/β² + 1/β³) + √(2/π)·exp(−d²/2)/β².
        let k = sqrt2OverPi * gaussCore
        let dEdd = e * ib - k
        let dEdBeta = -e * (d * ib * ib + ib * ib * ib) + k * ib * ib
        let norm = 0.5 * ib / sigma
        let t = e * norm
        let dtdMu = -norm * dEdd / sigma
        let dtdSigma = -t / sigma - norm * dEdd * d / sigma
        let dtdBeta = -t * ib + norm * dEdBeta
        let h = 1 - f
        return LineComponentValue(value: h * g + f * t,
                                  dMu: h * dgdMu + f * dtdMu,
                                  dSigma: h * dgdSigma + f * dtdSigma,
                                  dFraction: t - g,
                                  dBeta: f * dtdBeta)
    }

    /// Unit-area Gaussian and its derivatives (dFraction and dBeta are zero): the shape without a tail.
    @inlinable
    public static func gaussian(_ x: Double, mu: Double, sigma: Double) -> LineComponentValue {
        let d = (x - mu) / sigma
        let g = exp(-0.5 * d * d) * invSqrt2Pi / sigma
        return LineComponentValue(value: g, dMu: g * d / sigma, dSigma: g * (d * d - 1) / sigma, dFraction: 0, dBeta: 0)
    }

    /// Unit-area shape value only (no derivatives).
    @inlinable
    public static func value(_ x: Double, mu: Double, sigma: Double, fraction f: Double, beta: Double) -> Double {
        let d = (x - mu) / sigma
        let gaussCore = exp(-0.5 * d * d)
        let g = gaussCore * invSqrt2Pi / sigma
        let ib = 1 / beta
        let u = (d + ib) * invSqrt2
        let e = u < 10 ? exp(d * ib + 0.5 * ib * ib) * erfc(u) : gaussCore * scaledComplementaryError(u)
        return (1 - f) * g + f * e * 0.5 * ib / sigma
    }

    /// Unit-area Gaussian value.
    @inlinable
    public static func gaussianValue(_ x: Double, mu: Double, sigma: Double) -> Double {
        let d = (x - mu) / sigma
        return exp(-0.5 * d * d) * invSqrt2Pi / sigma
    }

    /// erfcx(u) = exp(u²)·erfc(u) for u ≥ 3, by its continued fraction: depth 30 below u = 10 (relative
    /// error < 10⁻¹⁵), depth 12 from 10 on (< 10⁻¹⁵ there too).
    @inlinable
    public static func scaledComplementaryError(_ u: Double) -> Double {
        var c = u
        let depth = u < 10 ? 30 : 12
        for k in stride(from: depth, through: 1, by: -1) { c = u + (Double(k) * 0.5) / c }
        return 1 / (c * 1.7724538509055159)
    }
}
