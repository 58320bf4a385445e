import XCTest
import SDDCore
@testable import LineFitting

/// The quality rule on line residuals (``CalibrationQuality``) against a real standard calibration at a
/// tenth of the simulator's rate (`sddcal faults --rate 1000`), where a cell's month gives ~70
/// residuals of Kβ lines with 60–150 counts each, known to ±6–10 eV.
final class ResidualJudgementTests: XCTestCase {
    /// Cell 17 of seed 17 (18 cells × 30 days at 1,000 events per cell and day, no gain steps): a clean
    /// cell whose Ti Kβ in batch 8 sits 26 eV off its mark at 3.4σ of its centroid's error, the largest
    /// of its residuals. Judged alone at 3σ it was flagged (`sddcal faults --seeds 20 --rate 1000`:
    /// 16 of 420 clean cells flagged so, one residual of 22–30 eV at 3.0–3.4σ); judged with the cell's
    /// other residuals it is not. The same cell with one residual at 5σ is.
    func testACleanCellsLargestResidualIsJudgedWithItsOthers() {
        var c = SimulationConfig.vip2(cells: 18, days: 30, seed: 17)
        c.steps = 0
        c.eventsPerCellPerDay = 1000
        let (events, _) = try! VIP2Simulator(config: c).run()
        let batched = BatchedEvents(events, spec: .duration(172_800))
        let calibrator = StandardCalibrator()
        let runs = calibrator.mendingDiscontinuities(ofCell: batched.batches(ofCell: 17).map { bt in
            calibrator.calibrateBatch(adc: batched.adc(of: bt), cell: bt.cell, index: bt.index, start: bt.start, end: bt.end)
        }, tolerance: calibrator.options.continuityTolerance!)
        let set = StandardCalibrator.assemble(runs, profile: .vip2, batch: "48h", method: "standard", source: "")
        guard var batches = set.batches(ofCell: 17) else { return XCTFail("cell 17 not calibrated") }
        XCTAssertEqual(batches.count, 15)

        // Pulls of the residuals against their centroids' energy errors.
        var pulls: [(batch: Int, line: Int, pull: Double, eV: Double)] = []
        for (i, b) in batches.enumerated() {
            for (k, l) in b.lines.enumerated() {
                guard let r = l.residual, l.centroidError > 0 else { continue }
                pulls.append((i, k, abs(r) / (abs(b.calibration.slope(l.centroidADC)) * l.centroidError), abs(r)))
            }
        }
        let q = CalibrationQuality()
        let threshold = q.residualMinimumPull(judged: pulls.count)
        XCTAssertGreaterThanOrEqual(pulls.count, 60)
        XCTAssertGreaterThan(threshold, 4)
        let worst = pulls.max { $0.pull < $1.pull }!
        XCTAssertEqual(batches[worst.batch].lines[worst.line].line, "TiKb")
        // One by one this residual would be a finding: over 10 eV and beyond 3σ …
        XCTAssertGreaterThan(worst.eV, 20)
        XCTAssertGreaterThan(worst.pull, 3.2)
        XCTAssertLessThan(worst.pull, threshold)
        // … with the others it is not.
        let findings = q.findings(batches: batches, profile: .vip2)
        XCTAssertFalse(findings.contains { if case .residual = $0 { return true } else { return false } }, "\(findings)")

        // A residual 5 times its error in the same cell (a line 5σ off) is a finding.
        let b = batches[worst.batch], k = worst.line
        let err = abs(b.calibration.slope(b.lines[k].centroidADC)) * b.lines[k].centroidError
        batches[worst.batch].lines[k].residual = 5 * err
        let faulted = q.findings(batches: batches, profile: .vip2)
        XCTAssertTrue(faulted.contains { if case .residual(let e, _) = $0 { return abs(e - 5 * err) < 1e-9 } else { return false } }, "\(faulted)")
    }
}
