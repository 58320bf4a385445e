/// The objective in whitened coordinates (argmin's problem): x = x₀ + M·u with M = L⁻ᵀ for the
/// Hessian at the start H(x₀) = LLᵀ, so that u is measured in statistical standard deviations in
/// every cell and batch whatever its counts, and one learning rate and one tolerance serve all.
struct WhitenedProblem<F: ThreeParameterObjective> {
    let objective: F
    let start: SIMD3<Double>
    /// M, row-major.
    let whitening: [Double]

    /// Sets up the coordinates from the start point's Hessian and returns them with the start's
    /// loss, gradient and Hessian (one second-order evaluation serves all three).
    static func at(_ start: SIMD3<Double>, of objective: F) -> (problem: WhitenedProblem, value: Double, gradient: SIMD3<Double>, hessian: [Double]) {
        let (v, g, h) = objective.valueGradientHessian(start)
        return (WhitenedProblem(objective: objective, start: start, whitening: Whitening.matrix(for: h)), v, g, h)
    }

    func x(_ u: SIMD3<Double>) -> SIMD3<Double> { start + Whitening.mul(whitening, u) }
    /// The u-gradient from an x-gradient: Mᵀ·g.
    func gradientInU(_ gx: SIMD3<Double>) -> SIMD3<Double> { Whitening.mulT(whitening, gx) }
    /// The x-gradient from a u-gradient.
    func gradientInX(_ gu: SIMD3<Double>) -> SIMD3<Double> { Whitening.mulTInverse(whitening, gu) }
    /// The u-Hessian from an x-Hessian: Mᵀ·H·M.
    func hessianInU(_ hx: [Double]) -> [Double] { Whitening.congruence(whitening, hx) }
    func value(_ u: SIMD3<Double>) -> Double { objective.value(x(u)) }
}

/// The 3×3 linear algebra of the whitened coordinates (row-major matrices).
enum Whitening {
    static func norm(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

    /// M·u for row-major M.
    static func mul(_ m: [Double], _ u: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(m[0] * u[0] + m[1] * u[1] + m[2] * u[2], m[3] * u[0] + m[4] * u[1] + m[5] * u[2], m[6] * u[0] + m[7] * u[1] + m[8] * u[2])
    }
    /// Mᵀ·g.
    static func mulT(_ m: [Double], _ g: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(m[0] * g[0] + m[3] * g[1] + m[6] * g[2], m[1] * g[0] + m[4] * g[1] + m[7] * g[2], m[2] * g[0] + m[5] * g[1] + m[8] * g[2])
    }
    /// The x-gradient from a u-gradient: solves Mᵀ·gx = gu (M is triangular up to transposition, and
    /// invertible by construction); used only to report the final gradient norm.
    static func mulTInverse(_ m: [Double], _ gu: SIMD3<Double>) -> SIMD3<Double> {
        // Invert Mᵀ by Cramer's rule (3×3).
        let a = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]
        let det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6])
        guard det != 0 else { return gu }
        func col(_ j: Int) -> [Double] { var c = a; for i in 0..<3 { c[3 * i + j] = gu[i] }; return c }
        func d(_ c: [Double]) -> Double { c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]) }
        return SIMD3(d(col(0)) / det, d(col(1)) / det, d(col(2)) / det)
    }

    /// Mᵀ·H·M.
    static func congruence(_ m: [Double], _ h: [Double]) -> [Double] {
        let mt = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]
        return Matrix3.sandwich(mt, h)
    }

    /// M = L⁻ᵀ for H = LLᵀ (so MᵀHM = I); the diagonal version or identity when H is not positive definite.
    static func matrix(for h: [Double]) -> [Double] {
        if let l = Matrix3.cholesky(h) {
            // Invert the lower-triangular L, then transpose.
            var li = [Double](repeating: 0, count: 9)
            for i in 0..<3 {
                li[3 * i + i] = 1 / l[3 * i + i]
                for j in 0..<i {
                    var s = 0.0
                    for k in j..<i { s -= l[3 * i + k] * li[3 * k + j] }
                    li[3 * i + j] = s / l[3 * i + i]
                }
            }
            return [li[0], li[3], li[6], li[1], li[4], li[7], li[2], li[5], li[8]]
        }
        var m = [Double](repeating: 0, count: 9)
        for i in 0..<3 { let d = h[4 * i]; m[4 * i] = d > 0 && d.isFinite ? 1 / d.squareRoot() : 1 }
        return m
    }

    /// Solves (H + λI)·s = g with the smallest λ ≥ 0 (tried in decades) that makes it positive definite.
    static func dampedSolve(_ h: [Double], _ g: SIMD3<Double>) -> SIMD3<Double> {
        var lambda = 0.0
        for _ in 0..<30 {
            var hd = h
            for i in 0..<3 { hd[4 * i] += lambda }
            if let s = Matrix3.solveSPD(hd, g) { return s }
            lambda = lambda == 0 ? 1e-6 : lambda * 10
        }
        return g
    }
}
