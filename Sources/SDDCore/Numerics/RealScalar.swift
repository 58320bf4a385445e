import Foundation

/// The arithmetic and elementary functions a loss or a line shape is written with, modelled on swift-numerics'
/// `Real` but small enough that a dual number can conform to it in full.
///
/// Code written once generically over `RealScalar` (the SDD line shape, ``SDDLineShape``; the
/// refinement's losses) evaluates to a plain value with `Double` and, with the dual and jet numbers
/// of CalibrationRefinement, to a value and gradient or a value, gradient and Hessian: the
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
}

extension Double: RealScalar {
    @inlinable public var value: Double { self }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inlinable public static func erfc(_ x: Double) -> Double { Foundation.erfc(x) }
    @inlinable public static func erfcx(_ x: Double) -> Double { SDDCore.erfcx(x) }
}
