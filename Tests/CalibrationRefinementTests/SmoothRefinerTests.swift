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

    /// An hourly gain walk of 1 %/√day at 2,000 events per cell and day (the hidden generator's kind
    /// of drift): the counts-per-knot spacing (~4 h) cannot follow it; the spacing chosen from the
    /// estimated walk and the data's information (~20 min) follows it better: the hourly Cu Kα error
    /// against the truth about each cell's mean (seeds 11, 12: 10.1 → 8.4 and 9.7 → 7.9 eV) falls.
    func testKnotSpacingFromTheEstimatedWalkFollowsAnHourlyWalk() throws {
        for seed: UInt64 in [11, 12] {
            let m = SmoothFixtures.month(cells: 2, days: 4, seed: seed, rate: 2000, gainWalk: 0.01, startError: 3, walkStep: 3600)
            var coarse = SmoothRefinementSettings()
            coarse.adaptKnotSpacing = false
            let fixed = try SmoothCalibrationRefiner(coarse).refine(events: m.events, initial: m.start)
            let adapted = try SmoothCalibrationRefiner().refine(events: m.events, initial: m.start)
            XCTAssertTrue(adapted.cells.allSatisfy { $0.status.isOptimized }, "\(adapted.cells.map(\.status))")
            let hf = fixed.cells.map(\.knotSpacingHours), ha = adapted.cells.map(\.knotSpacingHours)
            XCTAssertTrue(hf.allSatisfy { $0 > 2 }, "counts-per-knot spacing \(hf) h")
            XCTAssertTrue(ha.allSatisfy { $0 > 0.1 && $0 < 1 }, "adapted spacing \(ha) h")
            // The error's movement in time (each cell's mean removed: with two cells the curvature is not
            // pooled, and ~100 Cu Kα events leave each cell's constant Cu Kα error at several eV).
            let times = stride(from: 1800.0, to: 4 * 86400, by: 3600).map { $0 }
            func tracking(_ r: SmoothRefinementResult) -> Double {
                let e = SmoothFixtures.cuErrors({ r.calibration.calibration(cell: $0, time: $1) }, truth: m.truth, times: times)
                return SmoothFixtures.rms(stride(from: 0, to: e.count, by: times.count).flatMap { i -> [Double] in
                    let c = e[i..<(i + times.count)]
                    let mean = c.reduce(0, +) / Double(c.count)
                    return c.map { $0 - mean }
                })
            }
            let ef = tracking(fixed), ea = tracking(adapted)
            print("seed \(seed): spacing \(hf) → \(ha) h, hourly Cu Kα error rms about each cell's mean \(ef) → \(ea) eV")
            XCTAssertLessThan(ea, 0.9 * ef, "seed \(seed): hourly Cu Kα error rms \(ea) eV adapted, \(ef) eV on the coarse grid")
            XCTAssertLessThan(ea, 9.5, "seed \(seed): hourly Cu Kα error rms \(ea) eV")
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
