import Foundation
import SDDCore

/// A second-order forward-mode number in three variables: value, gradient and (symmetric) Hessian,
/// propagated together through every operation (a truncated multivariate Taylor expansion, the
/// multi-component form of a hyper-dual number).
///
/// One evaluation of a generic loss with `Jet3` inputs yields what Newton steps and parameter
/// errors need. Primitives apply the second-order chain rule f(x)'' = f''·∇x∇xᵀ + f'·∇²x with
/// their own first and second derivatives; losses contain no derivative formulas.
@frozen public struct Jet3: RealScalar, CustomStringConvertible {
    public var value: Double
    /// ∂/∂x_i, lanes 0–2 (lane 3 zero).
    public var gradient: SIMD4<Double>
    /// Upper triangle of the Hessian in lanes (00, 01, 02, 11, 12, 22); lanes 6–7 are zero.
    public var hessianPacked: SIMD8<Double>

    @inlinable public init(_ constant: Double) { value = constant; gradient = .zero; hessianPacked = .zero }
    @inlinable public init(value: Double, gradient: SIMD4<Double>, hessianPacked: SIMD8<Double>) {
        self.value = value; self.gradient = gradient; self.hessianPacked = hessianPacked
    }

    /// The independent variable number `index` (0–2) at `value`.
    @inlinable public static func variable(_ value: Double, index: Int) -> Jet3 {
        precondition((0..<3).contains(index), "Jet3 has three directions")
        var g = SIMD4<Double>.zero
        g[index] = 1
        return Jet3(value: value, gradient: g, hessianPacked: .zero)
    }

    /// The symmetric products g_a·h_b + g_b·h_a in packed order: lane i holds (a, b) =
    /// (00, 01, 02, 11, 12, 22)[i]; lanes 6–7 stay zero.
    @inlinable static func symmetricOuter(_ g: SIMD4<Double>, _ h: SIMD4<Double>) -> SIMD8<Double> {
        let ga = SIMD8(g[0], g[0], g[0], g[1], g[1], g[2], 0, 0)
        let gb = SIMD8(g[0], g[1], g[2], g[1], g[2], g[2], 0, 0)
        let ha = SIMD8(h[0], h[0], h[0], h[1], h[1], h[2], 0, 0)
        let hb = SIMD8(h[0], h[1], h[2], h[1], h[2], h[2], 0, 0)
        return ga * hb + gb * ha
    }

    /// The full Hessian, row-major 3×3.
    public var hessian: [Double] {
        let h = hessianPacked
        return [h[0], h[1], h[2], h[1], h[3], h[4], h[2], h[4], h[5]]
    }

    public var description: String { "\(value), ∇ \(Array(gradient.indices.prefix(3).map { gradient[$0] })), ∇² \(hessian)" }

    /// Result of a unary function with value `f`, first derivative `d1`, second derivative `d2` at `x`.
    @inlinable static func chain(_ x: Jet3, _ f: Double, _ d1: Double, _ d2: Double) -> Jet3 {
        Jet3(value: f, gradient: d1 * x.gradient,
             hessianPacked: d1 * x.hessianPacked + (0.5 * d2) * symmetricOuter(x.gradient, x.gradient))
    }

    @inlinable public static func + (a: Jet3, b: Jet3) -> Jet3 {
        Jet3(value: a.value + b.value, gradient: a.gradient + b.gradient, hessianPacked: a.hessianPacked + b.hessianPacked)
    }
    @inlinable public static func - (a: Jet3, b: Jet3) -> Jet3 {
        Jet3(value: a.value - b.value, gradient: a.gradient - b.gradient, hessianPacked: a.hessianPacked - b.hessianPacked)
    }
    @inlinable public static func * (a: Jet3, b: Jet3) -> Jet3 {
        Jet3(value: a.value * b.value, gradient: b.value * a.gradient + a.value * b.gradient,
             hessianPacked: b.value * a.hessianPacked + a.value * b.hessianPacked + symmetricOuter(a.gradient, b.gradient))
    }
    @inlinable public static func / (a: Jet3, b: Jet3) -> Jet3 { a * (1.0 / b) }
    @inlinable public static prefix func - (x: Jet3) -> Jet3 {
        Jet3(value: -x.value, gradient: -x.gradient, hessianPacked: -x.hessianPacked)
    }

    @inlinable public static func + (a: Jet3, b: Double) -> Jet3 { Jet3(value: a.value + b, gradient: a.gradient, hessianPacked: a.hessianPacked) }
    @inlinable public static func - (a: Jet3, b: Double) -> Jet3 { Jet3(value: a.value - b, gradient: a.gradient, hessianPacked: a.hessianPacked) }
    @inlinable public static func * (a: Jet3, b: Double) -> Jet3 {
        Jet3(value: a.value * b, gradient: a.gradient * b, hessianPacked: a.hessianPacked * b)
    }
    @inlinable public static func / (a: Jet3, b: Double) -> Jet3 { a * (1 / b) }
    @inlinable public static func + (a: Double, b: Jet3) -> Jet3 { b + a }
    @inlinable public static func - (a: Double, b: Jet3) -> Jet3 {
        Jet3(value: a - b.value, gradient: -b.gradient, hessianPacked: -b.hessianPacked)
    }
    @inlinable public static func * (a: Double, b: Jet3) -> Jet3 { b * a }
    @inlinable public static func / (a: Double, b: Jet3) -> Jet3 {
        let r = 1 / b.value
        return chain(b, a * r, -a * r * r, 2 * a * r * r * r)
    }

    @inlinable public static func exp(_ x: Jet3) -> Jet3 { let f = Foundation.exp(x.value); return chain(x, f, f, f) }
    @inlinable public static func log(_ x: Jet3) -> Jet3 {
        let r = 1 / x.value
        return chain(x, Foundation.log(x.value), r, -r * r)
    }
    @inlinable public static func sqrt(_ x: Jet3) -> Jet3 {
        let f = x.value.squareRoot()
        return chain(x, f, 0.5 / f, -0.25 / (f * f * f))
    }
    @inlinable public static func erfc(_ x: Jet3) -> Jet3 {
        let d1 = -twoOverSquareRootPi * Foundation.exp(-x.value * x.value)
        return chain(x, Foundation.erfc(x.value), d1, -2 * x.value * d1)
    }
    @inlinable public static func erfcx(_ x: Jet3) -> Jet3 {
        let f = SDDCore.erfcx(x.value)
        let d1 = 2 * x.value * f - twoOverSquareRootPi
        return chain(x, f, d1, 2 * f + 2 * x.value * d1)
    }
}
