import XCTest
import SDDCore
@testable import CalibrationRefinement

final class LikelihoodTests: XCTestCase {
    func testLineShapeAgreesWithDetectorResponseAndIntegratesToOne() {
        // Single component: the same shape as SDDCore's independent implementation.
        let mn = SpectralLine(element: "Mn", kind: .kAlpha, components: [.init(energy: 5898.8, relativeIntensity: 1)])
        let r = DetectorResponse(tailFraction: 0.04, tailSlope: 1.3)
        let s = LineShape(line: mn, sigma: 60, tailFraction: 0.04, tailSlope: 1.3)
        for e in stride(from: 5000.0, through: 6500, by: 37) {
            XCTAssertEqual(s.density(e), r.density(e, mu: 5898.8, sigma: 60), accuracy: 1e-12)
        }
        // The Cu doublet: ∫ density = 1 and the closed-form CDF equals the numerical integral.
        let cu = SyntheticProblem.shape
        var integral = 0.0
        let de = 0.25
        var e = 5000.0
        while e < 10000 {
            integral += cu.density(e + de / 2) * de
            e += de
            if abs(e - 7500) < de / 2 || abs(e - 8030) < de / 2 || abs(e - 8200) < de / 2 {
                XCTAssertEqual(cu.cdf(e), integral, accuracy: 2e-6, "CDF at \(e)")
            }
        }
        XCTAssertEqual(integral, 1, accuracy: 1e-6)
        XCTAssertEqual(cu.cdf(10000.0), 1, accuracy: 1e-12)
    }

    func testChannelCountsGiveTheExactUnbinnedLikelihood() {
        let values = SyntheticProblem.adc(line: 500, background: 300, seed: 7)
        let loss = SyntheticProblem.loss(.windowDensity, line: 500, background: 300, seed: 7)
        let window = SyntheticProblem.window()
        // The same likelihood summed event by event.
        let q = SyntheticProblem.coordinates.scaled(SyntheticProblem.truth) + SIMD3(3, -2, 1)
        var one = loss
        var perEvent = 0.0
        var n = 0
        for v in values where window.contains(Int(v)) {
            one.counts = ChannelCounts(channels: window, occupied: [Double(v)], counts: [1])
            perEvent += one.value(q) - one.anchorPenalty(q[0], q[1], q[2])
            n += 1
        }
        XCTAssertEqual(loss.counts.total, Double(n))
        XCTAssertEqual(loss.value(q) - loss.anchorPenalty(q[0], q[1], q[2]), perEvent, accuracy: 1e-9 * abs(perEvent))
        // Parallel counting (large input) equals serial counting.
        let big = (0..<20).flatMap { _ in values }
        let c = ChannelCounts(adc: big, channels: window)
        XCTAssertEqual(c.counts, loss.counts.counts.map { $0 * 20 })
    }

    func testLossGradientAndHessianMatchFiniteDifferences() {
        for kind in LossKind.allCases {
            let loss = SyntheticProblem.loss(kind, line: 400, background: 200, seed: 3)
            let q = SyntheticProblem.coordinates.scaled(SyntheticProblem.truth) + SIMD3(4, -7, 2)
            let (v, g, h) = loss.valueGradientHessian(q)
            let (v1, g1) = loss.valueAndGradient(q)
            XCTAssertEqual(v, loss.value(q), accuracy: 1e-9 * abs(v))
            XCTAssertEqual(v1, v, accuracy: 1e-9 * abs(v))
            let e = 1e-3
            for i in 0..<3 {
                var a = q, b = q
                a[i] += e; b[i] -= e
                let fdg = (loss.value(a) - loss.value(b)) / (2 * e)
                XCTAssertEqual(g[i], fdg, accuracy: 1e-5 * max(1, abs(fdg)), "\(kind) ∂q\(i)")
                XCTAssertEqual(g1[i], g[i], accuracy: 1e-9 * max(1, abs(g[i])))
                let (_, ga) = loss.valueAndGradient(a), (_, gb) = loss.valueAndGradient(b)
                for j in 0..<3 {
                    let fdh = (ga[j] - gb[j]) / (2 * e)
                    XCTAssertEqual(h[3 * i + j], fdh, accuracy: 1e-5 * max(1, abs(fdh)), "\(kind) ∂²q\(i)q\(j)")
                }
            }
        }
    }

    /// Eq. 3 as printed is ill-posed: squeezing the energy scale around μ only increases it, up to
    /// the degenerate calibration that puts every event at one energy; the default loss rises instead.
    func testPaperEquationThreeRewardsSqueezingTheLine() {
        let paper = SyntheticProblem.loss(.paperEq3)
        let density = SyntheticProblem.loss(.windowDensity)
        let q = SyntheticProblem.coordinates.scaled(SyntheticProblem.truth)
        // Squeeze by λ around the doublet's centre: E → μ + λ(E − μ).
        let mu = 0.5 * (BatchLoss.paperMu1 + BatchLoss.paperMu2)
        func squeezed(_ l: Double) -> SIMD3<Double> { SIMD3(mu + l * (q[0] - mu), l * q[1], l * q[2]) }
        var last = paper.value(squeezed(1))
        for l in [0.8, 0.6, 0.4, 0.2, 0.1, 0.01, 0.0] {
            let v = paper.value(squeezed(l))
            XCTAssertLessThan(v, last, "paper loss must keep falling as the line is squeezed (λ = \(l))")
            last = v
        }
        // The degenerate calibration (zero gain) beats the truth by a wide margin…
        XCTAssertLessThan(paper.value(squeezed(0)), paper.value(q) - 1000)
        // …while the proper likelihood is worse for every squeeze and infinite at zero gain.
        let atTruth = density.value(q)
        for l in [0.95, 0.8, 0.5] { XCTAssertGreaterThan(density.value(squeezed(l)), atTruth + 10) }
        XCTAssertEqual(density.value(squeezed(0)), .infinity)
        // With σ free as well, eq. 3 is unbounded: at zero gain every event sits at μ and −log L → −∞ as σ → 0.
        var prev = Double.infinity
        for s in [40.0, 10, 1, 0.1, 0.01] {
            var p = paper
            p.shape.sigma = s
            let v = p.value(SIMD3(BatchLoss.paperMu1, 0, 0))
            XCTAssertLessThan(v, prev)
            prev = v
        }
        XCTAssertLessThan(prev, -1e4)
    }
}
