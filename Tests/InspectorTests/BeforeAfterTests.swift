import XCTest
import LineFitting
import SDDCore
@testable import Inspector

/// The before/after view, key-driven: the reference (`r`), the scope (`s`, `n`), the held-out run in
/// the background with progress and cancel (`h`, `c`), and issue 11's hardware-limit warning.
final class BeforeAfterTests: XCTestCase {
    /// Four simulated days of two cells with their truth; the stand-in standard calibration is the
    /// truth averaged over each batch of whatever batch length it is asked for (so the 30-day
    /// reference is one calibration over the whole run, and the daily one follows the gain walk).
    static let simulated: (Dataset, SimulationTruth) = {
        var cfg = SimulationConfig.vip2(cells: 2, days: 4, seed: 7)
        cfg.steps = 0
        let (events, truth) = try! VIP2Simulator(config: cfg).run()
        var d = Dataset(name: "sim.bin", events: events, profile: .vip2, batch: .duration(86400))
        d.truth = truth
        return (d, truth)
    }()

    static func simulatedServices(_ truth: SimulationTruth) -> InspectorServices {
        var s = Fixtures.services()
        s.standardCalibration = { d, _ in
            truth.calibrationSet(for: BatchedEvents(d.events!, spec: try BatchSpec(parsing: d.batchSpec)), source: "test")
        }
        return s
    }

    func simulatedSession() -> InspectorSession {
        let (d, truth) = Self.simulated
        let engine = InspectorEngine(services: Self.simulatedServices(truth), synchronous: true, clock: Fixtures.steppingClock())
        let s = InspectorSession(state: InspectorState(width: 80, height: 24), engine: engine)
        s.dispatch(.datasetLoaded(d))
        s.pump()
        return s
    }

    func testReferenceCyclesThroughLongBatchesStandardAndTruth() {
        let s = simulatedSession()
        XCTAssertEqual(BeforeAfterReference.available(in: s.state.dataset), [.longBatches, .standard, .truth])
        s.key(.char("5"))
        // The 30-day reference is computed on first use, then the spectra.
        XCTAssertEqual(s.state.dataset?.referenceCalibration?.batch, "30d")
        XCTAssertEqual(s.state.dataset?.referenceCalibration?.batches(ofCell: 0)?.count, 1)
        XCTAssertEqual(s.state.beforeAfter.result?.request.reference, .longBatches)
        let cu = SpectralLine(id: "CuKa")!.energy
        var totals: [BeforeAfterReference: Double] = [:]
        for ref in [BeforeAfterReference.longBatches, .standard, .truth] {
            XCTAssertEqual(s.state.effectiveReference, ref)
            let b = s.state.beforeAfter
            XCTAssertEqual(b.result?.request.reference, ref)
            XCTAssertEqual(b.before?.position ?? 0, cu, accuracy: 20, "\(ref)")  // the stand-in fit: moments in a window over the continuum
            totals[ref] = b.beforeHistogram?.total
            // Against any reference but the standard calibration, "after" is the standard calibration until something is optimized.
            if ref == .standard { XCTAssertNil(b.afterHistogram) } else { XCTAssertNotNil(b.after) }
            XCTAssertTrue(render(s.state).lines.joined().contains("before: \(ref.label(s.state.dataset))"))
            s.key(.char("r"))
        }
        XCTAssertEqual(s.state.effectiveReference, .longBatches, "r wraps around")
        // The same events under three calibrations: (nearly) the same counts in the Cu Kα window.
        XCTAssertEqual(totals[.truth]!, totals[.standard]!, accuracy: 0.02 * totals[.truth]!)
        XCTAssertEqual(totals[.truth]!, totals[.longBatches]!, accuracy: 0.02 * totals[.truth]!)
    }

    func testScopeSumsTheSelectionOrFollowsOneCell() {
        let s = simulatedSession()
        s.key(.char("5"))
        let summed = s.state.beforeAfter.beforeHistogram?.total ?? 0
        XCTAssertEqual(s.state.beforeAfter.result?.request.cells, [0, 1])
        s.key(.char("s"))
        XCTAssertEqual(s.state.beforeAfter.result?.request.cells, [0])
        let c0 = s.state.beforeAfter.beforeHistogram?.total ?? 0
        s.key(.char("n"))
        XCTAssertEqual(s.state.beforeAfter.result?.request.cells, [1], "n moves the cell and the view follows")
        let c1 = s.state.beforeAfter.beforeHistogram?.total ?? 0
        XCTAssertEqual(c0 + c1, summed, accuracy: 1e-6)
        XCTAssertTrue(render(s.state).lines[1].contains("cell 1"))
        s.key(.char("s"))
        XCTAssertEqual(s.state.beforeAfter.result?.request.cells, [0, 1])
    }

    /// A stand-in held-out service: one progress report per run, blocking on the gate until cancelled
    /// when asked to, else figures derived from the request (so a stale answer would show).
    final class Gate: @unchecked Sendable {
        let lock = NSLock()
        var block = true
        var started = false
    }

    func heldOutServices(_ gate: Gate) -> InspectorServices {
        var s = Fixtures.services()
        s.heldOut = { _, req, l in
            for k in 0...req.folds {
                l.progress(k == 0 ? "all events" : "fold \(k) of \(req.folds)", fraction: Double(k) / Double(req.folds + 1))
                gate.lock.lock(); gate.started = true; let block = gate.block; gate.lock.unlock()
                while block && !l.isCancelled { usleep(1000) }
                if l.isCancelled { throw HeldOutCancelled() }
            }
            func fig(_ f: Double) -> CuKalphaFigure { CuKalphaFigure(position: 8041, positionError: 0.5, fwhm: f, fwhmError: 1.5, chi2PerNDF: 1.1) }
            let n = Double(req.cells.count)
            return HeldOutFigures(request: req, rows: [
                .init(stage: .longBatches, heldOut: fig(200 + n), inSample: fig(199 + n)),
                .init(stage: .standard, heldOut: fig(190 + n), inSample: fig(188 + n)),
                .init(stage: .refined, heldOut: fig(180 + n), inSample: fig(176 + n)),
            ], chain: "stand-in chain")
        }
        return s
    }

    func testHeldOutRunsInTheBackgroundWithProgressAndCancel() {
        let gate = Gate()
        let engine = InspectorEngine(services: heldOutServices(gate), clock: Fixtures.steppingClock())
        let s = InspectorSession(state: InspectorState(width: 80, height: 24), engine: engine)
        s.dispatch(.datasetLoaded(Fixtures.dataset()))
        engine.waitUntilIdle(); s.pump()
        s.key(.char("4")); s.key(.char("o")); engine.waitUntilIdle(); s.pump(); s.key(.char("a"))
        s.key(.char("5"))
        XCTAssertTrue(s.state.services.heldOut)
        s.key(.char("h"))
        XCTAssertEqual(s.state.beforeAfter.heldOut.phase, .running)
        // The UI thread goes on while the run blocks: keys still work.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && s.state.beforeAfter.heldOut.progress == "starting" { usleep(2000); s.pump() }
        XCTAssertEqual(s.state.beforeAfter.heldOut.progress, "all events")
        XCTAssertTrue(render(s.state).lines.joined().contains("c cancel"))
        s.key(.char("l"))
        XCTAssertTrue(s.state.beforeAfter.logScale)
        s.key(.char("c"))
        XCTAssertEqual(s.state.beforeAfter.heldOut.phase, .cancelling)
        engine.waitUntilIdle(); s.pump()
        XCTAssertEqual(s.state.beforeAfter.heldOut.phase, .cancelled)
        XCTAssertNil(s.state.beforeAfter.heldOut.figures)

        gate.lock.lock(); gate.block = false; gate.lock.unlock()
        s.key(.char("h"))
        engine.waitUntilIdle(); s.pump()
        XCTAssertEqual(s.state.beforeAfter.heldOut.phase, .finished)
        // Before = the 30-day reference's held-out row, after = the refined chain's (the optimization is accepted).
        let text = render(s.state).lines
        let before = text.first { $0.hasPrefix(" before") } ?? "", after = text.first { $0.hasPrefix(" after") } ?? ""
        XCTAssertTrue(before.contains("232.0 ± 1.5"), before)
        XCTAssertTrue(after.contains("212.0 ± 1.5"), after)
        // Other cells: the figures are not shown for them.
        s.key(.char("s"))
        XCTAssertTrue(render(s.state).lines.joined().contains("for other cells"))
        XCTAssertFalse(render(s.state).lines.joined().contains("212.0 ± 1.5"))
    }

    /// The fixture's calibration with the line widths and counts the standard fits store, so the
    /// hardware limit (ENC and Fano from the Kα widths) is the detector response's FWHM at Cu Kα.
    static func calibrationWithWidths() -> CalibrationSet {
        var set = Fixtures.calibration()
        let response = DetectorResponse()
        for ci in set.cells.indices {
            for bi in set.cells[ci].batches.indices {
                let slope = set.cells[ci].batches[bi].calibration.p1
                for li in set.cells[ci].batches[bi].lines.indices {
                    let l = set.cells[ci].batches[bi].lines[li]
                    set.cells[ci].batches[bi].lines[li].sigmaADC = response.sigma(at: l.energy) / slope
                    set.cells[ci].batches[bi].lines[li].counts = 3000 * (LineProfile.vip2.typicalYields[l.line] ?? 0) / 1.8
                }
            }
        }
        return set
    }

    /// A Cu Kα fit that comes out narrower than the line widths allow (a calibration that fitted the noise).
    func narrowCuServices(factor: Double) -> InspectorServices {
        var s = Fixtures.services()
        let fit = s.fitCuKa!
        s.fitCuKa = { h in
            fit(h).map { var f = $0; f.fwhm *= factor; f.fwhmError = 2; return f }
        }
        let cal = Self.calibrationWithWidths()
        s.standardCalibration = { _, _ in cal }
        return s
    }

    /// The fixture loaded without a calibration (so the stand-in standard one runs), 80×24, Cu Kα fits scaled by `factor`.
    func narrowCuSession(factor: Double) -> InspectorSession {
        var d = Fixtures.dataset()
        d.calibration = nil
        let engine = InspectorEngine(services: narrowCuServices(factor: factor), synchronous: true, clock: Fixtures.steppingClock())
        let s = InspectorSession(state: InspectorState(width: 80, height: 24), engine: engine)
        s.dispatch(.datasetLoaded(d))
        s.pump()
        return s
    }

    func testCuKaBelowTheHardwareLimitIsWarnedInOverviewAndBeforeAfter() {
        let s = narrowCuSession(factor: 0.85)
        let limit = DetectorResponse().fwhm(at: SpectralLine(id: "CuKa")!.energy)
        for c in s.state.dataset!.cells where c.cell != 5 && c.cell != 9 {
            XCTAssertEqual(c.summary.hardwareLimit?.fwhm ?? 0, limit, accuracy: 0.01 * limit, "cell \(c.cell)")
            XCTAssertNotNil(c.summary.sigmasBelowHardwareLimit, "cell \(c.cell): Cu \(c.summary.cuKaFWHM ?? .nan)")
        }
        let overview = render(s.state)
        XCTAssertTrue(overview.lines[3].contains("<hw"), overview.lines[3])
        var wide = s.state
        _ = wide.update(.resize(width: 160, height: 48))
        XCTAssertTrue(render(wide).lines.joined().contains("below the hardware limit"), "the detail line says why")
        assertSnapshot(overview, named: "overview-below-hw-limit-80x24-unicode")
        s.key(.char("5"))
        let ba = render(s.state)
        XCTAssertNotNil(s.state.beforeAfter.result?.hardwareLimit)
        XCTAssertTrue(ba.lines.joined().contains("below the hardware limit"), ba.lines.joined(separator: "\n"))
        assertSnapshot(ba, named: "beforeAfter-below-hw-limit-80x24-unicode")
    }

    func testCuKaAtTheHardwareLimitIsNotWarned() {
        let s = narrowCuSession(factor: 1)
        for c in s.state.dataset!.cells where c.cell != 5 {
            XCTAssertNil(c.summary.sigmasBelowHardwareLimit, "cell \(c.cell): Cu \(c.summary.cuKaFWHM ?? .nan) vs \(c.summary.hardwareLimit?.fwhm ?? .nan)")
        }
        XCTAssertFalse(render(s.state).lines.joined().contains("<hw"))
        s.key(.char("5"))
        XCTAssertFalse(render(s.state).lines.joined().contains("below the hardware limit"))
    }

    /// Labels of the before/after chart never overwrite each other or the legend, at any size.
    func testBeforeAfterLabelsDoNotOverlap() {
        for (w, h) in [(80, 24), (100, 30), (160, 48), (60, 20)] {
            let engine = InspectorEngine(services: Fixtures.services(), synchronous: true, clock: Fixtures.steppingClock())
            let s = InspectorSession(state: InspectorState(width: w, height: h), engine: engine)
            s.dispatch(.datasetLoaded(Fixtures.dataset()))
            s.pump()
            s.key(.char("4")); s.key(.char("o")); s.key(.char("a")); s.key(.char("5"))
            let buf = render(s.state)
            let text = buf.lines.joined(separator: "\n")
            XCTAssertTrue(text.contains("Pauli-forbidden 7746.73") || text.contains("Pauli"), "\(w)x\(h)")
            for word in ["before", "after", "fit before", "fit after"] {
                XCTAssertTrue(buf.lines.contains { $0.contains("■ " + word) }, "\(w)x\(h): legend \(word) intact")
            }
            XCTAssertTrue(buf.lines.contains { $0.contains("Pauli-forbidden") }, "\(w)x\(h): marker label intact")
        }
    }
}
