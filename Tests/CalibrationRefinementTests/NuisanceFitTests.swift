import XCTest
import SDDCore
@testable import CalibrationRefinement

/// The nuisance fit at fixed q works on per-channel terms (``BatchLoss/windowTerms(_:)``): those
/// terms rebuild the generic loss exactly, and the fit reaches the optimum of the generic loss in
/// (η, s) — the gradient there, from ``Jet3`` on the generic code, is zero.
final class NuisanceFitTests: XCTestCase {
    func testWindowTermsRebuildTheLossAndTheFitIsItsOptimum() {
        for seed: UInt64 in [3, 4, 5] {
            var loss = SyntheticProblem.loss(.windowDensity, line: 600, background: 300, seed: seed)
            let q = SyntheticProblem.coordinates.scaled(SyntheticProblem.truth) + SIMD3(2, -3, 1)
            let terms = loss.windowTerms(q)!
            for (eta, s) in [(0.3, 0.2), (0.7, -0.4)] {
                loss.signalFraction = eta
                loss.backgroundSlope = s
                var sum = 0.0
                for k in terms.line.indices {
                    sum += loss.counts.counts[k] * log(eta * terms.line[k] + (1 - eta) * terms.backgroundScale * (1 + s * terms.position[k]))
                }
                let generic = loss.value(q) - loss.anchorPenalty(q[0], q[1], q[2])
                XCTAssertEqual(-sum, generic, accuracy: 1e-10 * abs(generic))
            }
            let (eta, s) = CalibrationRefiner.fitNuisance(loss, at: q)
            XCTAssertTrue(eta > 0.3 && eta < 0.9, "η \(eta)")
            let jet = loss.densityLoss(Jet3(q[0]), Jet3(q[1]), Jet3(q[2]), eta: Jet3.variable(eta, index: 0),
                                       slope: Jet3.variable(s, index: 1))
            let scale = loss.counts.total
            XCTAssertEqual(jet.gradient[0] / scale, 0, accuracy: 1e-5, "seed \(seed)")
            XCTAssertEqual(jet.gradient[1] / scale, 0, accuracy: 1e-5, "seed \(seed)")
        }
    }

    func testNoTermsWhereTheCalibrationDecreases() {
        let loss = SyntheticProblem.loss(.windowDensity, line: 100, background: 50, seed: 1)
        XCTAssertNil(loss.windowTerms(SIMD3(8000, -50, 0)))
        XCTAssertTrue(CalibrationRefiner.fitNuisance(loss, at: SIMD3(8000, -50, 0)) == (0.5, 0))
    }
}
