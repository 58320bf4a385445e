import XCTest
import LineFitting
import SDDCore
@testable import Inspector

/// Key-driven tests: keys → actions (binding table) → update → state, with a synchronous engine
/// running the stand-in services.
final class StateTests: XCTestCase {
    static let data = Fixtures.dataset()

    func session(width: Int = 80, height: Int = 24, calibrated: Bool = true) -> InspectorSession {
        let engine = InspectorEngine(services: Fixtures.services(), synchronous: true, clock: Fixtures.steppingClock())
        let s = InspectorSession(state: InspectorState(width: width, height: height), engine: engine)
        var d = Self.data
        if !calibrated { d.calibration = nil }
        s.dispatch(.datasetLoaded(d))
        s.pump()
        return s
    }

    func testBindingTable() {
        XCTAssertEqual(KeyBindings.action(for: .char("2"), in: .overview).map { "\($0)" }, "show(Inspector.View.spectrum)")
        XCTAssertEqual(KeyBindings.action(for: .ctrlC, in: .seeds).map { "\($0)" }, "quit")
        XCTAssertEqual(KeyBindings.action(for: .left, in: .seeds).map { "\($0)" }, "nudgeSeed(-1.0)")
        XCTAssertEqual(KeyBindings.action(for: .left, in: .spectrum).map { "\($0)" }, "moveCursor(-1)")
        XCTAssertNil(KeyBindings.action(for: .char("Z"), in: .overview))
        // No key is bound twice in one view.
        var seen = Set<String>()
        for b in KeyBindings.table { XCTAssertTrue(seen.insert("\(b.key)|\(String(describing: b.view))").inserted, "\(b.key) twice") }
    }

    func testLoadingComputesCalibrationSummariesAndCentroids() {
        let s = session(calibrated: false)
        XCTAssertNotNil(s.state.dataset?.calibration, "standard calibration requested and applied")
        XCTAssertEqual(s.state.dataset?.cells.count, 32)
        let c5 = s.state.dataset!.cells[5].summary, c9 = s.state.dataset!.cells[9].summary, c0 = s.state.dataset!.cells[0].summary
        XCTAssertEqual(c0.flag, .ok, c0.note)
        XCTAssertEqual(c5.flag, .bad, "missed gain step gives large residuals: \(c5.note)")
        XCTAssertEqual(c9.flag, .bad, c9.note)
        XCTAssertTrue(c9.note.contains("failed"))
        // Hardware-limit FWHM comes from the Mn Kα width of the fixture, made with ENC 13.6 e⁻ → 185 eV at Cu Kα.
        XCTAssertEqual(c0.hardwareFWHM ?? 0, 185, accuracy: 8)
        XCTAssertEqual(c0.cuKaFWHM ?? 0, 185, accuracy: 10)
        XCTAssertEqual(s.state.cnn?.count, 5)
        XCTAssertEqual(s.state.scipy?.count, 5)
    }

    func testOverviewMovesOnTheGrid() {
        // 32 cells at 80×24: two columns of one-row meters (16 rows fit the 18 the body has).
        let s = session()
        XCTAssertEqual(OverviewLayout(count: 32, width: 80, height: 24).columns, 2)
        s.key(.right); s.key(.right)
        XCTAssertEqual(s.state.selected, 2)
        s.key(.down)
        XCTAssertEqual(s.state.selected, 4, "down: one meter row, two cells on")
        s.key(.left); s.key(.left); s.key(.left); s.key(.left); s.key(.left)
        XCTAssertEqual(s.state.selected, 0)
        s.key(.left)
        XCTAssertEqual(s.state.selected, 0, "first cell")
        s.key(.up)
        XCTAssertEqual(s.state.selected, 0, "top edge")
        // At 160×48: two columns of two-row meters (the shape with the most spectrum per cell).
        let w = session(width: 160, height: 48)
        let l = OverviewLayout(count: 32, width: 160, height: 48)
        XCTAssertEqual(l.columns, 2); XCTAssertEqual(l.meterHeight, 2); XCTAssertEqual(l.pageCount, 1)
        for _ in 0..<4 { w.key(.right) }
        w.key(.down)
        XCTAssertEqual(w.state.selected, 6)
        w.key(.enter)
        XCTAssertEqual(w.state.view, .spectrum)
        XCTAssertEqual(w.state.cell?.cell, 6)
        w.key(.char("n"))
        XCTAssertEqual(w.state.cell?.cell, 7)
    }

    /// `j`, digits, Enter: the selection goes to that cell number; unknown numbers leave it and say so.
    func testJumpToACell() {
        let s = session()
        s.key(.char("j")); s.key(.char("2")); s.key(.char("7"))
        XCTAssertEqual(s.state.overview.jump, "27")
        XCTAssertTrue(render(s.state).lines.last!.contains("jump to cell: 27_"))
        s.key(.enter)
        XCTAssertNil(s.state.overview.jump)
        XCTAssertEqual(s.state.cell?.cell, 27)
        s.key(.char("j")); s.key(.char("9")); s.key(.backspace); s.key(.char("8")); s.key(.char("8")); s.key(.enter)
        XCTAssertEqual(s.state.cell?.cell, 27, "no cell 88")
        XCTAssertEqual(s.state.message, "no cell 88 in fixture.bin")
        s.key(.char("j")); s.key(.char("3")); s.key(.escape)
        XCTAssertNil(s.state.overview.jump)
        XCTAssertEqual(s.state.cell?.cell, 27, "Esc closes the prompt without jumping")
        XCTAssertEqual(s.state.view, .overview, "and does not leave the view")
    }

    func testSpectrumZoomPanCursorAndScale() {
        let s = session()
        s.key(.char("2"))
        let w0 = s.state.spectrumWindow
        let c0 = s.state.cursorADC
        s.key(.char("+"))
        let w1 = s.state.spectrumWindow
        XCTAssertEqual(w1.upperBound - w1.lowerBound, (w0.upperBound - w0.lowerBound) / 2, accuracy: 1e-9)
        XCTAssertTrue(w1.contains(c0))
        s.key(.right)
        XCTAssertGreaterThan(s.state.cursorADC, c0)
        s.key(.char(">"))
        XCTAssertEqual(s.state.spectrumWindow.lowerBound, w1.lowerBound + (w1.upperBound - w1.lowerBound) / 4, accuracy: 1e-9)
        s.key(.char("0"))
        XCTAssertEqual(s.state.spectrumWindow, w0)
        s.key(.char("l"))
        XCTAssertTrue(s.state.spectrum.logScale)
        s.key(.char("e"))
        XCTAssertTrue(s.state.spectrum.energyAxis)
        // Batches: ] selects batch 1 of 3, then 2, and stops at the last; b returns to all.
        s.key(.char("]"))
        XCTAssertEqual(s.state.batch, 0)
        XCTAssertEqual(s.state.histogram?.total, Double(s.state.cell!.batches[0].events))
        s.key(.char("]")); s.key(.char("]")); s.key(.char("]"))
        XCTAssertEqual(s.state.batch, 2)
        s.key(.char("b"))
        XCTAssertNil(s.state.batch)
    }

    func testSeedNudgeRefitAndUndo() {
        let s = session()
        s.key(.char("3"))
        s.key(.down); s.key(.down)      // Mn Kα
        XCTAssertEqual(s.state.seedLines[s.state.seeds.selected].id, "MnKa")
        let seed0 = s.state.seeds.seeds["MnKa"]!
        s.key(.right)
        XCTAssertEqual(s.state.seeds.seeds["MnKa"], seed0 + 1)
        s.key(.pageUp)
        XCTAssertEqual(s.state.seeds.seeds["MnKa"], seed0 + 11)
        s.key(.shiftLeft)
        XCTAssertEqual(s.state.seeds.seeds["MnKa"], seed0 + 1)
        XCTAssertFalse(s.state.seeds.pending)
        // The refit (moment fit started from the seed) recovers the truth calibration of cell 0.
        let fit = s.state.seeds.calibrationFit!
        let truth = Fixtures.truth(cell: 0, batch: 0)
        XCTAssertEqual(fit.calibration.energy(2500), truth.energy(2500), accuracy: 3)
        XCTAssertEqual(fit.residuals.count, 5)
        XCTAssertEqual(s.state.seeds.undo.count, 3)
        s.key(.char("u")); s.key(.char("u")); s.key(.char("u"))
        XCTAssertEqual(s.state.seeds.seeds["MnKa"], seed0)
        XCTAssertTrue(s.state.seeds.undo.isEmpty)
        s.key(.char("u"))
        XCTAssertEqual(s.state.message, "nothing to undo")
    }

    /// Cell 5's standard calibration missed the gain step of its last batch: refitting that batch
    /// from the seeds and writing the refit (w) repairs the calibration, the overview's flag follows,
    /// and the save service receives the repaired set.
    func testWritingTheSeedsRefitRepairsTheMissedGainStep() {
        let (s, box) = savingSession(Self.data, path: "/tmp/repaired.json")
        XCTAssertEqual(s.state.dataset?.cells[5].summary.flag, .bad)
        for _ in 0..<5 { s.key(.char("n")) }
        s.key(.char("3"))
        XCTAssertEqual(s.state.cell?.cell, 5)
        // The summed spectrum stands for three batches: a refit cannot replace one of them.
        s.key(.char("r"))
        s.key(.char("w"))
        XCTAssertEqual(s.state.message, "choose a batch with [ or ] first: a refit replaces one batch's calibration")
        XCTAssertNil(box.saved)
        s.key(.char("[")) // the last batch, where the gain step is
        XCTAssertEqual(s.state.batch, 2)
        // The batch's fits are there at once: no r needed before w.
        let fit = try! XCTUnwrap(s.state.seeds.calibrationFit)
        let truth = Fixtures.truth(cell: 5, batch: 2)
        XCTAssertEqual(fit.calibration.energy(3000), truth.energy(3000), accuracy: 3)
        let before = s.state.dataset!.calibration!.batches(ofCell: 5)![2].calibration
        XCTAssertGreaterThan(abs(before.energy(3000) - truth.energy(3000)), 50, "the missed step")
        s.key(.char("w"))
        XCTAssertEqual(s.state.message, "calibration written to /tmp/repaired.json")
        let set = try! XCTUnwrap(s.state.dataset?.calibration)
        let repaired = set.batches(ofCell: 5)![2]
        XCTAssertEqual(repaired.calibration, fit.calibration)
        XCTAssertEqual(repaired.lines.count, 5)
        XCTAssertEqual(repaired.status, .ok)
        XCTAssertTrue(set.method.hasSuffix("+ inspector seeds refit"), set.method)
        // The other batches and cells are untouched.
        XCTAssertEqual(set.batches(ofCell: 5)![0], Self.data.calibration!.batches(ofCell: 5)![0])
        XCTAssertEqual(set.batches(ofCell: 4), Self.data.calibration!.batches(ofCell: 4))
        XCTAssertEqual(box.saved, set)
        XCTAssertNotEqual(s.state.dataset?.cells[5].summary.flag, .bad, s.state.dataset?.cells[5].summary.note ?? "")
    }

    func testWritingTheRefitWithoutASaveTargetKeepsItInMemory() {
        let s = session()
        s.key(.char("3")); s.key(.char("]")); s.key(.char("r"))
        // Not while an optimization runs from the calibration as it was.
        var running = s.state
        running.optimize.phase = .running
        XCTAssertEqual(running.update(.applySeedRefit), [])
        XCTAssertEqual(running.message, "the optimization is running: let it finish or cancel it (view 4, c) first")
        XCTAssertEqual(running.dataset?.calibration, Self.data.calibration)
        s.key(.char("w"))
        XCTAssertEqual(s.state.message, "cell 0 batch 1: standard calibration replaced by the refit (kept in memory: --out FILE writes it)")
        XCTAssertEqual(s.state.dataset?.calibration?.batches(ofCell: 0)?[0].calibration, s.state.seeds.calibrationFit?.calibration)
    }

    func testOptimizationLifecycle() {
        let s = session()
        s.key(.char("4"))
        s.key(.char("a"))
        XCTAssertEqual(s.state.message, "no result to accept")
        s.key(.char("o"))
        s.pump()
        XCTAssertEqual(s.state.optimize.phase, .finished)
        XCTAssertEqual(s.state.optimize.last?.iteration, 50)
        XCTAssertEqual(s.state.optimize.history.count, 50)
        XCTAssertNotNil(s.state.dataset?.optimized)
        // Before accepting, cell 5's last batch uses the stale standard calibration.
        s.dispatch(.show(.spectrum)); s.dispatch(.nextCell)
        for _ in 0..<4 { s.dispatch(.nextCell) }
        XCTAssertEqual(s.state.cell?.cell, 5)
        s.key(.char("]")); s.key(.char("]")); s.key(.char("]"))
        XCTAssertEqual(s.state.calibration, Fixtures.truth(cell: 5, batch: 0))
        s.key(.char("4")); s.key(.char("a"))
        s.pump()
        XCTAssertEqual(s.state.optimize.phase, .accepted)
        XCTAssertEqual(s.state.calibration, Fixtures.truth(cell: 5, batch: 2))
        // The accepted calibration repairs the step: the cell is no longer flagged.
        XCTAssertEqual(s.state.dataset!.cells[5].summary.flag, .ok, s.state.dataset!.cells[5].summary.note)
        s.key(.char("d"))
        XCTAssertEqual(s.state.optimize.phase, .discarded)
        XCTAssertNil(s.state.dataset?.optimized)
    }

    /// After an accepted optimization every batch says "optimized": the overview judges the batches by
    /// whether their status is usable, so clean cells stay clean (they used to turn red, "3 batch fit(s)
    /// failed") and only the batch whose standard fit really failed still counts as failed.
    func testOverviewAfterAcceptedOptimizationFlagsOnlyRealFailures() {
        let s = session()
        s.key(.char("4")); s.key(.char("o")); s.pump(); s.key(.char("a")); s.pump()
        XCTAssertEqual(s.state.optimize.phase, .accepted)
        let set = s.state.dataset!.optimized!
        XCTAssertEqual(set.batches(ofCell: 0)?.map(\.status), [.optimized(stop: nil), .optimized(stop: nil), .optimized(stop: nil)])
        XCTAssertEqual(set.batches(ofCell: 3)?.first?.status.description, "optimized (max-iterations)")
        for c in s.state.dataset!.cells {
            let sum = c.summary
            if c.cell == 9 {
                XCTAssertEqual(sum.flag, .bad, sum.note)
                XCTAssertTrue(sum.note.contains("1 batch fit(s) failed"), sum.note)
            } else {
                XCTAssertEqual(sum.flag, .ok, "cell \(c.cell): \(sum.note)")
                XCTAssertFalse(sum.note.contains("failed"), "cell \(c.cell): \(sum.note)")
            }
        }
        // The gain step of cell 5 is repaired by the optimized calibration.
        XCTAssertEqual(s.state.dataset!.cells[5].summary.flag, .ok)
        var st = s.state
        _ = st.update(.show(.overview))
        assertSnapshot(render(st), named: "overview-accepted-80x24-unicode")
    }

    func testOptimizerProgressIsThinnedNotDropped() {
        var st = InspectorState(width: 80, height: 24)
        st.optimize.phase = .running
        let snaps = (1...5000).map { OptimizerSnapshot(iteration: $0, logLikelihood: Double($0), elapsed: Double($0) / 100) }
        _ = st.update(.optimizerProgress(snaps))
        XCTAssertLessThanOrEqual(st.optimize.history.count, OptimizeState.maxHistory)
        XCTAssertEqual(st.optimize.last?.iteration, 5000)
        XCTAssertEqual(st.optimize.rate, 100, accuracy: 1e-9)
        XCTAssertEqual(st.optimize.history.first?.iteration, 1)
    }

    func testBeforeAfterComputesBothFits() {
        let s = session()
        s.key(.char("4")); s.key(.char("o")); s.pump(); s.key(.char("a")); s.pump()
        s.key(.char("1"))
        s.key(.char("j")); s.key(.char("5")); s.key(.enter)
        XCTAssertEqual(s.state.cell?.cell, 5)
        s.key(.char(" "))
        s.key(.char("5"))
        s.pump()
        let b = s.state.beforeAfter
        XCTAssertNotNil(b.before); XCTAssertNotNil(b.after)
        // The stale calibration of batch 3 splits cell 5's Cu Kα line: wider before than after.
        XCTAssertGreaterThan(b.before!.fwhm, b.after!.fwhm + 20)
        XCTAssertEqual(b.after!.position, SpectralLine(id: "CuKa")!.energy, accuracy: 6)
        XCTAssertEqual(b.beforeHistogram?.total ?? 0, b.afterHistogram?.total ?? -1, accuracy: 1e-6)
    }

    func testHelpQuitAndResize() {
        let s = session()
        s.key(.char("?"))
        XCTAssertTrue(s.state.showHelp)
        s.key(.char("x"))
        XCTAssertFalse(s.state.showHelp, "any key closes help")
        s.dispatch(.resize(width: 120, height: 40))
        XCTAssertEqual(render(s.state).width, 120)
        s.key(.ctrlC)
        XCTAssertTrue(s.state.shouldQuit)
    }

    func testCalibrationFitRecoversAQuadratic() {
        let truth = EnergyCalibration(p0: -1850, p1: 3.07, p2: 2.1e-6)
        let pts = LineProfile.vip2.calibrationLines.map {
            CalibrationPoint(line: $0.id, adc: truth.adc(forEnergy: $0.energy)!, adcError: 0.2, energy: $0.energy)
        }
        let f = fitCalibration(pts)!
        XCTAssertEqual(f.calibration.p0, truth.p0, accuracy: 1e-6)
        XCTAssertEqual(f.calibration.p1, truth.p1, accuracy: 1e-9)
        XCTAssertEqual(f.calibration.p2, truth.p2, accuracy: 1e-12)
        XCTAssertEqual(f.ndf, 2)
        for r in f.residuals.values { XCTAssertEqual(r, 0, accuracy: 1e-6) }
        // Three points: a line, ndf 1; one point: no fit.
        XCTAssertEqual(fitCalibration(Array(pts.prefix(3)))?.ndf, 1)
        XCTAssertNil(fitCalibration(Array(pts.prefix(1))))
    }
}

extension InspectorSession {
    /// Presses a key and applies whatever the (synchronous) engine answered.
    func key(_ k: Key) { press(k); pump() }
}

/// Histogram input: one cell per record, calibration from the file, no optimization.
final class SpectrumInputTests: XCTestCase {
    func testRecordsBecomeCells() {
        let events = Fixtures.events(cells: 2)
        let cal = EnergyCalibration(p0: -1850, p1: 3.05)
        let records = (0..<2).map { c -> SpectrumRecord in
            let adc = zip(events.cell, events.adc).filter { Int($0.0) == c }.map(\.1)
            return SpectrumRecord(cell: c == 1 ? 7 : nil, histogram: Histogram.adc(adc, firstChannel: 0, channelsPerBin: 1, bins: 4096),
                                  calibration: cal)
        }
        let d = Dataset(name: "two.npy", records: records, profile: .vip2)
        XCTAssertEqual(d.cells.map(\.cell), [0, 7])
        XCTAssertEqual(d.cells[1].events, Int(records[1].histogram.total))
        XCTAssertNil(d.events)
        XCTAssertEqual(Dataset.calibration(d.calibration, cell: d.cells[1], batch: 0), cal)
        // Through the session: spectrum view works, optimization explains why it cannot run.
        let s = InspectorSession(state: InspectorState(width: 80, height: 24),
                                 engine: InspectorEngine(services: Fixtures.services(), synchronous: true))
        s.dispatch(.datasetLoaded(d)); s.pump()
        s.key(.char("2"))
        XCTAssertEqual(s.state.histogram?.total, records[0].histogram.total)
        XCTAssertTrue(render(s.state).lines.joined().contains("cell 0"))
        s.key(.char("4")); s.key(.char("o"))
        XCTAssertEqual(s.state.message, "optimization needs an event file (cell, ADC, time)")
        // Before/after still sums the histograms under their calibration.
        s.key(.char("5"))
        // Counts in 7000–8500 eV under the file's calibration, counted channel by channel.
        var expected = 0.0
        for r in records { for k in r.histogram.counts.indices {
            let a = cal.energy(Double(k) - 0.5), b = cal.energy(Double(k) + 0.5)
            expected += r.histogram.counts[k] * Swift.max(0, Swift.min(b, 8500) - Swift.max(a, 7000)) / (b - a)
        } }
        XCTAssertEqual(s.state.beforeAfter.beforeHistogram?.total ?? 0, expected, accuracy: 1e-6)
        XCTAssertGreaterThan(s.state.beforeAfter.beforeHistogram?.total ?? 0, 100, "Cu Kα region counts")
    }

    /// Labelled cells (ROOT keys, CSV columns, file names): the label shows in the overview and the
    /// spectrum view, and `j` jumps to a cell by number, whole label, label prefix or part of a label.
    func testLabelsShowAndJumpByLabel() {
        let events = Fixtures.events(cells: 2)
        let adc = events.adc.prefix(2000)
        let names = ["bus1_sdd1", "bus1_sdd2", "bus2_sdd1", "bus12_sdd8"]
        let records = names.enumerated().map { i, n -> SpectrumRecord in
            var r = SpectrumRecord(cell: i, histogram: Histogram.adc(adc, firstChannel: 0, channelsPerBin: 1, bins: 4096))
            r.label = n
            return r
        }
        let d = Dataset(name: "run.root", records: records, profile: .vip2)
        XCTAssertEqual(d.cells.map(\.label), names)
        XCTAssertEqual(d.index(ofCellNamed: "2"), 2)
        XCTAssertEqual(d.index(ofCellNamed: "BUS2_SDD1"), 2)
        XCTAssertEqual(d.index(ofCellNamed: "bus12"), 3)
        XCTAssertEqual(d.index(ofCellNamed: "sdd2"), 1)
        XCTAssertNil(d.index(ofCellNamed: "bus7"))
        let s = InspectorSession(state: InspectorState(width: 100, height: 30),
                                 engine: InspectorEngine(services: Fixtures.services(), synchronous: true))
        s.dispatch(.datasetLoaded(d)); s.pump()
        XCTAssertTrue(render(s.state).lines.joined().contains("cell 0 bus1_sdd1:"))
        s.key(.char("j")); for ch in "bus12" { s.key(.char(ch)) }
        XCTAssertEqual(s.state.overview.jump, "bus12")
        s.key(.enter)
        XCTAssertEqual(s.state.cell?.label, "bus12_sdd8")
        s.key(.char("j")); for ch in "sdd2" { s.key(.char(ch)) }; s.key(.enter)
        XCTAssertEqual(s.state.cell?.cell, 1)
        s.key(.char("j")); for ch in "nope" { s.key(.char(ch)) }; s.key(.enter)
        XCTAssertEqual(s.state.cell?.cell, 1)
        XCTAssertEqual(s.state.message, "no cell nope in run.root")
        s.key(.char("2"))
        XCTAssertTrue(render(s.state).lines.joined().contains("cell 1 bus1_sdd2"))
    }

    /// A histogram file that carries its own calibration: status "from file" is usable, so the overview
    /// flags nothing as a failed fit (it used to say "1 batch fit(s) failed" for every cell).
    func testOverviewOfAHistogramFileWithItsCalibration() {
        let events = Fixtures.events(cells: 2)
        let records = (0..<2).map { c -> SpectrumRecord in
            let adc = zip(events.cell, events.adc).filter { Int($0.0) == c }.map(\.1)
            return SpectrumRecord(cell: c, histogram: Histogram.adc(adc, firstChannel: 0, channelsPerBin: 1, bins: 4096),
                                  calibration: Fixtures.truth(cell: c, batch: 0))
        }
        let d = Dataset(name: "two.mca", records: records, profile: .vip2)
        XCTAssertEqual(d.calibration?.batches(ofCell: 1)?.map(\.status), [.fromFile])
        let s = InspectorSession(state: InspectorState(width: 80, height: 24),
                                 engine: InspectorEngine(services: Fixtures.services(), synchronous: true))
        s.dispatch(.datasetLoaded(d)); s.pump()
        for c in s.state.dataset!.cells {
            XCTAssertEqual(c.summary.flag, .ok, "cell \(c.cell): \(c.summary.note)")
            XCTAssertFalse(c.summary.note.contains("failed"), c.summary.note)
        }
        XCTAssertEqual(s.state.dataset!.cells[0].summary.cuKaFWHM ?? 0, 185, accuracy: 10)
        assertSnapshot(render(s.state), named: "overview-from-file-80x24-unicode")
    }
}

/// What the save service was given last.
final class SavedCalibration: @unchecked Sendable { var saved: CalibrationSet? }

/// A session on `data` whose save service keeps what it is given and reports `path`.
func savingSession(_ data: Dataset, path: String) -> (InspectorSession, SavedCalibration) {
    let box = SavedCalibration()
    var services = Fixtures.services()
    services.saveCalibration = { set in box.saved = set; return path }
    let s = InspectorSession(state: InspectorState(width: 80, height: 24),
                             engine: InspectorEngine(services: services, synchronous: true, clock: Fixtures.steppingClock()))
    s.dispatch(.datasetLoaded(data)); s.pump()
    return (s, box)
}

final class SaveOnAcceptTests: XCTestCase {
    func testAcceptWritesThroughTheSaveService() {
        let (s, box) = savingSession(Fixtures.dataset(cells: 8), path: "/tmp/x.json")
        s.key(.char("4")); s.key(.char("o"))
        XCTAssertNil(box.saved, "nothing written before accepting")
        s.key(.char("a"))
        XCTAssertEqual(box.saved, s.state.dataset?.optimized)
        XCTAssertEqual(s.state.message, "accepted calibration written to /tmp/x.json")
    }
}

final class FlagTests: XCTestCase {
    /// A residual below the 10 eV threshold but far outside its centroid's error is flagged by its pull.
    func testPullFlagsAPreciseButWrongLine() {
        let d = Fixtures.dataset(cells: 2)
        var set = Fixtures.calibration(cells: 2)
        set.cells[1].batches[0].lines[0].residual = 8
        set.cells[1].batches[0].lines[0].centroidError = 0.1
        let s = Analysis.summaries(d, calibration: set, services: InspectorServices())
        XCTAssertEqual(s[0]?.flag, .ok)
        XCTAssertEqual(s[1]?.flag, .warn)
        XCTAssertTrue(s[1]?.note.contains("pull") == true, s[1]?.note ?? "")
        // Without a Cu Kα fitter or line fitter the figures are absent, not invented.
        XCTAssertNil(s[0]?.cuKaFWHM)
        XCTAssertNil(s[0]?.hardwareFWHM)
    }
}

final class LargeDetectorTests: XCTestCase {
    /// SIDDHARTA-2 size: 384 cells. At 80×24 the overview pages (two columns of one-row meters, 36
    /// a page); moving down walks two cells a row across pages, PgDn moves a page, and the page
    /// shown is always the selected cell's.
    func testOverviewPagesToTheSelectedCell() {
        let h = Histogram(lowerEdge: -0.5, binWidth: 1, counts: (0..<4096).map { Double(($0 * 7) % 13) })
        let records = (0..<384).map { SpectrumRecord(cell: $0, histogram: h) }
        let d = Dataset(name: "s2.npy", records: records, profile: .siddharta2)
        let s = InspectorSession(state: InspectorState(width: 80, height: 24), engine: InspectorEngine(services: InspectorServices(), synchronous: true))
        s.dispatch(.datasetLoaded(d)); s.pump()
        let layout = OverviewLayout(count: 384, width: 80, height: 24)
        XCTAssertEqual(layout.perPage, 36); XCTAssertEqual(layout.pageCount, 11)
        for _ in 0..<40 { s.key(.down) }
        XCTAssertEqual(s.state.cell?.cell, 80)
        var text = render(s.state).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("cells 72–107 of 384  page 3/11"), text)
        XCTAssertTrue(render(s.state).cells.contains { $0.style.role == .selection && $0.style.reverse }, "the selected meter is on screen")
        s.key(.pageDown)
        XCTAssertEqual(s.state.cell?.cell, 116)
        text = render(s.state).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("cells 108–143 of 384  page 4/11"), text)
        for _ in 0..<20 { s.key(.pageDown) }
        XCTAssertEqual(s.state.cell?.cell, 383, "PgDn stops at the last cell")
    }
}
