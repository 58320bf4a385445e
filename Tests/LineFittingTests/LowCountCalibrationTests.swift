import XCTest
import SDDCore
@testable import LineFitting

/// The standard calibration at a tenth of the simulator's rate (`sddcal faults --rate 1000`): 48 h
/// batches of ~1,000 Mn Kα and ~600 Ti Kα counts on a continuum of ~0.05 counts per bin.
final class LowCountCalibrationTests: XCTestCase {
    /// 16 cells × 30 days at 1,000 events per cell and day, without the simulator's small gain steps.
    static let run: (events: EventTable, truth: SimulationTruth) = {
        var c = SimulationConfig.vip2(cells: 16, days: 30, seed: 1)
        c.steps = 0
        c.eventsPerCellPerDay = 1000
        return try! VIP2Simulator(config: c).run()
    }()

    /// Every Ti and Mn group fit converges and its Kα is a calibration point. Before the fallback to a
    /// simpler continuum, 7 of these 240 batches lost their Ti or Mn group (the fit stopped at its
    /// iteration limit against the background's positivity edge or zig-zagging in the escape peaks'
    /// areas), and the batch was then calibrated on the other element alone, 20–60 eV off at the
    /// missing one.
    func testEveryTiAndMnGroupConvergesAtLowCounts() {
        let (ev, truth) = Self.run
        let batched = BatchedEvents(ev, spec: .duration(172_800))
        let runs = StandardCalibrator().calibrateDetailed(batched)
        let set = truth.calibrationSet(for: batched, source: "")
        var worstPull = 0.0
        for b in runs {
            for id in ["TiKa", "MnKa"] {
                let o = b.lineFits[id]
                XCTAssertEqual(o?.result.status, .converged, "cell \(b.cell) batch \(b.index) \(id): \(b.status)")
                XCTAssertNil(b.rejected[id], "cell \(b.cell) batch \(b.index) \(id): \(b.status)")
            }
            // The calibration at both lines agrees with the batch-averaged truth within its error.
            guard let cal = b.calibration, let t = set.batches(ofCell: b.cell)?.first(where: { $0.index == b.index })?.calibration else {
                XCTFail("cell \(b.cell) batch \(b.index) not calibrated: \(b.status)"); continue
            }
            for e in ["TiKa", "MnKa"].map({ SpectralLine(id: $0)!.energy }) {
                let x = t.adc(forEnergy: e)!
                let pull = abs(cal.energy(x) - e) / (cal.energyError(x)! + 1)
                worstPull = max(worstPull, pull)
                XCTAssertLessThan(pull, 5, "cell \(b.cell) batch \(b.index) at \(e) eV: \(cal.energy(x) - e) eV")
            }
        }
        print("worst pull at Ti/Mn Kα over \(runs.count) batches: \(worstPull)")
    }

    /// Batches whose Ti or Mn group still stopped at the iteration limit after the simpler continua
    /// (seed 7 cell 13 batch 1: Ti; seed 6 cell 20 batch 8: Mn): the best background is negative at
    /// one edge of the window, where the fit kept running into μ ≤ 0. With the straight continuum
    /// measured from that edge the group converges, and the batch's calibration agrees with the truth.
    func testAGroupAgainstTheBackgroundsEdgeConverges() {
        for (seed, cell, batch) in [(UInt64(7), 13, 1), (6, 20, 8)] {
            var c = SimulationConfig.vip2(cells: cell + 1, days: 30, seed: seed)
            c.steps = 0
            c.eventsPerCellPerDay = 1000
            let (ev, truth) = try! VIP2Simulator(config: c).run()
            let batched = BatchedEvents(ev, spec: .duration(172_800))
            let bt = batched.batches(ofCell: cell).first { $0.index == batch }!
            let b = StandardCalibrator().calibrateBatch(adc: batched.adc(of: bt), cell: cell, index: batch, start: bt.start, end: bt.end)
            let t = truth.calibrationSet(for: batched, source: "").batches(ofCell: cell)!.first { $0.index == batch }!.calibration
            for id in ["TiKa", "TiKb", "MnKa", "MnKb"] {
                XCTAssertEqual(b.lineFits[id]?.result.status, .converged, "seed \(seed) \(id): \(b.status)")
                XCTAssertNil(b.rejected[id], "seed \(seed) \(id): \(b.status)")
            }
            guard let cal = b.calibration else { XCTFail("seed \(seed): \(b.status)"); continue }
            for e in ["TiKa", "MnKa"].map({ SpectralLine(id: $0)!.energy }) {
                let x = t.adc(forEnergy: e)!
                XCTAssertLessThan(abs(cal.energy(x) - e) / (cal.energyError(x)! + 1), 4, "seed \(seed) at \(e) eV: \(cal.energy(x) - e) eV")
            }
        }
    }
}
