/// Small dense symmetric positive-definite linear algebra (Cholesky), for the few-parameter fits here.
enum SymmetricSolve {
    /// Cholesky factor L (row-major, lower) of an n×n SPD matrix, or nil if not positive definite.
    static func cholesky(_ a: [Double], _ n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        return l
    }

    /// Solves L·Lᵀ·x = b.
    static func solve(cholesky l: [Double], _ n: Int, _ b: [Double]) -> [Double] {
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
        }
        return y
    }

    /// Inverse of an SPD matrix from its Cholesky factor.
    static func inverse(cholesky l: [Double], _ n: Int) -> [Double] {
        var inv = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            let x = solve(cholesky: l, n, e)
            for i in 0..<n { inv[i * n + j] = x[i] }
        }
        return inv
    }

    /// Inverse of an SPD matrix, or nil when it is not positive definite.
    static func inverse(_ a: [Double], _ n: Int) -> [Double]? {
        cholesky(a, n).map { inverse(cholesky: $0, n) }
    }
}

extension SymmetricSolve {
    /// Inverse of an SPD matrix after Jacobi scaling (unit diagonal), so parameters of very different
    /// scales (an area in counts next to a background curvature per ADC³) do not defeat the Cholesky
    /// factorisation by round-off. Nil when not positive definite or a diagonal entry is not positive.
    static func inverseScaled(_ a: [Double], _ n: Int) -> [Double]? {
        let d = (0..<n).map { a[$0 * n + $0].squareRoot() }
        guard d.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        var b = a
        for i in 0..<n { for j in 0..<n { b[i * n + j] /= d[i] * d[j] } }
        guard let inv = inverse(b, n) else { return nil }
        var out = inv
        for i in 0..<n { for j in 0..<n { out[i * n + j] /= d[i] * d[j] } }
        return out
    }

    /// Solves a·x = b for SPD a with the same Jacobi scaling; nil when not positive definite.
    static func solveScaled(_ a: [Double], _ n: Int, _ rhs: [Double]) -> [Double]? {
        let d = (0..<n).map { a[$0 * n + $0].squareRoot() }
        guard d.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        var b = a
        for i in 0..<n { for j in 0..<n { b[i * n + j] /= d[i] * d[j] } }
        guard let l = cholesky(b, n) else { return nil }
        let y = solve(cholesky: l, n, (0..<n).map { rhs[$0] / d[$0] })
        return (0..<n).map { y[$0] / d[$0] }
    }
}
