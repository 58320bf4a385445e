import Foundation

/// The arithmetic and elementary functions a loss is written with, modelled on swift-numerics'
/// `Real` but small enough that a dual number can conform to it in full.
///
/// A loss written once as generic code over `RealScalar` evaluates to a plain value with `Double`,
/// to a value and gradient with ``Dual3`` and to a value, gradient and Hessian with ``Jet3``: the
/// derivatives come from the chain rule applied by the number types to each primitive below, never
/// from formulas written for the loss itself.
///
/// Mixed operations with `Double` constants exist so that constants are not lifted to dual numbers
/// (which would waste the derivative lanes on zeros in the hot loops).
public protocol RealScalar: Sendable {
    /// Lifts a constant (all derivatives zero).
    init(_ constant: Double)
    /// The value part (for branches and comparisons: control flow follows the value).
    var value: Double { get }

    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self
    static prefix func - (x: Self) -> Self

    static func + (lhs: Self, rhs: Double) -> Self
    static func - (lhs: Self, rhs: Double) -> Self
    static func * (lhs: Self, rhs: Double) -> Self
    static func / (lhs: Self, rhs: Double) -> Self
    static func + (lhs: Double, rhs: Self) -> Self
    static func - (lhs: Double, rhs: Self) -> Self
    static func * (lhs: Double, rhs: Self) -> Self
    static func / (lhs: Double, rhs: Self) -> Self

    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    /// Complementary error function.
    static func erfc(_ x: Self) -> Self
    /// Scaled complementary error function exp(x²)·erfc(x), finite for large x.
    static func erfcx(_ x: Self) -> Self
}

extension RealScalar {
    @inlinable public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }
    @inlinable public static func *= (lhs: inout Self, rhs: Self) { lhs = lhs * rhs }
    @inlinable public static func += (lhs: inout Self, rhs: Double) { lhs = lhs + rhs }
    @inlinable public static func *= (lhs: inout Self, rhs: Double) { lhs = lhs * rhs }

    /// exp(a)·erfc(u) without overflow or 0·∞ when u is large (the tail term of the line shape):
    /// for u > 5 it is evaluated as exp(a − u²)·erfcx(u).
    @inlinable public static func expTimesErfc(_ a: Self, _ u: Self) -> Self {
        if u.value > 5 { return exp(a - u * u) * erfcx(u) }
        return exp(a) * erfc(u)
    }
}

extension Double: RealScalar {
    @inlinable public var value: Double { self }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func erfc(_ x: Double) -> Double { Foundation.erfc(x) }
    @inlinable public static func erfcx(_ x: Double) -> Double { ScaledErfc.erfcx(x) }
}

/// erfcx(x) = exp(x²)·erfc(x) in double precision.
public enum ScaledErfc {
    /// 2/√π, the derivative scale of erf.
    @inlinable public static var twoOverSqrtPi: Double { 1.1283791670955126 }

    /// exp(x²)·erfc(x). Direct product where it is accurate (x ≤ 5: erfc(5) ≈ 1.5e-12 is still a
    /// normal number with full relative precision), a continued fraction above.
    public static func erfcx(_ x: Double) -> Double {
        if x <= 5 { return Foundation.exp(x * x) * Foundation.erfc(x) }
        // Laplace continued fraction erfcx(x) = (1/√π) / (x + (1/2)/(x + 1/(x + (3/2)/(x + …)))),
        // evaluated bottom-up at fixed depth: at x > 5, 40 levels converge to ~1e-15.
        var f = x
        for k in stride(from: 40, through: 1, by: -1) { f = x + (Double(k) / 2) / f }
        return 1 / (f * 1.7724538509055159)
    }
}
