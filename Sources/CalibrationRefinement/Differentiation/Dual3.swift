import Foundation
import SDDCore

/// A forward-mode dual number carrying a value and its gradient with respect to up to three
/// variables (lanes 0–2 of a `SIMD4`; lane 3 stays zero), so one evaluation of a generic loss gives
/// the loss and its full gradient in a few vector instructions per operation.
///
/// Each primitive applies the chain rule with its own first derivative; losses never contain
/// derivative formulas.
@frozen public struct Dual3: RealScalar, CustomStringConvertible {
    public var value: Double
    /// ∂/∂x_i for i = 0, 1, 2 (lane 3 unused, zero).
    public var gradient: SIMD4<Double>

    @inlinable public init(_ constant: Double) { value = constant; gradient = .zero }
    @inlinable public init(value: Double, gradient: SIMD4<Double>) { self.value = value; self.gradient = gradient }

    /// The independent variable number `index` (0–2) at `value`.
    @inlinable public static func variable(_ value: Double, index: Int) -> Dual3 {
        precondition((0..<3).contains(index), "Dual3 has three directions")
        var g = SIMD4<Double>.zero
        g[index] = 1
        return Dual3(value: value, gradient: g)
    }

    public var description: String { "\(value) + \(gradient[0])·d0 + \(gradient[1])·d1 + \(gradient[2])·d2" }

    /// Result of a unary function with value `f` and derivative `d1` at `x`.
    @inlinable static func chain(_ x: Dual3, _ f: Double, _ d1: Double) -> Dual3 {
        Dual3(value: f, gradient: d1 * x.gradient)
    }

    @inlinable public static func + (a: Dual3, b: Dual3) -> Dual3 { Dual3(value: a.value + b.value, gradient: a.gradient + b.gradient) }
    @inlinable public static func - (a: Dual3, b: Dual3) -> Dual3 { Dual3(value: a.value - b.value, gradient: a.gradient - b.gradient) }
    @inlinable public static func * (a: Dual3, b: Dual3) -> Dual3 {
        Dual3(value: a.value * b.value, gradient: b.value * a.gradient + a.value * b.gradient)
    }
    @inlinable public static func / (a: Dual3, b: Dual3) -> Dual3 {
        let r = 1 / b.value
        let q = a.value * r
        return Dual3(value: q, gradient: (a.gradient - q * b.gradient) * r)
    }
    @inlinable public static prefix func - (x: Dual3) -> Dual3 { Dual3(value: -x.value, gradient: -x.gradient) }

    @inlinable public static func + (a: Dual3, b: Double) -> Dual3 { Dual3(value: a.value + b, gradient: a.gradient) }
    @inlinable public static func - (a: Dual3, b: Double) -> Dual3 { Dual3(value: a.value - b, gradient: a.gradient) }
    @inlinable public static func * (a: Dual3, b: Double) -> Dual3 { Dual3(value: a.value * b, gradient: a.gradient * b) }
    @inlinable public static func / (a: Dual3, b: Double) -> Dual3 { a * (1 / b) }
    @inlinable public static func + (a: Double, b: Dual3) -> Dual3 { b + a }
    @inlinable public static func - (a: Double, b: Dual3) -> Dual3 { Dual3(value: a - b.value, gradient: -b.gradient) }
    @inlinable public static func * (a: Double, b: Dual3) -> Dual3 { b * a }
    @inlinable public static func / (a: Double, b: Dual3) -> Dual3 {
        let r = 1 / b.value
        return chain(b, a * r, -a * r * r)
    }

    @inlinable public static func exp(_ x: Dual3) -> Dual3 { let f = Foundation.exp(x.value); return chain(x, f, f) }
    @inlinable public static func log(_ x: Dual3) -> Dual3 { chain(x, Foundation.log(x.value), 1 / x.value) }
    @inlinable public static func sqrt(_ x: Dual3) -> Dual3 { let f = x.value.squareRoot(); return chain(x, f, 0.5 / f) }
    @inlinable public static func erfc(_ x: Dual3) -> Dual3 {
        chain(x, Foundation.erfc(x.value), -twoOverSquareRootPi * Foundation.exp(-x.value * x.value))
    }
    @inlinable public static func erfcx(_ x: Dual3) -> Dual3 {
        let f = SDDCore.erfcx(x.value)
        return chain(x, f, 2 * x.value * f - twoOverSquareRootPi)
    }
}
