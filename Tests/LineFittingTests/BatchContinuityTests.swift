import XCTest
import SDDCore
@testable import LineFitting

/// A batch whose seeds label every line as the next one up (Ti Kα as Ti Kβ, …: what the CNN did in a
/// cell whose gain had drifted ~12 % off the nominal one, issue 11's hourly-walk seed 3) is mended from
/// its neighbours' calibration.
final class BatchContinuityTests: XCTestCase {
    /// Pattern seeds, except in one batch where each line's position carries the next line's label.
    struct MislabellingSeeder: CentroidSeeder {
        var batch: Int
        var name: String { "mislabelling" }
        func seeds(for h: Histogram, profile: LineProfile, cell: Int, batch: Int) -> [String: Double] {
            let s = PatternSeeder().seeds(for: h, profile: profile, cell: cell, batch: batch)
            guard batch == self.batch else { return s }
            let ids = profile.calibrationLineIDs
            var out: [String: Double] = [:]
            for (a, b) in zip(ids, ids.dropFirst()) { if let x = s[a] { out[b] = x } }
            return out
        }
    }

    static let month: (events: EventTable, truth: SimulationTruth) = {
        var c = SimulationConfig.vip2(cells: 1, days: 8, seed: 4)
        c.steps = 0
        return try! VIP2Simulator(config: c).run()
    }()

    /// Cu Kα energy error (eV) of each batch's calibration against the batch-averaged truth.
    func cuErrors(_ set: CalibrationSet, _ batched: BatchedEvents, _ truth: SimulationTruth) -> [Double] {
        let t = truth.calibrationSet(for: batched, source: "")
        return zip(set.batches(ofCell: 0)!, t.batches(ofCell: 0)!).map { b, tb in
            let x = tb.calibration.adc(forEnergy: 8047.8)!
            return b.calibration.energy(x) - 8047.8
        }
    }

    func testMislabelledBatchIsRefittedFromItsNeighbour() throws {
        let (events, truth) = Self.month
        let batched = BatchedEvents(events, spec: .duration(2 * 86400))
        XCTAssertEqual(batched.batches.count, 4)
        var without = StandardCalibrator(seeder: MislabellingSeeder(batch: 2))
        without.options.continuityTolerance = nil
        // The case is real: left alone, batch 2 is calibrated with the wrong lines, hundreds of eV off.
        let bad = cuErrors(without.calibrate(batched), batched, truth)
        XCTAssertGreaterThan(abs(bad[2]), 200, "\(bad)")
        for i in [0, 1, 3] { XCTAssertLessThan(abs(bad[i]), 15, "batch \(i): \(bad)") }

        let mended = StandardCalibrator(seeder: MislabellingSeeder(batch: 2)).calibrate(batched)
        let good = cuErrors(mended, batched, truth)
        for i in 0..<4 { XCTAssertLessThan(abs(good[i]), 15, "batch \(i): \(good)") }
        let b2 = mended.batches(ofCell: 0)![2]
        XCTAssertEqual(b2.status, .ok, "\(b2.status)")
        XCTAssertEqual(b2.lines.count, 5)
    }

    /// Batches that agree are left exactly as they were (no refit replaces them).
    func testConsistentBatchesAreUntouched() {
        let (events, _) = Self.month
        let batched = BatchedEvents(events, spec: .duration(2 * 86400))
        var without = StandardCalibrator()
        without.options.continuityTolerance = nil
        let a = without.calibrate(batched), b = StandardCalibrator().calibrate(batched)
        XCTAssertEqual(a.cells.map { $0.batches.map(\.calibration) }, b.cells.map { $0.batches.map(\.calibration) })
    }

    /// The measure: a 10 % gain change moves the lines by several per cent of their span, a 1 % one by little.
    func testDiscontinuityMeasure() throws {
        let cal = StandardCalibrator()
        let a = EnergyCalibration(p0: -1800, p1: 3.0, p2: 0)
        let small = EnergyCalibration(p0: -1800, p1: 3.03, p2: 0), large = EnergyCalibration(p0: -1800, p1: 3.3, p2: 0)
        XCTAssertEqual(try XCTUnwrap(cal.discontinuity(a, a)), 0)
        XCTAssertLessThan(try XCTUnwrap(cal.discontinuity(small, a)), 0.05)
        XCTAssertGreaterThan(try XCTUnwrap(cal.discontinuity(large, a)), 0.1)
    }
}
