import XCTest
@testable import CalibrationRefinement
import SDDCore

/// The random-walk strength estimate on a synthetic case where the Laplace evidence is exact: per
/// knot, Gaussian "measurements" of (offset, log-gain) around a path drawn from the walk with known
/// strengths, i.e. a quadratic negative log-likelihood with known precision.
final class PriorStrengthTests: XCTestCase {
    /// Cells of `knots` hourly knots, walk strengths `so` (eV/√day) and `sg` (1/√day), measurement
    /// errors `eo`, `eg` per knot; the expansion is taken at the measurements (gradient zero).
    static func cells(seed: UInt64, count: Int = 8, knots: Int = 240, so: Double, sg: Double,
                      eo: Double, eg: Double) -> [PriorStrengthEstimator.CellExpansion] {
        var rng = SeededGenerator(seed: seed)
        let grid = KnotGrid(start: 0, spacing: 3600, count: knots)
        let dt = grid.spacing / 86400
        return (0..<count).map { _ in
            var o = 0.0, g = 0.0
            var x = [Double](repeating: 0, count: 2 * knots + 1)
            var h = BorderedBlockTridiagonal(knots: knots)
            for k in 0..<knots {
                if k > 0 { o += so * dt.squareRoot() * rng.normal(); g += sg * dt.squareRoot() * rng.normal() }
                x[2 * k] = o + eo * rng.normal()
                x[2 * k + 1] = g + eg * rng.normal()
                h.diagonal[k] = SIMD4(1 / (eo * eo), 0, 0, 1 / (eg * eg))
            }
            h.corner = 1 / 25.0   // the curvature: measured to ±5 eV
            return .init(grid: grid, x: x, value: 0, gradient: [Double](repeating: 0, count: 2 * knots + 1), hessian: h)
        }
    }

    /// The estimate recovers the simulated strengths within 3 of its stated standard errors, over
    /// several independent draws; the errors are those of ~8 × 240 steps (a few per cent).
    func testEstimateRecoversTheSimulatedWalkWithinItsError() {
        let so = 2.0, sg = 3e-3
        var zs: [Double] = []
        for seed: UInt64 in 1...4 {
            let c = Self.cells(seed: seed, so: so, sg: sg, eo: 0.4, eg: 2e-4)
            let start = RandomWalkPrior(offsetStrength: 3, gainStrength: 3e-3, curvatureSigma: 30)
            let r = PriorStrengthEstimator().estimate(c, from: start)
            let e = PriorStrengthEstimator.logStrengthErrors(c, prior: r.prior)
            XCTAssertGreaterThan(e.offset, 0.005); XCTAssertLessThan(e.offset, 0.2, "seed \(seed)")
            XCTAssertGreaterThan(e.gain, 0.005); XCTAssertLessThan(e.gain, 0.2, "seed \(seed)")
            let zo = (log(r.prior.offsetStrength) - log(so)) / e.offset
            let zg = (log(r.prior.gainStrength) - log(sg)) / e.gain
            XCTAssertLessThan(abs(zo), 3, "seed \(seed): offset \(r.prior.offsetStrength) ± \(e.offset) (relative), true \(so)")
            XCTAssertLessThan(abs(zg), 3, "seed \(seed): gain \(r.prior.gainStrength) ± \(e.gain) (relative), true \(sg)")
            zs += [zo, zg]
        }
        // The stated errors are the spread: the z-scores' rms over 8 estimates is of order one.
        let rms = (zs.map { $0 * $0 }.reduce(0, +) / Double(zs.count)).squareRoot()
        XCTAssertLessThan(rms, 2, "z-scores \(zs)")
    }

    /// With measurements far more precise than the walk's steps, the estimate follows the walk; with
    /// a walk ten times weaker the estimate is ten times smaller (it is not the starting value).
    func testEstimateScalesWithTheWalk() {
        let start = RandomWalkPrior(offsetStrength: 3, gainStrength: 3e-3, curvatureSigma: 30)
        let strong = PriorStrengthEstimator().estimate(Self.cells(seed: 7, so: 5, sg: 1e-2, eo: 0.3, eg: 1e-4), from: start).prior
        let weak = PriorStrengthEstimator().estimate(Self.cells(seed: 7, so: 0.5, sg: 1e-3, eo: 0.03, eg: 1e-5), from: start).prior
        XCTAssertEqual(strong.gainStrength / weak.gainStrength, 10, accuracy: 1.5)
        XCTAssertEqual(strong.offsetStrength / weak.offsetStrength, 10, accuracy: 1.5)
    }

    /// Curvature pooling: each cell's measurement is its curvature with the variance of its Hessian
    /// (no coupling to the walk here); the pooled mean is the precision-weighted one; τ is small when
    /// the cells scatter as their errors say and near the true spread when they scatter more.
    func testCurvaturePoolRecoversMeanAndSpread() throws {
        let prior = RandomWalkPrior(offsetStrength: 2, gainStrength: 3e-3, curvatureSigma: 30)
        var c = Self.cells(seed: 3, count: 1, knots: 24, so: 2, sg: 3e-3, eo: 0.4, eg: 2e-4)[0]
        c.x[c.x.count - 1] = 4; c.baseCurvature = -1.5
        let m = try XCTUnwrap(CurvaturePool.measurement(c, prior: prior))
        XCTAssertEqual(m.curvature, 2.5, accuracy: 1e-6)
        XCTAssertEqual(m.variance, 25, accuracy: 1e-3)
        // The refit under a prior N(μ, σ²) on the total curvature: (H·q + (μ − base)/σ²)/(H + 1/σ²).
        let pooled = RandomWalkPrior(offsetStrength: 2, gainStrength: 3e-3, curvatureSigma: 2, curvatureMean: 10)
        let t = try XCTUnwrap(PriorStrengthEstimator.minimizer(c, prior: pooled))
        XCTAssertEqual(t[t.count - 1], (4.0 / 25 + 11.5 / 4) / (1.0 / 25 + 1.0 / 4), accuracy: 1e-6)

        var rng = SeededGenerator(seed: 11)
        for tau in [0.0, 12.0, 0.0, 12.0] {   // two independent draws of each
            let ms = (0..<64).map { i -> (curvature: Double, variance: Double) in
                let v = i % 2 == 0 ? 9.0 : 36.0
                return (3 + tau * rng.normal() + v.squareRoot() * rng.normal(), v)
            }
            let e = try XCTUnwrap(CurvaturePool.estimate(ms))
            let w = ms.map { 1 / ($0.variance + e.sigma * e.sigma) }
            let se = 1 / w.reduce(0, +).squareRoot()
            XCTAssertEqual(e.mean, 3, accuracy: 3.5 * se, "τ \(tau)")
            if tau == 0 { XCTAssertLessThan(e.sigma, 2.5, "τ \(tau)") }
            else { XCTAssertEqual(e.sigma, tau, accuracy: 0.4 * tau, "τ \(tau)") }
        }
        XCTAssertNil(CurvaturePool.estimate([(1, 1), (2, 1)]))
    }
}
