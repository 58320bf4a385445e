import XCTest
import SDDCore
@testable import LineFitting

final class LineComponentTests: XCTestCase {
    /// Value and evaluate agree with the formula written out with libm's exp and erfc (finite over this
    /// range, so no scaled form is needed for the reference).
    func testMatchesTheFormulaWrittenOut() {
        let mu = 8040.0, sigma = 70.0, f = 0.04, beta = 1.3
        for x in stride(from: 7000.0, through: 8600, by: 37) {
            let d = (x - mu) / sigma
            let gauss = exp(-0.5 * d * d) / (sigma * (2 * Double.pi).squareRoot())
            let tail = exp(d / beta + 0.5 / (beta * beta)) * erfc((d + 1 / beta) / 2.0.squareRoot()) / (2 * beta * sigma)
            let b = (1 - f) * gauss + f * tail
            XCTAssertEqual(LineComponent.value(x, mu: mu, sigma: sigma, fraction: f, beta: beta), b, accuracy: 1e-13 * b, "x = \(x)")
            XCTAssertEqual(LineComponent.evaluate(x, mu: mu, sigma: sigma, fraction: f, beta: beta).value, b, accuracy: 1e-13 * b, "x = \(x)")
        }
    }

    /// Unit area over a wide range, for tails of different slopes, including far-side evaluation.
    func testUnitArea() {
        for beta in [0.5, 1.4, 3.0] {
            var s = 0.0
            let h = 0.05  // from −2600 to 400: the β = 3 tail (scale 30) needs the long low side
            for i in 0..<60000 {
                let x = -2600 + (Double(i) + 0.5) * h
                s += LineComponent.value(x, mu: 0, sigma: 10, fraction: 1, beta: beta) * h
            }
            XCTAssertEqual(s, 1, accuracy: 1e-6, "beta \(beta)")
        }
    }

    /// Analytic derivatives against central finite differences, on both sides of the erfc/erfcx switch.
    func testDerivativesAgainstFiniteDifferences() {
        let mu = 100.0, sigma = 8.0, f = 0.05, beta = 1.4
        for x in stride(from: 20.0, through: 222, by: 3.3) {   // u up to 11: both sides of the cut-over at 10
            let v = LineComponent.evaluate(x, mu: mu, sigma: sigma, fraction: f, beta: beta)
            func fd(_ g: (Double) -> Double, _ p: Double) -> Double {
                let h = 1e-5 * Swift.max(1, abs(p))
                return (g(p + h) - g(p - h)) / (2 * h)
            }
            let dMu = fd({ LineComponent.value(x, mu: $0, sigma: sigma, fraction: f, beta: beta) }, mu)
            let dS = fd({ LineComponent.value(x, mu: mu, sigma: $0, fraction: f, beta: beta) }, sigma)
            let dF = fd({ LineComponent.value(x, mu: mu, sigma: sigma, fraction: $0, beta: beta) }, f)
            let dB = fd({ LineComponent.value(x, mu: mu, sigma: sigma, fraction: f, beta: $0) }, beta)
            let tol = 1e-7 * (abs(v.value) / sigma + 1e-12)
            XCTAssertEqual(v.dMu, dMu, accuracy: tol * 10 + 1e-6 * abs(dMu), "x=\(x)")
            XCTAssertEqual(v.dSigma, dS, accuracy: tol * 10 + 1e-6 * abs(dS), "x=\(x)")
            XCTAssertEqual(v.dFraction, dF, accuracy: 1e-9 + 1e-6 * abs(dF), "x=\(x)")
            XCTAssertEqual(v.dBeta, dB, accuracy: 1e-10 + 1e-6 * abs(dB), "x=\(x)")
        }
    }
}
