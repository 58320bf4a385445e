import Foundation
import XCTest
@testable import SDDCore

/// The one erfcx and the one SDD line shape against independent truth: SciPy's erfcx, numerical
/// integration, finite differences and the closed-form moments of the exponentially modified Gaussian.
final class LineShapeTests: XCTestCase {
    /// ~2,000 points of scipy.special.erfcx (scripts/make_erfcx_fixture.py) from −26 to 10³⁰⁰, dense
    /// around the cut-over. For x < 0 erfcx(x) ≈ 2·exp(x²) has condition number ≈ 2x², so there the
    /// tolerance grows with x² (SciPy's own values are off mpmath by up to 5·10⁻¹⁴ at x = −26).
    func testAgreesWithSciPy() throws {
        let path = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/special/erfcx.csv").path
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertGreaterThan(rows.count, 1900)
        var worstPositive = 0.0
        for row in rows {
            let f = row.split(separator: ",")
            let x = Double(f[0])!, want = Double(f[1])!
            let rel = abs(erfcx(x) / want - 1)
            if x >= 0 {
                worstPositive = max(worstPositive, rel)
                XCTAssertLessThanOrEqual(rel, 1.5e-15, "x = \(x)")
            } else {
                XCTAssertLessThanOrEqual(rel, 1.5e-15 + 2.2e-16 * 4 * x * x, "x = \(x)")
            }
        }
        print("erfcx vs SciPy, x ≥ 0: worst relative difference \(worstPositive)")
    }

    /// Both sides of the cut-over meet (the continued fraction has converged there) and known values hold.
    func testCutOverIsSeamlessAndKnownValues() {
        let c = erfcxAsymptoticCut
        let below = erfcx(c.nextDown), above = erfcx(c.nextUp)
        // The function itself changes by |erfcx′/erfcx|·2ulp ≈ 2·10⁻¹⁶ over the step.
        XCTAssertEqual(below, above, accuracy: 1e-15 * above)
        XCTAssertEqual(erfcx(0), 1, accuracy: 1e-16)
        // erfcx(x) → 1/(x√π)·(1 − 1/(2x²) + 3/(4x⁴) − …) at large x.
        let x = 1e4
        XCTAssertEqual(erfcx(x), 1 / (x * Double.pi.squareRoot()) * (1 - 1 / (2 * x * x) + 3 / (4 * x * x * x * x)), accuracy: 4e-16 * erfcx(x))
        XCTAssertEqual(erfcx(1e300) * 1e300 * Double.pi.squareRoot(), 1, accuracy: 1e-15)
        XCTAssertTrue(erfcx(-27).isInfinite)
    }

    /// d erfcx/dx = 2x·erfcx(x) − 2/√π (the derivative the dual numbers use) against central differences,
    /// on both sides of the cut-over.
    func testDerivativeAgainstFiniteDifferences() {
        for x in [-3.0, -0.5, 0.7, 2.5, 6.0, 9.99, 10.01, 12.0, 40.0] {
            let h = 1e-5 * max(1, abs(x))
            let fd = (erfcx(x + h) - erfcx(x - h)) / (2 * h)
            let analytic = 2 * x * erfcx(x) - twoOverSquareRootPi
            XCTAssertEqual(analytic, fd, accuracy: 1e-8 * max(1e-3, abs(fd)), "x = \(x)")
        }
    }

    /// The shape integrates to one, its CDF is its integral (finite differences of the CDF give the
    /// density), and its mean is the exponentially modified Gaussian's: −f_T·β.
    func testDensityCDFAndMoments() {
        for (f, beta) in [(0.0, 1.4), (0.03, 1.4), (0.3, 0.8), (1.0, 3.0)] {
            var area = 0.0, mean = 0.0
            let h = 0.01
            var d = -60.0
            while d < 12 {
                let s: Double = SDDLineShape.density(d + 0.5 * h, tailFraction: f, tailSlope: beta)
                XCTAssertTrue(s.isFinite && s >= 0)
                area += s * h; mean += s * (d + 0.5 * h) * h
                d += h
            }
            XCTAssertEqual(area, 1, accuracy: 1e-7, "f \(f) β \(beta)")
            XCTAssertEqual(mean, -f * beta, accuracy: 1e-6, "f \(f) β \(beta)")
            for d in [-30.0, -5, -1, 0, 0.4, 2, 4.9, 5.0, 5.2, 7, 20] {
                let e = 1e-5
                let fd = (SDDLineShape.cdf(d + e, tailFraction: f, tailSlope: beta) - SDDLineShape.cdf(d - e, tailFraction: f, tailSlope: beta)) / (2 * e)
                let s: Double = SDDLineShape.density(d, tailFraction: f, tailSlope: beta)
                XCTAssertEqual(fd, s, accuracy: 1e-9 + 1e-6 * s, "d \(d) f \(f) β \(beta)")
            }
            XCTAssertEqual(SDDLineShape.cdf(-40 * (1 + beta), tailFraction: f, tailSlope: beta), 0, accuracy: 1e-15)
            XCTAssertEqual(SDDLineShape.cdf(40.0, tailFraction: f, tailSlope: beta), 1, accuracy: 1e-15)
        }
    }

    /// Far right of the peak the tail stays finite and positive (scaled form), and matches the direct
    /// formula where that is still finite.
    func testTailFarFromThePeak() {
        let beta = 1.4
        for d in [4.5, 5.5, 8.0, 15.0] {
            let direct = exp(d / beta + 0.5 / (beta * beta)) * erfc((d + 1 / beta) / 2.0.squareRoot()) / (2 * beta)
            let t: Double = SDDLineShape.tail(d, tailSlope: beta)
            XCTAssertEqual(t, direct, accuracy: 1e-13 * direct, "d \(d)")
        }
        // exp(a) alone would overflow near d = 1000, erfc underflows near u = 27: the scaled form is ~e^(−d²/2).
        let far: Double = SDDLineShape.tail(30.0, tailSlope: beta)
        XCTAssertTrue(far > 0 && far.isFinite && far < 1e-190, "\(far)")
    }
}
