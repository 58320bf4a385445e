extension EnergyCalibration {
    /// The calibration through (channel, energy) points as spectrum files store them (Amptek
    /// `<<CALIBRATION>>`): a line for two points, a least-squares quadratic for three or more; nil for
    /// fewer than two points or when the channels do not determine the polynomial.
    public static func fitting(channels: [Double], energies: [Double]) -> EnergyCalibration? {
        precondition(channels.count == energies.count)
        let n = channels.count
        guard n >= 2 else { return nil }
        let degree = n == 2 ? 1 : 2
        // Centre and scale the channel so the normal equations stay well conditioned.
        let mean = channels.reduce(0, +) / Double(n)
        let scale = Swift.max(channels.map { Swift.abs($0 - mean) }.max() ?? 1, 1e-12)
        let m = degree + 1
        var a = [Double](repeating: 0, count: m * m), b = [Double](repeating: 0, count: m)
        for (x0, y) in zip(channels, energies) {
            let x = (x0 - mean) / scale
            var px = [Double](repeating: 1, count: m)
            for k in 1..<m { px[k] = px[k - 1] * x }
            for i in 0..<m {
                b[i] += px[i] * y
                for j in 0..<m { a[i * m + j] += px[i] * px[j] }
            }
        }
        guard let q = solve(a, b, m) else { return nil }
        // E = q0 + q1·x + q2·x², x = (ch − mean)/scale, expanded in powers of ch.
        let q2 = m > 2 ? q[2] : 0
        let p2 = q2 / (scale * scale)
        let p1 = q[1] / scale - 2 * q2 * mean / (scale * scale)
        let p0 = q[0] - q[1] * mean / scale + q2 * mean * mean / (scale * scale)
        return EnergyCalibration(p0: p0, p1: p1, p2: p2)
    }

    /// Gaussian elimination with partial pivoting on an m×m row-major system; nil when singular.
    private static func solve(_ a0: [Double], _ b0: [Double], _ m: Int) -> [Double]? {
        var a = a0, b = b0
        for c in 0..<m {
            var p = c
            for r in c..<m where Swift.abs(a[r * m + c]) > Swift.abs(a[p * m + c]) { p = r }
            guard Swift.abs(a[p * m + c]) > 1e-12 * Swift.max(1, Swift.abs(a0[c * m + c])) else { return nil }
            if p != c {
                for k in 0..<m { a.swapAt(p * m + k, c * m + k) }
                b.swapAt(p, c)
            }
            for r in (c + 1)..<m {
                let f = a[r * m + c] / a[c * m + c]
                for k in c..<m { a[r * m + k] -= f * a[c * m + k] }
                b[r] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for r in stride(from: m - 1, through: 0, by: -1) {
            var s = b[r]
            for k in (r + 1)..<m { s -= a[r * m + k] * x[k] }
            x[r] = s / a[r * m + r]
        }
        return x
    }
}
