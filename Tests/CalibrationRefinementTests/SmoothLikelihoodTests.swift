import XCTest
@testable import CalibrationRefinement
import SDDCore

/// The smooth refinement's building blocks against independent truth: an analytic function for the
/// tables, dense linear algebra for the banded solve, finite differences for the likelihood.
final class SmoothLikelihoodTests: XCTestCase {
    func testHermiteTableReproducesAFunctionAndItsDerivatives() {
        let s = 50.0
        let t = HermiteTable(lower: -300, upper: 300, step: 2) { x in (-0.5 * x * x / (s * s), -x / (s * s)) }
        for x in stride(from: -290.3, to: 290, by: 7.77) {
            let r = t.evaluate(x)
            XCTAssertEqual(r.value, -0.5 * x * x / (s * s), accuracy: 1e-12)
            XCTAssertEqual(r.d1, -x / (s * s), accuracy: 1e-10)
            XCTAssertEqual(r.d2, -1 / (s * s), accuracy: 1e-7)
            XCTAssertEqual(t.value(x), r.value)
        }
        // A line shape's log density: relative error of the interpolated density.
        let shape = DetectorLineShape.shape(SpectralLine(id: "MnKa")!, response: DetectorResponse(enc: 12))
        let lt = HermiteTable(lower: 5300, upper: 6500, step: 2) { e in
            let d = shape.density(Dual3.variable(e, index: 0)); return (log(d.value), d.gradient[0] / d.value)
        }
        for e in stride(from: 5400.1, to: 6400, by: 3.3) {
            XCTAssertEqual(exp(lt.value(e)) / shape.density(e), 1, accuracy: 1e-6)
        }
        // Linear continuation outside.
        XCTAssertEqual(t.value(310), t.value(300) + 10 * t.evaluate(300).d1, accuracy: 1e-9)
    }

    /// A random positive definite bordered block-tridiagonal matrix against dense Gaussian elimination.
    func testBandedSolveDeterminantAndSelectedInverseMatchDense() {
        var rng = SeededGenerator(seed: 5)
        let k = 6, n = 2 * k + 1
        var m = BorderedBlockTridiagonal(knots: k)
        for i in 0..<k {
            let a = rng.normal(), b = rng.normal()
            m.diagonal[i] = SIMD4(4 + a * a, 0.3 * b, 0.3 * b, 3 + b * b)
            if i + 1 < k { m.upper[i] = SIMD4(0.5 * rng.normal(), 0.4 * rng.normal(), 0.3 * rng.normal(), 0.5 * rng.normal()) }
            m.border[i] = SIMD2(0.3 * rng.normal(), 0.3 * rng.normal())
        }
        m.corner = 5
        var dense = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n { for j in 0..<n { dense[i][j] = m.entry(i, j) } }
        for i in 0..<n { for j in 0..<n { XCTAssertEqual(dense[i][j], dense[j][i]) } }
        // Dense inverse and log det by Gauss–Jordan.
        var a = dense, inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0 } }
        var logDet = 0.0
        for c in 0..<n {
            let p = a[c][c]
            logDet += log(p)
            for j in 0..<n { a[c][j] /= p; inv[c][j] /= p }
            for r in 0..<n where r != c {
                let f = a[r][c]
                for j in 0..<n { a[r][j] -= f * a[c][j]; inv[r][j] -= f * inv[c][j] }
            }
        }
        let f = m.factorize()!
        XCTAssertEqual(f.logDeterminant, logDet, accuracy: 1e-10)
        let rhs = (0..<n).map { _ in rng.normal() }
        let x = f.solve(rhs)
        for i in 0..<n { XCTAssertEqual(x[i], (0..<n).reduce(0) { $0 + inv[i][$1] * rhs[$1] }, accuracy: 1e-12) }
        XCTAssertEqual(m.multiply(x).enumerated().map { abs($1 - rhs[$0]) }.max()!, 0, accuracy: 1e-12)
        let s = f.selectedInverse()
        for b in 0..<k {
            for r in 0..<2 {
                for c in 0..<2 {
                    XCTAssertEqual(s.diagonal[b][2 * r + c], inv[2 * b + r][2 * b + c], accuracy: 1e-12)
                    if b + 1 < k { XCTAssertEqual(s.upper[b][2 * r + c], inv[2 * b + r][2 * b + 2 + c], accuracy: 1e-12) }
                }
                XCTAssertEqual(s.border[b][r], inv[2 * b + r][n - 1], accuracy: 1e-12)
            }
        }
        XCTAssertEqual(s.corner, inv[n - 1][n - 1], accuracy: 1e-12)
        // Not positive definite: refused.
        var bad = m
        bad.corner = -1
        XCTAssertNil(bad.factorize())
    }

    /// The curvature function vanishes at both reference lines and is 1 at the highest; the quadratic
    /// the model hands out is the model's energy (with and without the second zero).
    func testCurvatureFunctionAndItsQuadratic() {
        let base = EnergyCalibration(p0: -1800, p1: 3.05, p2: 2e-5)
        for low: Double? in [2100, nil] {
            let m = SmoothCellModel(base: base, referenceADC: 2530, highADC: 3240, lowADC: low)
            XCTAssertEqual(m.shape(2530, curvature: 1).w, 0, accuracy: 1e-12)
            XCTAssertEqual(m.shape(low ?? 2530, curvature: 1).w, 0, accuracy: 1e-12)
            XCTAssertEqual(m.shape(3240, curvature: 1).w, 1, accuracy: 1e-12)
            let (o, g, q) = (3.5, 0.004, -6.0)
            let cal = m.calibration(offset: o, logGain: g, curvature: q)
            for x in stride(from: 1500.0, through: 4000, by: 250) {
                let s = m.shape(x, curvature: q)
                XCTAssertEqual(cal.energy(x), o + exp(g) * s.u, accuracy: 1e-9 * abs(cal.energy(x)))
                XCTAssertEqual(cal.slope(x), exp(g) * s.du, accuracy: 1e-9 * abs(cal.slope(x)))
                let h = 1e-3
                XCTAssertEqual(s.dw, (m.shape(x + h, curvature: q).w - m.shape(x - h, curvature: q).w) / (2 * h), accuracy: 1e-9)
            }
            // Total curvature: the quadratic's x² coefficient over the curvature's scale.
            XCTAssertEqual(cal.p2 / exp(g) / m.curvatureScale, m.baseCurvature + q, accuracy: 1e-9)
        }
    }

    /// Gradient and Hessian of the likelihood plus prior against central differences of the value.
    func testSmoothLikelihoodDerivativesMatchFiniteDifferences() {
        checkDerivativesAgainstFiniteDifferences(curvatureOnly: false)
    }

    /// The same with the Cu window informing the curvature only (evaluated at frozen knots away from x):
    /// the objective is still a function of x whose exact derivatives match central differences, and
    /// its knot gradient is the strong windows' alone (Cu events do not move the knots).
    func testCurvatureOnlyWindowDerivativesMatchFiniteDifferences() {
        checkDerivativesAgainstFiniteDifferences(curvatureOnly: true)
    }

    func checkDerivativesAgainstFiniteDifferences(curvatureOnly: Bool) {
        let month = SmoothFixtures.month(days: 2, rate: 3000)
        let refiner = SmoothCalibrationRefiner()
        let profile = LineProfile.vip2
        let groups = refiner.groups(for: profile)
        XCTAssertEqual(groups.map { $0.lines.map(\.id) }, [["TiKa", "TiKb"], ["MnKa", "MnKb"], ["CuKa", "CuKb"]])
        var s = SmoothRefinementSettings()
        s.minimumKnotSpacing = 6 * 3600
        s.countsPerKnot = 1e9      // widest spacing allowed: a few knots
        s.maximumKnotSpacing = 12 * 3600
        let r = SmoothCalibrationRefiner(s)
        let p = r.problem(cell: 0, adc: month.events.adc[...], time: month.events.time[...], initial: month.start.cells[0],
                          profile: profile, groups: groups)!
        XCTAssertEqual(p.events.grid.count, 5)
        XCTAssertGreaterThan(p.events.counts[0], 1000)
        XCTAssertGreaterThan(p.events.counts[2], 20)
        var (like, _) = r.likelihood(p, at: p.start, response: p.response)
        var x = p.start
        x[2 * p.events.grid.count] = 7      // curvature away from 0
        x[3] += 2e-4
        if curvatureOnly {
            var frozen = p.start
            for k in 0..<p.events.grid.count { frozen[2 * k] += 1.5 * Double(k % 2); frozen[2 * k + 1] -= 3e-4 * Double(k) }
            like.curvatureOnlyGroups = [2]
            like.frozenKnots = frozen
            like.frozenCurvature = 4
            // The knot gradient and blocks are the Ti and Mn windows' alone, at the frozen curvature;
            // q's gradient and Hessian entry are the Cu window's alone, at the frozen knots; no border.
            var strong = like
            strong.curvatureOnlyGroups = []
            strong.frozenKnots = nil
            strong.frozenCurvature = nil
            let all = strong.evaluate(x)
            let nk = p.events.grid.count
            func part(_ g: [Int]) -> SmoothCellLikelihood {
                SmoothCellLikelihood(model: like.model, events: SmoothCellEvents(
                    adc: month.events.adc[...], time: month.events.time[...], grid: p.events.grid, groups: g.map { groups[$0] },
                    start: { month.start.calibration(cell: 0, time: $0) }), logDensity: g.map { like.logDensity[$0] }, cdf: g.map { like.cdf[$0] })
            }
            let withoutCu = part([0, 1]), cuAlone = part([2])
            XCTAssertEqual(withoutCu.events.counts + cuAlone.events.counts, p.events.counts)
            var xs = x
            xs[2 * nk] = 4
            var xc = frozen
            xc[2 * nk] = x[2 * nk]
            let s2 = withoutCu.evaluate(xs), cu = cuAlone.evaluate(xc), c = like.evaluate(x)
            XCTAssertEqual(c.value, s2.value + cu.value, accuracy: 1e-9 * abs(c.value))
            for i in 0..<(2 * nk) {
                XCTAssertEqual(c.gradient[i], s2.gradient[i], accuracy: 1e-9 * max(1, abs(s2.gradient[i])), "knot gradient \(i)")
                XCTAssertNotEqual(all.gradient[i], s2.gradient[i], "the Cu window adds to knot \(i) when it informs everything")
            }
            XCTAssertEqual(c.gradient[2 * nk], cu.gradient[2 * nk], accuracy: 1e-9 * max(1, abs(cu.gradient[2 * nk])))
            XCTAssertEqual(c.hessian.diagonal, s2.hessian.diagonal)
            XCTAssertEqual(c.hessian.corner, cu.hessian.corner, accuracy: 1e-9 * abs(cu.hessian.corner))
            XCTAssertTrue(c.hessian.border.allSatisfy { $0 == .zero })
            XCTAssertTrue(all.hessian.border.contains { $0 != .zero })
        }
        let f = SmoothCellObjective(likelihood: like, prior: s.prior)
        let e = f.evaluate(x)
        XCTAssertTrue(e.value.isFinite)
        XCTAssertEqual(e.value, f.value(x), accuracy: 1e-9 * abs(e.value))
        let n = x.count
        // Steps per coordinate: offsets in eV, log-gains ~1e-6, curvature in eV.
        func step(_ i: Int) -> Double { i == n - 1 ? 1e-2 : (i % 2 == 0 ? 1e-2 : 2e-6) }
        func grad(_ y: [Double]) -> [Double] { f.evaluate(y).gradient }
        for i in 0..<n {
            var a = x, b = x
            a[i] += step(i); b[i] -= step(i)
            let fd = (f.value(a) - f.value(b)) / (2 * step(i))
            XCTAssertEqual(e.gradient[i], fd, accuracy: 1e-5 * max(1, abs(fd)), "gradient \(i)")
            let ga = grad(a), gb = grad(b)
            for j in 0..<n {
                let h = (ga[j] - gb[j]) / (2 * step(i))
                let exact = e.hessian.entry(j, i)
                XCTAssertEqual(exact, h, accuracy: 2e-4 * max(1, abs(h)) + 1e-6 * max(1, abs(e.hessian.entry(j, j)).squareRoot() * abs(e.hessian.entry(i, i)).squareRoot()), "hessian \(j),\(i)")
            }
        }
    }
}
