import XCTest
import SDDCore
@testable import LineFitting

/// Poisson-fluctuated counts of a model's expectation.
func poissonCounts<M: BinnedModel>(_ model: M, _ theta: [Double], _ rng: inout TestRandom) -> [Double] {
    model.expected(theta).map { Double(rng.poisson($0)) }
}

/// A Cu Kα-like window in eV: doublet + tail + linear background on 300 bins of 5 eV.
func cuKalphaModel(bins: Int = 300, lower: Double = 7000, width: Double = 5) -> LineShapeModel {
    LineShapeModel(lines: [.init(SpectralLine(id: "CuKa")!)], lowerEdge: lower, binWidth: width, bins: bins)
}

final class BinnedFitTests: XCTestCase {
    func testModelJacobianAgainstFiniteDifferences() {
        let lines: [LineShapeModel.Line] = [.init(SpectralLine(id: "TiKa")!, xPerEV: 1 / 3.1), .init(SpectralLine(id: "TiKb")!, xPerEV: 1 / 3.1)]
        let m = LineShapeModel(lines: lines, lowerEdge: 1900, binWidth: 2, bins: 120)
        let theta = [5000, 1990, 18, 700, 2125, 19, 0.04, 1.3, 3.5, -0.01, 2e-5]
        let j = m.jacobian(theta)
        for p in 0..<m.parameterCount {
            let fd = centralDifference({ m.expected($0) }, at: theta, parameter: p)
            for i in 0..<m.binCount {
                XCTAssertEqual(j[p * m.binCount + i], fd[i], accuracy: 1e-6 * Swift.max(1, abs(fd[i])), "param \(m.parameterNames[p]) bin \(i)")
            }
        }
    }

    /// Least squares on a straight line (no peaks) has a closed form: compare values and covariance.
    func testLeastSquaresLineMatchesClosedForm() {
        let m = LineShapeModel(lines: [], lowerEdge: 0, binWidth: 1, bins: 20, hasTail: false, backgroundReference: 0)
        let x = m.centers
        let y = x.map { 3 + 0.5 * $0 + sin($0) }     // deterministic scatter
        let sig = x.map { 0.5 + 0.05 * $0 }
        var p = FitParameters(names: m.parameterNames, values: [0, 1.4, 1, 0, 0])
        p.fix("tail_fraction"); p.fix("tail_slope"); p.fix("bg_curvature")
        let r = BinnedFit(model: m, counts: y, statistic: .leastSquares(errors: sig)).minimize(p)
        // Closed form weighted regression of y/w on (1, x)·w (bin width 1).
        var s = 0.0, sx = 0.0, sxx = 0.0, sy = 0.0, sxy = 0.0
        for i in x.indices { let w = 1 / (sig[i] * sig[i]); s += w; sx += w * x[i]; sxx += w * x[i] * x[i]; sy += w * y[i]; sxy += w * x[i] * y[i] }
        let det = s * sxx - sx * sx
        let b = (s * sxy - sx * sy) / det, a = (sxx * sy - sx * sxy) / det
        XCTAssertEqual(r.status, .converged)
        XCTAssertEqual(r.value("bg_const"), a, accuracy: 1e-3 * r.error("bg_const"))
        XCTAssertEqual(r.value("bg_slope"), b, accuracy: 1e-3 * r.error("bg_slope"))
        XCTAssertEqual(r.error("bg_const"), (sxx / det).squareRoot(), accuracy: 1e-6 * (sxx / det).squareRoot())
        XCTAssertEqual(r.error("bg_slope"), (s / det).squareRoot(), accuracy: 1e-6 * (s / det).squareRoot())
        XCTAssertEqual(r.covariance("bg_const", "bg_slope"), -sx / det, accuracy: 1e-6 * abs(sx / det))
        XCTAssertEqual(r.ndf, 18)
    }

    /// Poisson fits of a Cu Kα doublet: best values near truth and pulls (value − truth)/error with mean
    /// ≈ 0 and width ≈ 1 over many seeds, for centroid and σ.
    func testCuKalphaPullsOverSeeds() {
        let m = cuKalphaModel()
        let truth = [4000, 8040.6, 76.0, 0.03, 1.4, 2.0, -0.0005, 0]
        var pullsC: [Double] = [], pullsS: [Double] = []
        var failures = 0
        for seed in 0..<200 {
            var rng = TestRandom(seed: UInt64(seed))
            let n = poissonCounts(m, truth, &rng)
            var p = m.initialParameters(counts: n, centroids: [8000], sigmas: [60])
            p.fix("tail_fraction", at: 0.03); p.fix("tail_slope", at: 1.4)
            let r = BinnedFit(model: m, counts: n).minimize(p)
            guard r.status == .converged else { failures += 1; continue }
            pullsC.append((r.value("centroid_CuKa") - truth[1]) / r.error("centroid_CuKa"))
            pullsS.append((r.value("sigma_CuKa") - truth[2]) / r.error("sigma_CuKa"))
        }
        XCTAssertEqual(failures, 0)
        for (name, p) in [("centroid", pullsC), ("sigma", pullsS)] {
            let mean = p.reduce(0, +) / Double(p.count)
            let sd = (p.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(p.count - 1)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 0.22, name)     // 200 seeds: standard error 0.07
            XCTAssertEqual(sd, 1, accuracy: 0.15, name)      // standard error 0.05
        }
    }

    func testFreeTailFitConvergesAndCoversTruth() {
        let m = cuKalphaModel()
        let truth = [60000, 8040.6, 76.0, 0.04, 1.4, 5.0, -0.001, 0]
        var rng = TestRandom(seed: 7)
        let n = poissonCounts(m, truth, &rng)
        let p = m.initialParameters(counts: n, centroids: [8030], sigmas: [70])
        let r = BinnedFit(model: m, counts: n).minimize(p)
        XCTAssertEqual(r.status, .converged)
        for (i, name) in m.parameterNames.enumerated() {
            XCTAssertEqual(r.values[i], truth[i], accuracy: 4 * r.errors[i], name)
        }
        XCTAssertEqual(r.chi2PerNDF, 1, accuracy: 0.35)
    }

    func testBoundsFixedAndTiedParameters() {
        // Two Gaussians; the second has no signal: its area ends on the lower bound and is reported there.
        let lines: [LineShapeModel.Line] = [.single("a"), .single("b")]
        let m = LineShapeModel(lines: lines, lowerEdge: 0, binWidth: 1, bins: 200, hasTail: false)
        let truth = [3000, 80, 6, 0, 140, 6.3, 0, 1.4, 1.0, 0, 0]
        var rng = TestRandom(seed: 3)
        let n = poissonCounts(m, truth, &rng)
        var p = m.initialParameters(counts: n, centroids: [78, 140], sigmas: [5, 5])
        p.tie("sigma_b", to: "sigma_a", scale: 1.05)
        p.fix("centroid_b", at: 140)
        p.fix("bg_slope", at: 0)
        let r = BinnedFit(model: m, counts: n).minimize(p)
        XCTAssertEqual(r.value("sigma_b"), 1.05 * r.value("sigma_a"), accuracy: 1e-12)
        XCTAssertEqual(r.error("sigma_b"), 1.05 * r.error("sigma_a"), accuracy: 1e-12)
        XCTAssertEqual(r.value("centroid_b"), 140)
        XCTAssertEqual(r.error("centroid_b"), 0)
        XCTAssertEqual(r.value("centroid_a"), 80, accuracy: 4 * r.error("centroid_a"))
        XCTAssertTrue(r.value("area_b") >= 0)
        if r.value("area_b") == 0 { XCTAssertTrue(r.parametersAtLimit.contains("area_b")) }
        XCTAssertTrue(r.status == .converged, "\(r.status)")
    }

    func testInvalidStartIsReported() {
        let m = LineShapeModel(lines: [.single("a")], lowerEdge: 0, binWidth: 1, bins: 50, hasTail: false)
        var p = FitParameters(names: m.parameterNames, values: [0, 25, 3, 0, 1.4, 0, 0, 0])
        p.fix("tail_fraction"); p.fix("tail_slope"); p.fix("bg_curvature")
        let counts = [Double](repeating: 1, count: 50)   // counts where the model expects nothing
        let r = BinnedFit(model: m, counts: counts).minimize(p)
        XCTAssertEqual(r.status, .invalidModel)
    }
}
