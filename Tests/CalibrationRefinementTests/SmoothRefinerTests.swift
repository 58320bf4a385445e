import XCTest
@testable import CalibrationRefinement
import SDDCore

/// The smooth refinement on simulated data with known truth (small sets: seconds each).
final class SmoothRefinerTests: XCTestCase {
    /// Daily-mean Cu Kα energy error of a calibration against the truth, hourly samples.
    func dailyErrors(_ cal: (Int, Double) -> EnergyCalibration?, _ m: SmoothFixtures.Month, days: Int) -> [Double] {
        (0..<days).flatMap { d -> [Double] in
            let times = (0..<24).map { Double(d) * 86400 + (Double($0) + 0.5) * 3600 }
            let e0 = m.truth.lineEnergies["CuKa"]!
            return m.truth.cells.map { tc in
                let e = times.map { t in cal(tc.cell, t)!.energy(tc.calibration(at: t).adc(forEnergy: e0)!) - e0 }
                return e.reduce(0, +) / Double(e.count)
            }
        }
    }

    /// A strong gain walk (1 %/√day) at a low rate, started from per-batch calibrations 5× worse than a
    /// standard fit's typical error: the smooth fit follows the truth at Cu Kα to a few eV per day.
    func testCuKaEnergyFollowsTruthUnderStrongGainWalk() throws {
        for seed: UInt64 in [3, 4] {
            let m = SmoothFixtures.month(cells: 2, days: 5, seed: seed, rate: 3000, gainWalk: 0.01, startError: 5)
            let r = try SmoothCalibrationRefiner().refine(events: m.events, initial: m.start)
            XCTAssertTrue(r.cells.allSatisfy { $0.status.isOptimized }, "\(r.cells.map(\.status))")
            let before = dailyErrors({ m.start.calibration(cell: $0, time: $1) }, m, days: 5)
            let after = dailyErrors({ r.calibration.calibration(cell: $0, time: $1) }, m, days: 5)
            let rb = SmoothFixtures.rms(before), ra = SmoothFixtures.rms(after)
            XCTAssertLessThan(ra, 10, "seed \(seed): per-day Cu Kα error rms \(ra) eV (start \(rb))")
            XCTAssertLessThan(ra, rb / 3, "seed \(seed)")
            // The posterior error at Cu Kα is a few eV, consistent with the scatter.
            let c = r.calibration.cells[0], t = 2.5 * 86400
            let x = m.truth.cells[0].calibration(at: t).adc(forEnergy: m.truth.lineEnergies["CuKa"]!)!
            let err = try XCTUnwrap(c.energyError(x, at: t))
            XCTAssertGreaterThan(err, 0.5)
            XCTAssertLessThan(err, 15)
        }
    }

    /// The marginal-likelihood estimate of the gain walk has the simulated walk's order of magnitude.
    func testPriorStrengthRecoversTheSimulatedGainWalk() throws {
        for (walk, seed) in [(0.01, UInt64(5)), (0.003, UInt64(6))] {
            let m = SmoothFixtures.month(cells: 2, days: 6, seed: seed, rate: 6000, gainWalk: walk, startError: 1)
            let r = try SmoothCalibrationRefiner().refine(events: m.events, initial: m.start)
            let s = r.calibration.prior.gainStrength
            XCTAssertGreaterThan(s, walk / 4, "walk \(walk): estimated \(s)")
            XCTAssertLessThan(s, walk * 4, "walk \(walk): estimated \(s)")
            XCTAssertNotNil(r.logEvidence)
        }
    }

    /// Version-2 output: the timeline reproduces the smooth calibration at knots and between them.
    func testCalibrationSetCarriesTheTimeline() throws {
        let m = SmoothFixtures.month(cells: 1, days: 2, seed: 8, rate: 4000, startError: 1)
        let r = try SmoothCalibrationRefiner().refine(events: m.events, initial: m.start)
        let set = r.calibration.calibrationSet(like: m.start)
        XCTAssertEqual(set.version, 2)
        let tl = try XCTUnwrap(set.cells[0].timeline)
        let sc = r.calibration.cells[0]
        for t in stride(from: 0.0, through: 2 * 86400, by: 4321) {
            for x in [1900.0, 2600, 3200] {
                XCTAssertEqual(tl.calibration(at: t).energy(x), sc.energy(x, at: t), accuracy: 1e-3)
                if let a = tl.calibration(at: t).energyError(x), let b = sc.energyError(x, at: t) {
                    XCTAssertEqual(a, b, accuracy: 0.02 * b)
                }
            }
        }
        XCTAssertTrue(set.cells[0].batches.allSatisfy { $0.status.isOptimized })
        // The file records what the chain started from (CalibrationRecipe reruns it for held-out figures).
        XCTAssertEqual(set.method, "smooth")
        XCTAssertEqual(set.startMethod, "standard")
    }
}
