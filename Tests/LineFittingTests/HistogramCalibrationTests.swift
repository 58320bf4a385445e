import XCTest
import SDDCore
@testable import LineFitting

/// Histogram input: every spectrum a cell with one batch, calibrated as a histogram (O(channels)),
/// cells in parallel; at SIDDHARTA-2's 384 cells.
final class HistogramCalibrationTests: XCTestCase {
    /// 384 simulated cells of one day (~10⁴ events each) as ADC histograms: every cell calibrated,
    /// the energy at Cu Kα consistent with the truth (pulls), and the result identical to calibrating
    /// the same cells from their events (the histogram is the events' histogram, so the fits are too).
    func testCalibrates384HistogramsLikeTheirEvents() throws {
        var c = SimulationConfig.vip2(cells: 384, days: 1, seed: 21)
        c.gainWalk = 0; c.offsetWalk = 0; c.steps = 0
        let (events, truth) = try VIP2Simulator(config: c).run()
        let batched = BatchedEvents(events, spec: .all)
        let histograms = batched.batches.map { b in
            (cell: b.cell, histogram: Histogram.adc(batched.adc(of: b), firstChannel: 0, bins: 8192))
        }
        XCTAssertEqual(histograms.count, 384)
        let calibrator = StandardCalibrator()
        let fromHistograms = calibrator.calibrateHistograms(histograms)
        XCTAssertEqual(fromHistograms.map(\.cell), histograms.map(\.cell), "results in input order")
        var pulls: [Double] = []
        for b in fromHistograms {
            XCTAssertTrue(b.status.isUsable, "cell \(b.cell): \(b.status)")
            guard let cal = b.calibration, let t = truth.calibration(cell: b.cell, time: 43200) else { XCTFail("cell \(b.cell)"); continue }
            let x = t.adc(forEnergy: 8040)!
            pulls.append((cal.energy(x) - t.energy(x)) / cal.energyError(x)!)
        }
        // Pulls of the energy at Cu Kα against the truth over 384 cells: no cell beyond 5σ, at most
        // 2 % beyond 3σ (0.3 % expected), mean within 0.2, rms within 0.7–1.4.
        let mean = pulls.reduce(0, +) / Double(pulls.count)
        let rms = (pulls.map { $0 * $0 }.reduce(0, +) / Double(pulls.count)).squareRoot()
        XCTAssertEqual(pulls.count, 384)
        XCTAssertLessThan(pulls.map(abs).max()!, 5)
        XCTAssertLessThanOrEqual(pulls.filter { abs($0) > 3 }.count, 8)
        XCTAssertEqual(mean, 0, accuracy: 0.2)
        XCTAssertTrue((0.7...1.4).contains(rms), "rms pull \(rms)")
        // The event path on a few cells: the same windowed histogram, so the same fit to the last bit.
        let few = BatchedEvents(events, spec: .all).batches.prefix(6)
        for bt in few {
            let e = calibrator.calibrateBatch(adc: batched.adc(of: bt), cell: bt.cell, index: 0, start: bt.start, end: bt.end)
            let h = fromHistograms.first { $0.cell == bt.cell }!
            XCTAssertEqual(e.histogram, h.histogram)
            XCTAssertEqual(e.calibration?.p0, h.calibration?.p0)
            XCTAssertEqual(e.calibration?.p1, h.calibration?.p1)
        }
    }

    /// A histogram in other bins than whole channels is shared onto channels by overlap: a spectrum
    /// rebinned by 2 ADC calibrates to the same energies within the errors.
    func testRebinnedHistogramIsSharedOntoChannels() throws {
        let (ev, _) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .all)
        let bt = batched.batches[0]
        let h = Histogram.adc(batched.adc(of: bt), firstChannel: 0, bins: 8192)
        let cal = StandardCalibrator()
        let whole = cal.calibrateBatch(histogram: h, cell: bt.cell)
        let coarse = cal.calibrateBatch(histogram: h.rebinned(by: 2), cell: bt.cell)
        XCTAssertEqual(whole.events, Int(h.total))
        guard let a = whole.calibration, let b = coarse.calibration else { return XCTFail("\(whole.status) / \(coarse.status)") }
        let x = a.adc(forEnergy: 8040)!
        XCTAssertEqual(b.energy(x), a.energy(x), accuracy: 2 * a.energyError(x)! + 1)
    }
}
