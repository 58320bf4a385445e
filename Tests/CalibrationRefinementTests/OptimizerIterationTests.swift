import XCTest
import SDDCore
@testable import CalibrationRefinement

/// Iteration counts and stopping rules of the optimizer's executor on problems with known answers.
final class OptimizerIterationTests: XCTestCase {
    /// f(x) = ½(x − c)ᵀA(x − c): exact derivatives, minimum at c, whitened gradient norm √(2f).
    struct Quadratic: ThreeParameterObjective {
        let a: [Double]   // symmetric positive definite, row-major
        let c: SIMD3<Double>

        func gradient(_ x: SIMD3<Double>) -> SIMD3<Double> {
            let d = x - c
            return SIMD3((0..<3).map { i in a[3 * i] * d[0] + a[3 * i + 1] * d[1] + a[3 * i + 2] * d[2] })
        }
        func value(_ x: SIMD3<Double>) -> Double { 0.5 * ((x - c) * gradient(x)).sum() }
        func valueAndGradient(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>) { (value(x), gradient(x)) }
        func valueGradientHessian(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>, hessian: [Double]) {
            (value(x), gradient(x), a)
        }
    }

    let quadratic = Quadratic(a: [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2], c: SIMD3(1, -2, 3))

    /// A start point whose whitened distance from the minimum is `sigma` (f = σ²/2).
    func start(at sigma: Double) -> SIMD3<Double> {
        let d = SIMD3<Double>(0.3, -0.2, 0.4)
        let f = quadratic.value(quadratic.c + d)
        return quadratic.c + d * (sigma / (2 * f).squareRoot())
    }

    func testEveryMethodStartingAtTheMinimumTakesNoStep() {
        for m in OptimizerMethod.allCases {
            let rec = TraceRecorder()
            let r = Optimizer(.defaults(for: m)).minimize(quadratic, from: quadratic.c, observer: rec)
            XCTAssertEqual(r.iterations, 0, "\(m)")
            XCTAssertEqual(r.reason, .gradient, "\(m)")
            XCTAssertEqual(r.lossHistory, [0], "\(m)")
            XCTAssertEqual(rec.rows.map(\.event), ["start", "final"], "\(m)")
        }
    }

    /// On a real likelihood, a run from the optimum that another run found stops at once.
    func testRestartFromAnOptimumTakesAtMostOneStep() {
        let loss = SyntheticProblem.loss(.windowDensity, line: 600, background: 400, seed: 11)
        let truthQ = SyntheticProblem.coordinates.scaled(SyntheticProblem.truth)
        let optimum = Optimizer().minimize(loss, from: truthQ + SIMD3(2, -1.5, 1)).x
        for m in OptimizerMethod.allCases {
            let r = Optimizer(.defaults(for: m)).minimize(loss, from: optimum)
            XCTAssertLessThanOrEqual(r.iterations, 1, "\(m): \(r.reason)")
            XCTAssertTrue(r.reason.converged, "\(m): \(r.reason)")
        }
    }

    /// Newton is exact on a quadratic: one step from anywhere.
    func testNewtonSolvesAQuadraticInOneStep() {
        let r = Optimizer(.defaults(for: .newton)).minimize(quadratic, from: start(at: 5))
        XCTAssertEqual(r.iterations, 1)
        XCTAssertEqual(r.reason, .gradient)
        for i in 0..<3 { XCTAssertEqual(r.x[i], quadratic.c[i], accuracy: 1e-12) }
        XCTAssertEqual(r.lossHistory.count, 2)
        XCTAssertEqual(r.lossHistory[0], 12.5, accuracy: 1e-9)
    }

    /// Gradient descent with rate ½ in whitened coordinates halves the gradient each step: from a
    /// gradient norm of 1 it needs 14 steps to go below 10⁻⁴ (2⁻¹³ > 10⁻⁴ > 2⁻¹⁴); the observer sees
    /// every one.
    func testGradientDescentCountsItsSteps() {
        let rec = TraceRecorder()
        let r = Optimizer(.defaults(for: .gradientDescent)).minimize(quadratic, from: start(at: 1), observer: rec)
        XCTAssertEqual(r.reason, .gradient)
        XCTAssertEqual(r.iterations, 14)
        XCTAssertEqual(r.lossHistory.count, 15)
        for (k, v) in r.lossHistory.enumerated() { XCTAssertEqual(v, 0.5 * pow(0.25, Double(k)), accuracy: 1e-12) }
        XCTAssertEqual(rec.rows.filter { $0.event == "iter" }.count, 14)
        XCTAssertEqual(rec.rows.map(\.iteration).last, 14)
    }

    /// The iteration limit stops a run that has not converged, after exactly that many steps.
    func testIterationLimit() {
        var s = OptimizerSettings.defaults(for: .gradientDescent)
        s.maxIterations = 5
        let r = Optimizer(s).minimize(quadratic, from: start(at: 1))
        XCTAssertEqual(r.reason, .maxIterations)
        XCTAssertEqual(r.iterations, 5)
        s.maxIterations = 0
        XCTAssertEqual(Optimizer(s).minimize(quadratic, from: start(at: 1)).iterations, 0)
    }

    /// A start where the loss is not finite stops with `failed` and no step.
    func testNonFiniteStartFails() {
        struct Broken: ThreeParameterObjective {
            func value(_ x: SIMD3<Double>) -> Double { .nan }
            func valueAndGradient(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>) { (.nan, .zero) }
            func valueGradientHessian(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>, hessian: [Double]) {
                (.nan, .zero, [1, 0, 0, 0, 1, 0, 0, 0, 1])
            }
        }
        let r = Optimizer().minimize(Broken(), from: .zero)
        XCTAssertEqual(r.reason, .failed)
        XCTAssertEqual(r.iterations, 0)
    }
}
