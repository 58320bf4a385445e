import XCTest
import SDDCore
@testable import LineFitting

/// A small simulated data set shared by the calibration tests (the lead's VIP2Simulator, with truth).
enum SimulatedSample {
    static let small: (events: EventTable, truth: SimulationTruth) = {
        var c = SimulationConfig.vip2(cells: 4, days: 4, seed: 11)
        c.steps = 0
        return try! VIP2Simulator(config: c).run()
    }()
}

final class StandardCalibrationTests: XCTestCase {
    func testPatternSeedsAreNearTruth() {
        let (ev, truth) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        let cal = StandardCalibrator()
        for bt in batched.batches {
            let r = cal.adcRange
            let h = Histogram.adc(batched.adc(of: bt), firstChannel: r.lowerBound, bins: r.count)
            let seeds = PatternSeeder().seeds(for: h, profile: .vip2, cell: bt.cell, batch: bt.index)
            let t = truth.calibration(cell: bt.cell, time: 0.5 * (bt.start + bt.end))!
            for line in LineProfile.vip2.calibrationLines {
                guard let s = seeds[line.id] else { XCTFail("\(line.id) not seeded in cell \(bt.cell) batch \(bt.index)"); continue }
                // The weak Cu line (~130 counts on the continuum) is only placed to within about its σ (~24 ADC).
                XCTAssertEqual(s, t.adc(forEnergy: line.energy)!, accuracy: line.id == "CuKa" ? 25 : 8, "\(line.id) cell \(bt.cell)")
            }
        }
    }

    func testBatchCalibrationRecoversTruth() {
        let (ev, truth) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        let runs = StandardCalibrator().calibrateDetailed(batched)
        XCTAssertEqual(runs.count, batched.batches.count)
        for b in runs {
            XCTAssertEqual(b.status, "ok", "cell \(b.cell) batch \(b.index): \(b.status)")
            guard let cal = b.calibration else { continue }
            let tc = truth.calibrationSet(for: batched, source: "").batches(ofCell: b.cell)![b.index].calibration
            // Energy at Cu Kα from the fitted calibration vs the batch-averaged truth, within 3σ of its error.
            let x = tc.adc(forEnergy: 8040)!
            let err = cal.energyError(x)!
            XCTAssertEqual(cal.energy(x), tc.energy(x), accuracy: 3 * err + 1, "cell \(b.cell) batch \(b.index)")
            XCTAssertEqual(b.points.count, 5)
        }
    }
}
