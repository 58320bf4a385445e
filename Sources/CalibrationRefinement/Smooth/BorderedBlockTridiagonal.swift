import Foundation

/// A symmetric matrix over K knots of two coefficients each plus one global coefficient:
///
///     [ A  b ]    A block-tridiagonal (2×2 blocks), b a column (one 2-vector per knot), c a scalar.
///     [ bᵀ c ]
///
/// This is the Hessian of the smooth refinement of one cell: an event at time t touches only the two
/// knots around t, the random-walk prior couples neighbours, and the curvature q touches all. So the
/// Newton system is solved in O(K) by a block LDLᵀ factorisation of A and a Schur complement for q,
/// and the posterior covariances the calibration's errors need (diagonal and first off-diagonal
/// blocks of the inverse) come from the standard backward recursion (Takahashi / RTS smoother).
public struct BorderedBlockTridiagonal: Sendable {
    public var diagonal: [SIMD4<Double>]
    /// Block (k, k+1); block (k+1, k) is its transpose.
    public var upper: [SIMD4<Double>]
    public var border: [SIMD2<Double>]
    public var corner: Double

    public init(knots: Int) {
        diagonal = [SIMD4<Double>](repeating: .zero, count: knots)
        upper = [SIMD4<Double>](repeating: .zero, count: max(0, knots - 1))
        border = [SIMD2<Double>](repeating: .zero, count: knots)
        corner = 0
    }

    public var knots: Int { diagonal.count }

    /// Entry (i, j) of the full (2K+1)-square matrix (for tests and small checks).
    public func entry(_ i: Int, _ j: Int) -> Double {
        let n = 2 * knots
        if i == n && j == n { return corner }
        if i == n { return border[j / 2][j % 2] }
        if j == n { return border[i / 2][i % 2] }
        let bi = i / 2, bj = j / 2, r = i % 2, c = j % 2
        if bi == bj { return diagonal[bi][2 * r + c] }
        if bj == bi + 1 { return upper[bi][2 * r + c] }
        if bi == bj + 1 { return upper[bj][2 * c + r] }
        return 0
    }

    /// y = M·x for x laid out as (θ_0, θ_1, …, q).
    public func multiply(_ x: [Double]) -> [Double] {
        let k = knots
        var y = [Double](repeating: 0, count: 2 * k + 1)
        let q = x[2 * k]
        var yq = corner * q
        for i in 0..<k {
            let xi = SIMD2(x[2 * i], x[2 * i + 1])
            var yi = Block2.apply(diagonal[i], xi) + border[i] * q
            if i + 1 < k { yi += Block2.apply(upper[i], SIMD2(x[2 * i + 2], x[2 * i + 3])) }
            if i > 0 { yi += Block2.apply(Block2.transpose(upper[i - 1]), SIMD2(x[2 * i - 2], x[2 * i - 1])) }
            y[2 * i] = yi[0]; y[2 * i + 1] = yi[1]
            yq += (border[i] * xi).sum()
        }
        y[2 * k] = yq
        return y
    }

    /// Factorises M (with every diagonal entry multiplied by 1 + `damping`, Marquardt's scaling),
    /// or nil if it is not positive definite.
    public func factorize(damping: Double = 0) -> Factorization? {
        let k = knots
        var dinv = [SIMD4<Double>](repeating: .zero, count: k)
        var lower = [SIMD4<Double>](repeating: .zero, count: k)
        var logDet = 0.0
        let scale = SIMD4(1 + damping, 1, 1, 1 + damping)
        for i in 0..<k {
            var d = diagonal[i] * scale
            if i > 0 {
                // L_i = B_{i−1}ᵀ D_{i−1}⁻¹, D_i = A_i − L_i B_{i−1}.
                let l = Block2.mul(Block2.transpose(upper[i - 1]), dinv[i - 1])
                lower[i] = l
                d -= Block2.mul(l, upper[i - 1])
            }
            d[1] = 0.5 * (d[1] + d[2]); d[2] = d[1]
            guard Block2.isPositiveDefinite(d) else { return nil }
            logDet += Foundation.log(Block2.determinant(d))
            dinv[i] = Block2.inverse(d)
        }
        var f = Factorization(upper: upper, dinv: dinv, lower: lower, border: border, schur: 0, x: [], logDeterminant: logDet)
        // Schur complement of A for the global coefficient: S = c − bᵀA⁻¹b.
        let x = f.solveBlock(border)
        var s = corner * (1 + damping)
        for i in 0..<k { s -= (border[i] * x[i]).sum() }
        guard s > 0, s.isFinite else { return nil }
        f.schur = s
        f.x = x
        f.logDeterminant += Foundation.log(s)
        return f
    }

    /// The block LDLᵀ factors of A and the Schur complement of the global coefficient.
    public struct Factorization: Sendable {
        let upper: [SIMD4<Double>]
        let dinv: [SIMD4<Double>]
        let lower: [SIMD4<Double>]
        let border: [SIMD2<Double>]
        var schur: Double
        /// A⁻¹b.
        var x: [SIMD2<Double>]
        /// log det of the (damped) matrix.
        public var logDeterminant: Double

        /// Solves A·z = r (block part only).
        func solveBlock(_ r: [SIMD2<Double>]) -> [SIMD2<Double>] {
            let k = dinv.count
            var y = r
            for i in 1..<max(1, k) { y[i] -= Block2.apply(lower[i], y[i - 1]) }
            var z = y
            z[k - 1] = Block2.apply(dinv[k - 1], y[k - 1])
            if k >= 2 {
                for i in stride(from: k - 2, through: 0, by: -1) {
                    z[i] = Block2.apply(dinv[i], y[i] - Block2.apply(upper[i], z[i + 1]))
                }
            }
            return z
        }

        /// Solves M·s = r for r laid out as (θ_0, θ_1, …, q).
        public func solve(_ r: [Double]) -> [Double] {
            let k = dinv.count
            let rb = (0..<k).map { SIMD2(r[2 * $0], r[2 * $0 + 1]) }
            let z = solveBlock(rb)
            var bz = 0.0
            for i in 0..<k { bz += (border[i] * z[i]).sum() }
            let q = (r[2 * k] - bz) / schur
            var out = [Double](repeating: 0, count: 2 * k + 1)
            for i in 0..<k { let v = z[i] - x[i] * q; out[2 * i] = v[0]; out[2 * i + 1] = v[1] }
            out[2 * k] = q
            return out
        }

        /// The blocks of M⁻¹ that errors at any time need: diagonal blocks Σ_kk, the blocks
        /// Σ_k,k+1, the covariances of each knot with q, and the variance of q.
        public func selectedInverse() -> SelectedInverse {
            let k = dinv.count
            var diag = [SIMD4<Double>](repeating: .zero, count: k)
            var off = [SIMD4<Double>](repeating: .zero, count: max(0, k - 1))
            diag[k - 1] = dinv[k - 1]
            if k >= 2 {
                for i in stride(from: k - 2, through: 0, by: -1) {
                    let c = Block2.mul(dinv[i], upper[i])
                    off[i] = -Block2.mul(c, diag[i + 1])
                    diag[i] = dinv[i] + Block2.mul(Block2.mul(c, diag[i + 1]), Block2.transpose(c))
                }
            }
            // The border's contribution: M⁻¹ = [A⁻¹ + X Xᵀ/S, −X/S; −Xᵀ/S, 1/S] with X = A⁻¹b.
            let inv = 1 / schur
            for i in 0..<k {
                diag[i] += Block2.outer(x[i], x[i]) * inv
                if i + 1 < k { off[i] += Block2.outer(x[i], x[i + 1]) * inv }
            }
            return SelectedInverse(diagonal: diag, upper: off, border: x.map { -$0 * inv }, corner: inv)
        }
    }

    /// Selected blocks of the inverse (the posterior covariance at the optimum).
    public struct SelectedInverse: Sendable, Hashable, Codable {
        public var diagonal: [SIMD4<Double>]
        public var upper: [SIMD4<Double>]
        public var border: [SIMD2<Double>]
        public var corner: Double
    }
}
