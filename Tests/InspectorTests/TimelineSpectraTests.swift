import XCTest
import SDDCore
@testable import Inspector

/// The inspector's energy sums evaluate the calibration at each event's time, through the same path
/// as `sddcal fit` (so version-2 timelines and version-1 batches give what the CLI gives).
final class TimelineSpectraTests: XCTestCase {
    func testInspectorSumsEqualTheCommandLineSpectraForBothVersions() throws {
        let events = Fixtures.events(cells: 3, perBatch: 1500)
        let d = Dataset(name: "t", events: events, profile: .vip2, batch: .duration(2 * Fixtures.day))
        let v1 = Fixtures.calibration(cells: 3)
        var v2 = v1
        for ci in v2.cells.indices {
            // A timeline through the batches' constants at their mid-times: a different calibration per event.
            let bs = v2.cells[ci].batches
            v2.cells[ci].timeline = try CalibrationTimeline(knots: bs.map { ($0.start + $0.end) / 2 },
                                                            p0: bs.map(\.calibration.p0), p1: bs.map(\.calibration.p1),
                                                            p2: bs.map(\.calibration.p2))
        }
        let batched = BatchedEvents(events, spec: .duration(2 * Fixtures.day))
        let range = BeforeAfterState.range
        for set in [v1, v2] {
            let inspector = try XCTUnwrap(Analysis.energyHistogram(d, cells: [0, 1, 2], calibration: set, range: range, binWidth: 10))
            let cli = SpectrumBuilder.energySpectrum(batched, calibration: set, range: range, binWidth: 10).histogram
            XCTAssertEqual(inspector.counts, cli.counts)
            XCTAssertGreaterThan(inspector.total, 100)
        }
        let a = Analysis.energyHistogram(d, cells: [0, 1, 2], calibration: v1, range: range, binWidth: 10)!
        let b = Analysis.energyHistogram(d, cells: [0, 1, 2], calibration: v2, range: range, binWidth: 10)!
        XCTAssertNotEqual(a.counts, b.counts)
        // A batch's single calibration (views, energy axis) is the timeline at the batch's mid-time.
        let cell = d.cells[0]
        let mid = (cell.batches[1].start + cell.batches[1].end) / 2
        XCTAssertEqual(Dataset.calibration(v2, cell: cell, batch: 1), v2.cells[0].timeline!.calibration(at: mid))
    }
}

extension TimelineSpectraTests {
    /// Refitting one batch of a timeline cell in the seeds view takes effect: the cell falls back to
    /// batch constants (the timeline averaged over its other batches) with the refit batch replaced.
    func testSeedRefitOfATimelineCellTakesEffect() throws {
        var set = Fixtures.calibration(cells: 2)
        let bs = set.cells[0].batches
        set.cells[0].timeline = try CalibrationTimeline(knots: [bs.first!.start, bs.last!.end], p0: [-1800, -1790],
                                                        p1: [3, 3.1], p2: [0, 0])
        let refit = CentroidCalibrationFit(calibration: .init(p0: -1700, p1: 2.9), residuals: [:], chi2: 0, ndf: 0)
        let out = try XCTUnwrap(applyingSeedRefit(refit, lineFits: [:], seeds: [:], to: set, cell: set.cells[0].cell,
                                                  batchIndex: bs[1].index, profile: .vip2))
        XCTAssertNil(out.cells[0].timeline)
        let mid1 = (bs[1].start + bs[1].end) / 2, mid0 = (bs[0].start + bs[0].end) / 2
        XCTAssertEqual(out.calibration(cell: set.cells[0].cell, time: mid1)!.p0, -1700)
        XCTAssertEqual(out.calibration(cell: set.cells[0].cell, time: mid0)!.p0, set.calibration(cell: set.cells[0].cell, time: mid0)!.p0, accuracy: 1e-9)
        XCTAssertEqual(out.cells[1], set.cells[1])
    }
}
