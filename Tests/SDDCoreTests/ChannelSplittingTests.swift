import Foundation
import XCTest
@testable import SDDCore

/// The O(channels) split of a channel's counts over energy bins: binomial and multinomial draws
/// against their exact distributions, exact conservation of counts, and agreement in distribution
/// with placing every count by its own uniform draw.
final class ChannelSplittingTests: XCTestCase {
    /// Mean and variance of Binomial(n, p) over many draws, from n = 5 (trial by trial) to 10⁹
    /// (the order-statistic recursion), within 5 standard errors of n·p and n·p·(1 − p).
    func testBinomialMomentsMatchTheory() {
        var rng = SeededGenerator(seed: 7)
        for (n, p) in [(5, 0.3), (17, 0.5), (100, 0.02), (1000, 0.37), (1_000_000, 0.123), (1_000_000_000, 0.9)] {
            let draws = 20_000
            var sum = 0.0, sum2 = 0.0
            for _ in 0..<draws {
                let x = rng.binomial(n, p)
                XCTAssertTrue((0...n).contains(x))
                sum += Double(x); sum2 += Double(x) * Double(x)
            }
            let mean = sum / Double(draws), variance = sum2 / Double(draws) - mean * mean
            let v = Double(n) * p * (1 - p)
            XCTAssertEqual(mean, Double(n) * p, accuracy: 5 * (v / Double(draws)).squareRoot(), "mean, n \(n) p \(p)")
            // The variance of a sample variance is ≈ 2v²/draws for near-normal x (plus the kurtosis term, small here).
            XCTAssertEqual(variance, v, accuracy: 5 * v * (3.0 / Double(draws)).squareRoot(), "variance, n \(n) p \(p)")
        }
        XCTAssertEqual(rng.binomial(0, 0.5), 0)
        XCTAssertEqual(rng.binomial(10, 0), 0)
        XCTAssertEqual(rng.binomial(10, 1), 10)
    }

    /// The whole distribution of Binomial(60, 0.3) (recursion depth 2) against the exact pmf: Pearson χ².
    func testBinomialPMFChiSquare() {
        var rng = SeededGenerator(seed: 11)
        let n = 60, p = 0.3, draws = 200_000
        var seen = [Double](repeating: 0, count: n + 1)
        for _ in 0..<draws { seen[rng.binomial(n, p)] += 1 }
        func pmf(_ k: Int) -> Double {
            let logChoose: Double = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
            let logPower: Double = Double(k) * log(p) + Double(n - k) * log(1 - p)
            return exp(logChoose + logPower)
        }
        // Cells with expectation ≥ 5; the tails pooled into the end cells.
        var chi2 = 0.0, cells = 0, tailObs = 0.0, tailExp = 0.0
        for k in 0...n {
            let e = Double(draws) * pmf(k)
            if e < 5 { tailObs += seen[k]; tailExp += e; continue }
            chi2 += (seen[k] - e) * (seen[k] - e) / e; cells += 1
        }
        chi2 += (tailObs - tailExp) * (tailObs - tailExp) / tailExp; cells += 1
        // χ² with ~cells − 1 degrees of freedom: mean ν, sd √(2ν); 5 sd is far beyond chance.
        let nu = Double(cells - 1)
        XCTAssertLessThan(chi2, nu + 5 * (2 * nu).squareRoot(), "χ² \(chi2) for \(cells - 1) dof")
    }

    /// `fillDrawn` keeps every count of an interval inside the range, however the bins cut it.
    func testFillDrawnConservesCountsExactly() {
        var rng = SeededGenerator(seed: 3)
        for trial in 0..<2000 {
            var h = Histogram(lowerEdge: 100, binWidth: 10, bins: 50)
            let lo = 100 + rng.uniform() * 400, hi = Swift.min(600, lo + rng.uniform() * 60)
            let n = Int(rng.uniform() * 5000)
            h.fillDrawn(n, over: lo, hi, generator: &rng)
            XCTAssertEqual(h.total, Double(n), "trial \(trial): [\(lo), \(hi)) with \(n) counts")
            // Nothing outside the interval's bins.
            for i in h.counts.indices where h.counts[i] > 0 {
                XCTAssertTrue(h.lowerEdge + Double(i + 1) * h.binWidth > lo && h.lowerEdge + Double(i) * h.binWidth < hi)
            }
        }
        // An interval on exact bin edges, and one half outside the range (the outside half is dropped).
        var h = Histogram(lowerEdge: 0, binWidth: 1, bins: 4)
        h.fillDrawn(1000, over: 1, 3, generator: &rng)
        XCTAssertEqual(h.counts[0] + h.counts[3], 0)
        XCTAssertEqual(h.counts[1] + h.counts[2], 1000)
        var g = Histogram(lowerEdge: 0, binWidth: 1, bins: 2)
        g.fillDrawn(100_000, over: -2, 2, generator: &rng)
        XCTAssertEqual(g.total, 50_000, accuracy: 5 * (100_000 * 0.25).squareRoot())
    }

    /// The split matches placing each count by its own uniform draw, in distribution: per bin the
    /// mean, the variance and the covariance between bins of the two methods agree with each other
    /// and with the multinomial's n·pᵢ, n·pᵢ(1 − pᵢ), −n·pᵢ·pⱼ.
    func testSplitMatchesPerCountDrawsInDistribution() {
        let (lo, hi, n, trials) = (12.0, 37.0, 400, 4000)
        let shares = [8.0 / 25, 10.0 / 25, 7.0 / 25]      // bins [10,20), [20,30), [30,40)
        func moments(_ fill: (inout Histogram, inout SeededGenerator) -> Void, seed: UInt64) -> (mean: [Double], cov: [[Double]]) {
            var rng = SeededGenerator(seed: seed)
            var s = [Double](repeating: 0, count: 3), ss = [[Double]](repeating: [0, 0, 0], count: 3)
            for _ in 0..<trials {
                var h = Histogram(lowerEdge: 0, binWidth: 10, bins: 5)
                fill(&h, &rng)
                let x = Array(h.counts[1...3])
                for i in 0..<3 { s[i] += x[i]; for j in 0..<3 { ss[i][j] += x[i] * x[j] } }
            }
            let m = s.map { $0 / Double(trials) }
            return (m, (0..<3).map { i in (0..<3).map { j in ss[i][j] / Double(trials) - m[i] * m[j] } })
        }
        let split = moments({ h, r in h.fillDrawn(n, over: lo, hi, generator: &r) }, seed: 1)
        let perCount = moments({ h, r in for _ in 0..<n { h.fill(lo + (hi - lo) * r.uniform()) } }, seed: 2)
        for i in 0..<3 {
            let v = Double(n) * shares[i] * (1 - shares[i])
            let se = (v / Double(trials)).squareRoot()
            XCTAssertEqual(split.mean[i], Double(n) * shares[i], accuracy: 5 * se)
            XCTAssertEqual(split.mean[i], perCount.mean[i], accuracy: 5 * se * 2.0.squareRoot())
            for j in 0..<3 {
                let c = i == j ? v : -Double(n) * shares[i] * shares[j]
                let tol = 5 * Double(n) * 0.25 * (2.0 / Double(trials)).squareRoot()   // ~5 sd of a sample covariance
                XCTAssertEqual(split.cov[i][j], c, accuracy: tol, "cov[\(i)][\(j)]")
                XCTAssertEqual(split.cov[i][j], perCount.cov[i][j], accuracy: tol * 2.0.squareRoot(), "cov[\(i)][\(j)] vs per count")
            }
        }
    }

    /// An energy spectrum of channel counts (the histogram-input path) keeps every count whose
    /// channel lies inside the range, whole numbers only, and is reproducible.
    func testEnergySpectrumOfChannelCountsIsExactAndReproducible() {
        var rng = SeededGenerator(seed: 5)
        let counts = (0..<4000).map { _ in rng.poisson(2000) }
        let cal = EnergyCalibration(p0: -1850, p1: 3.07, p2: 2e-6)
        let a = Histogram.energy(channelCounts: counts, calibration: cal, lowerEdge: -2000, binWidth: 10, bins: 1500)
        let b = Histogram.energy(channelCounts: counts, calibration: cal, lowerEdge: -2000, binWidth: 10, bins: 1500)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.total, Double(counts.reduce(0, +)), "every channel lies inside [-2000, 13000) eV")
        XCTAssertTrue(a.counts.allSatisfy { $0 == $0.rounded() })
        // A range that cuts channels: the cut channels' counts arrive in part, the others whole.
        let c = Histogram.energy(channelCounts: counts, calibration: cal, lowerEdge: 0, binWidth: 10, bins: 1000)
        let whole = counts.indices.filter { cal.energy(Double($0) - 0.5) >= 0 && cal.energy(Double($0) + 0.5) <= 10000 }
        let cut = counts.indices.filter { (cal.energy(Double($0) - 0.5) < 0) != (cal.energy(Double($0) + 0.5) < 0) }
        let wholeSum = Double(whole.reduce(0) { $0 + counts[$1] }), cutSum = Double(cut.reduce(0) { $0 + counts[$1] })
        XCTAssertEqual(cut.count, 1)
        XCTAssertTrue(c.total >= wholeSum && c.total <= wholeSum + cutSum, "\(c.total) vs \(wholeSum) + ≤ \(cutSum)")
    }
}
