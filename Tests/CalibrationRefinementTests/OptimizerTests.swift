import XCTest
import Foundation
import SDDCore
@testable import CalibrationRefinement

final class OptimizerTests: XCTestCase {
    let truthQ = SyntheticProblem.coordinates.scaled(SyntheticProblem.truth)

    func testAllMethodsReachTheSameMinimumAndNewtonIsFast() {
        let loss = SyntheticProblem.loss(.windowDensity, line: 600, background: 400, seed: 11)
        let start = truthQ + SIMD3(2, -1.5, 1)
        var results: [OptimizerMethod: OptimizationOutcome] = [:]
        for m in OptimizerMethod.allCases {
            results[m] = Optimizer(.defaults(for: m)).minimize(loss, from: start)
            XCTAssertTrue(results[m]!.reason.converged || m == .adam, "\(m): \(results[m]!.reason)")
            XCTAssertLessThan(results[m]!.loss, results[m]!.initialLoss)
        }
        let newton = results[.newton]!
        XCTAssertLessThanOrEqual(newton.iterations, 10)
        let cov = newton.covariance!
        for m in [OptimizerMethod.gradientDescent, .adam] {
            for i in 0..<3 {
                // Same optimum within a small fraction of the statistical error.
                XCTAssertEqual(results[m]!.x[i], newton.x[i], accuracy: 0.02 * cov[4 * i].squareRoot(), "\(m) q\(i)")
            }
        }
    }

    /// The default loss is unbiased with honest errors: pulls of the Cu Kα energy scale over seeds.
    func testDefaultLossRecoversTheTruthWithCorrectErrors() {
        var pulls: [Double] = []
        for seed in 1...24 {
            let loss = SyntheticProblem.loss(.windowDensity, line: 300, background: 300, seed: UInt64(100 + seed), noisyAnchors: true)
            let r = Optimizer().minimize(loss, from: truthQ + SIMD3(8, 4, -3))
            XCTAssertTrue(r.reason.converged)
            // q0 is E at the Cu channel: compare with the truth, in units of its error.
            pulls.append((r.x[0] - truthQ[0]) / r.covariance![0].squareRoot())
        }
        let mean = pulls.reduce(0, +) / Double(pulls.count)
        let sd = (pulls.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(pulls.count - 1)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.6)   // 3σ for 24 pulls is ≈ 0.6
        XCTAssertEqual(sd, 1, accuracy: 0.45)
    }

    /// Optimizing eq. 3 as printed collapses the energy scale (the paper's form is ill-posed).
    func testOptimizingThePaperLossCollapsesTheLine() {
        let loss = SyntheticProblem.loss(.paperEq3, line: 600, background: 400, seed: 5)
        var s = OptimizerSettings.defaults(for: .adam)
        s.maxIterations = 3000
        let r = Optimizer(s).minimize(loss, from: truthQ)
        XCTAssertLessThan(r.loss, r.initialLoss - 100)
        // The spread of energies across the window (≈ q1 for t ∈ ±0.4) shrank by far more than any real gain error.
        XCTAssertLessThan(abs(r.x[1]), 0.3 * truthQ[1], "gain collapsed: q1 \(r.x[1]) vs true \(truthQ[1])")
    }

    func testObserverSeesStartIterationsAndFinalAndCancellationStops() {
        let loss = SyntheticProblem.loss(.windowDensity, line: 300, background: 300, seed: 2)
        let rec = TraceRecorder()
        var s = OptimizerSettings.defaults(for: .gradientDescent)
        s.learningRate = 0.1
        let r = Optimizer(s).minimize(loss, from: truthQ + SIMD3(5, 5, 5), observer: rec)
        let rows = rec.rows
        XCTAssertEqual(rows.first?.event, "start")
        XCTAssertEqual(rows.last?.event, "final")
        XCTAssertEqual(rows.filter { $0.event == "iter" }.count, r.iterations)
        XCTAssertEqual(rows.last!.logLikelihood, -r.loss, accuracy: 1e-9)
        // Log-likelihood never decreases for small-step gradient descent.
        let ll = rows.map(\.logLikelihood)
        for i in 1..<ll.count { XCTAssertGreaterThanOrEqual(ll[i], ll[i - 1] - 1e-9) }
        XCTAssertTrue(rec.csv().hasPrefix("cell,batch,iteration,event,log_likelihood"))
        // The CSV reads back to the same rows (the report's --trace), and bad lines are named.
        let path = NSTemporaryDirectory() + "trace-\(getpid()).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try! rec.csv().write(toFile: path, atomically: true, encoding: .utf8)
        let back = try! TraceRecorder.load(csv: path)
        XCTAssertEqual(back.rows.count, rows.count)
        XCTAssertEqual(back.totalLogLikelihoodCurve, rec.totalLogLikelihoodCurve)
        try! (rec.csv() + "0,0,x,iter,1,2,3,4,5,\n").write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TraceRecorder.load(csv: path)) { e in
            XCTAssertEqual((e as? SDDError).map { "\($0)" }, "\(path):\(rows.count + 2): expected cell,batch,iteration,event,log_likelihood,p0,p1,p2,gradient_norm")
        }

        let flag = CancellationFlag()
        flag.cancel()
        let c = Optimizer(s).minimize(loss, from: truthQ + SIMD3(5, 5, 5), cancel: flag)
        XCTAssertEqual(c.reason, .cancelled)
        XCTAssertEqual(c.iterations, 0)
    }
}
