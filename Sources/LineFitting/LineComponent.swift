import Foundation
import SDDCore

/// Value and first derivatives of one unit-area line component: (1 − f)·Gauss(x; μ, σ) + f·T(x; μ, σ, β),
/// the SDD line shape of SDDCore (``SDDLineShape``, docs/physics.md §4).
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

    /// Unit-area shape (1 − f)·G + f·T at `x` and its derivatives with respect to μ, σ, f and β.
    @inlinable
    public static func evaluate(_ x: Double, mu: Double, sigma: Double, fraction f: Double, beta: Double) -> LineComponentValue {
        let d = (x - mu) / sigma
        let gaussCore = exp(-0.5 * d * d)              // exp(−d²/2)
        let g = gaussCore * invSqrt2Pi / sigma
        let dgdMu = g * d / sigma
        let dgdSigma = g * (d * d - 1) / sigma
        // Tail: T = E/(2βσ) with SDDCore's tail factor E = exp(d/β + 1/(2β²))·erfc((d + 1/β)/√2).
        let ib = 1 / beta
        let e = SDDLineShape.tailFactor(d, inverseSlope: ib, gaussCore: gaussCore)
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
        SDDLineShape.density((x - mu) / sigma, tailFraction: f, tailSlope: beta) / sigma
    }

    /// Unit-area Gaussian value.
    @inlinable
    public static func gaussianValue(_ x: Double, mu: Double, sigma: Double) -> Double {
        let d = (x - mu) / sigma
        return exp(-0.5 * d * d) * invSqrt2Pi / sigma
    }
}
