import XCTest
@testable import CalibrationRefinement
import SDDCore

/// Forward-mode derivatives against central finite differences on a function that uses every primitive.
final class DualNumberTests: XCTestCase {
    /// A generic test function of three variables touching +, −, ×, ÷, constants on both sides,
    /// exp, log, sqrt, erfc and erfcx (both branches of the line shape's tail factor, and erfcx on both
    /// sides of its cut-over).
    static func f<T: RealScalar>(_ x: T, _ y: T, _ z: T) -> T {
        let a = T.exp(x * y * 0.3) / (2.0 + z * z)
        let b = T.log(1.5 + x * x) * T.sqrt(y + 3.0)
        let c = T.erfc(x - z * 0.5) - 1.0 / (y + 4.0)
        // t and the tail's u = (s + 0.7)/√2 cross erfcx's cut-over (10) for the larger y; the tail factor
        // is scaled by exp(s²/2) (making it erfcx(u)) so that its derivatives are not all ~0.
        let t = y * 2.0 + z + 5.0, s = t + 2.5
        let d = SDDLineShape.tailFactor(s, inverseSlope: 0.7) * T.exp(s * s * 0.5) + T.erfcx(t - x * 0.1)
        return a * b + c * (4.0 - x) + d - z / (x + 5.0)
    }

    static let points: [SIMD3<Double>] = [SIMD3(0.3, -0.7, 1.1), SIMD3(-1.2, 0.4, 0.2), SIMD3(0.5, 2.9, 0.1), SIMD3(1.0, 3.5, 0.4)]

    func fd(_ p: SIMD3<Double>) -> (g: [Double], h: [Double]) {
        let e = 1e-4
        func v(_ q: SIMD3<Double>) -> Double { Self.f(q[0], q[1], q[2]) }
        var g = [Double](repeating: 0, count: 3), h = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            var a = p, b = p
            a[i] += e; b[i] -= e
            g[i] = (v(a) - v(b)) / (2 * e)
            for j in 0..<3 {
                var pp = p, pm = p, mp = p, mm = p
                pp[i] += e; pp[j] += e; pm[i] += e; pm[j] -= e; mp[i] -= e; mp[j] += e; mm[i] -= e; mm[j] -= e
                h[3 * i + j] = (v(pp) - v(pm) - v(mp) + v(mm)) / (4 * e * e)
            }
        }
        return (g, h)
    }

    func testDual3GradientMatchesFiniteDifferences() {
        for p in Self.points {
            let r = Self.f(Dual3.variable(p[0], index: 0), Dual3.variable(p[1], index: 1), Dual3.variable(p[2], index: 2))
            XCTAssertEqual(r.value, Self.f(p[0], p[1], p[2]), accuracy: 1e-14)
            let (g, _) = fd(p)
            for i in 0..<3 { XCTAssertEqual(r.gradient[i], g[i], accuracy: 1e-7 * max(1, abs(g[i])), "∂\(i) at \(p)") }
            XCTAssertEqual(r.gradient[3], 0)
        }
    }

    func testJet3GradientAndHessianMatchFiniteDifferences() {
        for p in Self.points {
            let r = Self.f(Jet3.variable(p[0], index: 0), Jet3.variable(p[1], index: 1), Jet3.variable(p[2], index: 2))
            let (g, h) = fd(p)
            for i in 0..<3 { XCTAssertEqual(r.gradient[i], g[i], accuracy: 1e-7 * max(1, abs(g[i]))) }
            for i in 0..<9 { XCTAssertEqual(r.hessian[i], h[i], accuracy: 2e-5 * max(1, abs(h[i])), "H[\(i)] at \(p)") }
            XCTAssertEqual(r.hessianPacked[6], 0)
            XCTAssertEqual(r.hessianPacked[7], 0)
        }
    }
}
