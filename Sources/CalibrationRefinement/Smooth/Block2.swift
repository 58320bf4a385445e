/// 2×2 matrices as SIMD4 (row-major a, b, c, d) for the knot blocks of the smooth refinement.
public enum Block2 {
    @inlinable public static func mul(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        SIMD4(a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3])
    }
    @inlinable public static func transpose(_ a: SIMD4<Double>) -> SIMD4<Double> { SIMD4(a[0], a[2], a[1], a[3]) }
    @inlinable public static func determinant(_ a: SIMD4<Double>) -> Double { a[0] * a[3] - a[1] * a[2] }
    @inlinable public static func inverse(_ a: SIMD4<Double>) -> SIMD4<Double> {
        SIMD4(a[3], -a[1], -a[2], a[0]) / determinant(a)
    }
    @inlinable public static func apply(_ a: SIMD4<Double>, _ x: SIMD2<Double>) -> SIMD2<Double> {
        SIMD2(a[0] * x[0] + a[1] * x[1], a[2] * x[0] + a[3] * x[1])
    }
    /// x·yᵀ.
    @inlinable public static func outer(_ x: SIMD2<Double>, _ y: SIMD2<Double>) -> SIMD4<Double> {
        SIMD4(x[0] * y[0], x[0] * y[1], x[1] * y[0], x[1] * y[1])
    }
    /// Whether a symmetric block is positive definite.
    @inlinable public static func isPositiveDefinite(_ a: SIMD4<Double>) -> Bool { a[0] > 0 && determinant(a) > 0 && a[0].isFinite && a[3].isFinite }
}
