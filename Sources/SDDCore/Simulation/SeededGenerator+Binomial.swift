import Foundation

extension SeededGenerator {
    /// Binomial deviate: the number of successes in `n` trials of probability `p`, exact in
    /// distribution at O(log n) cost, so a channel's 10⁶ counts are split over energy bins without
    /// drawing them one by one.
    ///
    /// Knuth's order-statistic recursion (TAOCP vol. 2, §3.4.1 F): the a-th smallest of n uniforms,
    /// a = 1 + ⌊n/2⌋, is Beta(a, n + 1 − a). If it lies at or above p, the successes are among the
    /// a − 1 smaller uniforms, which are uniform below it: Binomial(a − 1, p / X). Otherwise those a
    /// are all successes and the n − a larger ones are uniform above it: a + Binomial(n − a,
    /// (p − X)/(1 − X)). Each step halves n; the last ≤ 16 trials are drawn one by one.
    public mutating func binomial(_ n: Int, _ p: Double) -> Int {
        guard n > 0, p > 0 else { return 0 }
        guard p < 1 else { return n }
        var n = n, p = p, successes = 0
        while n > 16 {
            let a = 1 + n / 2, b = n + 1 - a
            let ga = gamma(Double(a)), gb = gamma(Double(b))
            let x = ga / (ga + gb)
            if x >= p {
                n = a - 1; p /= x
            } else {
                successes += a; n = b - 1; p = (p - x) / (1 - x)
            }
            if p <= 0 { return successes }
            if p >= 1 { return successes + n }
        }
        for _ in 0..<n where uniform() < p { successes += 1 }
        return successes
    }

    /// Gamma deviate of shape `a` ≥ 1 and unit scale (Marsaglia & Tsang 2000, squeeze and log test).
    public mutating func gamma(_ a: Double) -> Double {
        precondition(a >= 1, "gamma shape must be at least 1")
        let d = a - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = uniformPositive()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return d * v }
        }
    }
}
