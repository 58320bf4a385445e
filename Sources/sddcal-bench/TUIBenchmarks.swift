import Foundation
import Inspector
import SDDCore

/// The inspector's rendering speed (pure layer, no terminal): a 4096-bin spectrum view at 200×60
/// (target ≤ 2 ms), every view at 200×60, a key press to a diffed frame, and the cells and bytes a
/// frame of the live optimization plot changes. Real terminal figures (bytes ncurses wrote per frame,
/// key-to-repaint latency) come from `sddcal inspect --stats FILE` (see scripts/e2e_inspect.sh).
func tuiBenchmarks() -> [Benchmark] {
    let state = TUIBench.state(view: .spectrum)
    var buf = CellBuffer(width: 200, height: 60)
    var views: [Benchmark] = [
        Benchmark(name: "render spectrum view, 4096 bins, 200x60", inner: 50) {
            render(state, into: &buf)
            return Double(buf.cells[200 * 30 + 100].scalar.value)
        },
    ]
    for v in [View.overview, .seeds, .optimize, .beforeAfter] {
        let st = TUIBench.state(view: v)
        var b = CellBuffer(width: 200, height: 60)
        views.append(Benchmark(name: "render \(v) view, 200x60", inner: 50) {
            render(st, into: &b)
            return Double(b.cells[200 * 30 + 100].scalar.value)
        })
    }
    // The overview of a SIDDHARTA-2-size detector: 384 meters with their mini-spectra (target ≤ 5 ms).
    let big = TUIBench.overview(cells: 384)
    var bigBuf = CellBuffer(width: 200, height: 60)
    views.append(Benchmark(name: "render overview, 384 cells with mini-spectra, 200x60", inner: 20) {
        render(big, into: &bigBuf)
        return Double(bigBuf.cells[200 * 30 + 100].scalar.value)
    })
    // A key press (cursor right) through update, render and the diff the presenter sends.
    var keyState = state
    var prev = render(keyState)
    var cur = CellBuffer(width: 200, height: 60)
    var dir = 1
    views.append(Benchmark(name: "key → update → render → diff, 200x60", inner: 50) {
        if keyState.cursorADC > 4000 { dir = -1 } else if keyState.cursorADC < 100 { dir = 1 }
        _ = keyState.update(.moveCursor(dir))
        render(keyState, into: &cur)
        let n = cur.changes(since: prev).count
        swap(&prev, &cur)
        return Double(n)
    })
    TUIBench.liveFrameReport()
    return views
}

enum TUIBench {
    /// A deterministic 4096-channel VIP-2-like spectrum: Ti, Mn, Cu lines on a falling continuum.
    static func spectrum(gain: Double = 3.05, zero: Double = 600) -> Histogram {
        var counts = [Double](repeating: 0, count: 4096)
        let response = DetectorResponse()
        for i in counts.indices {
            let e = (Double(i) - zero) * gain
            var v = 20 * exp(-Double(i) / 2500)
            for line in LineProfile.vip2.lines {
                let y = (LineProfile.vip2.typicalYields[line.id] ?? 0) * 4e5
                v += y * gain * DetectorResponse.gaussian(e, mu: line.energy, sigma: response.sigma(at: line.energy))
            }
            // Deterministic ±√v wiggle so the plot is not perfectly smooth.
            counts[i] = (v + v.squareRoot() * sin(Double(i) * 12.9898)).rounded()
        }
        return Histogram(lowerEdge: -0.5, binWidth: 1, counts: counts)
    }

    static func state(view: View) -> InspectorState {
        var cells: [CellInfo] = []
        var cal: [CalibrationSet.Cell] = []
        for c in 0..<32 {
            let g = 2.95 + 0.01 * Double(c % 30)
            let h = spectrum(gain: g, zero: 600 + Double(c % 5) * 4)
            let batches = (0..<15).map { BatchInfo(index: $0, start: Double($0) * 172800, end: Double($0 + 1) * 172800,
                                                   events: Int(h.total / 15), histogram: h) }
            cells.append(CellInfo(cell: c, events: Int(h.total), batches: batches, spectrum: h,
                                  summary: CellSummary(cuKaFWHM: 180 + Double(c % 7), hardwareFWHM: 176, flag: c == 5 ? .bad : .ok,
                                                       note: c == 5 ? "residual 31 eV" : "")))
            var cb: [CalibrationSet.Batch] = []
            for k in 0..<15 {
                let t0 = Double(k) * 172800
                let e = EnergyCalibration(p0: -600 * g + Double(k), p1: g * (1 + 1e-4 * Double(k)), p2: 1e-7)
                cb.append(CalibrationSet.Batch(index: k, start: t0, end: t0 + 172800, events: 1000, calibration: e,
                                               status: .ok, lines: [], missingLines: []))
            }
            cal.append(CalibrationSet.Cell(cell: c, batches: cb))
        }
        var d = Dataset(name: "bench", profile: .vip2, cells: cells)
        d.calibration = CalibrationSet(profile: "vip2", batch: "48h", method: "bench", source: "bench", cells: cal)
        var s = InspectorState(width: 200, height: 60, services: ServiceAvailability(scipy: true, cnn: true, lineFit: true, cuKaFit: true, calibration: true, optimizer: true))
        _ = s.update(.datasetLoaded(d))
        let h = d.cells[0].spectrum
        let marks = LineProfile.vip2.calibrationLines.map { CentroidMark(lineID: $0.id, adc: 600 + $0.energy / 2.95) }
        _ = s.update(.centroids(cell: 0, batch: nil, scipy: marks.map { CentroidMark(lineID: $0.lineID, adc: $0.adc + 2) }, cnn: marks))
        s.spectrum.window = h.lowerEdge...h.upperEdge
        _ = s.update(.show(view))
        switch view {
        case .optimize:
            s.optimize.phase = .running
            _ = s.update(.optimizerProgress((1...3000).map { OptimizerSnapshot(iteration: $0, logLikelihood: 40 * (1 - exp(-Double($0) / 400)), elapsed: Double($0) / 200) }))
        case .beforeAfter:
            var e = Histogram(lowerEdge: 7000, binWidth: 10, bins: 150)
            for i in 0..<150 { let x = e.center(i); e.counts[i] = 5 + 400 * exp(-0.5 * pow((x - 8041) / 78, 2)) }
            let xs = (0..<150).map { e.center($0) }
            let fit = PeakFitSummary(position: 8047.8, positionError: 1.5, fwhm: 185, fwhmError: 3, chi2: 140, ndf: 143,
                                     curveX: xs, curveY: xs.map { 0.5 + 40 * exp(-0.5 * pow(($0 - 8041) / 78, 2)) })
            s.beforeAfter.reference = .standard
            let request = BeforeAfterRequest(cells: s.beforeAfterCells, reference: .standard, generation: s.beforeAfter.generation)
            s.beforeAfter.requested = request
            _ = s.update(.beforeAfterReady(BeforeAfterResult(request: request, before: fit, after: fit, beforeHistogram: e, afterHistogram: e)))
        default: break
        }
        return s
    }

    /// The overview of `cells` cells (the bench spectrum at drifting gains, one calibration per
    /// cell) at 200×60 with the mini-spectra computed as the engine does after a calibration.
    static func overview(cells n: Int) -> InspectorState {
        var cells: [CellInfo] = []
        var cal: [CalibrationSet.Cell] = []
        for c in 0..<n {
            let g = 2.95 + 0.01 * Double(c % 30)
            let h = spectrum(gain: g, zero: 600 + Double(c % 5) * 4)
            cells.append(CellInfo(cell: c, events: Int(h.total), batches: [BatchInfo(index: 0, start: 0, end: 0, events: Int(h.total), histogram: h)],
                                  spectrum: h, summary: CellSummary(cuKaFWHM: 180 + Double(c % 7), hardwareFWHM: 176,
                                                                    flag: c % 50 == 5 ? .bad : .ok, note: c % 50 == 5 ? "residual 31 eV" : "")))
            cal.append(CalibrationSet.Cell(cell: c, batches: [CalibrationSet.Batch(index: 0, start: 0, end: 0, events: Int(h.total),
                calibration: EnergyCalibration(p0: -(600 + Double(c % 5) * 4) * g, p1: g), status: .ok, lines: [], missingLines: [])]))
        }
        var d = Dataset(name: "bench", profile: .vip2, cells: cells)
        d.calibration = CalibrationSet(profile: "vip2", batch: "all", method: "bench", source: "bench", cells: cal)
        var s = InspectorState(width: 200, height: 60)
        _ = s.update(.datasetLoaded(d))
        _ = s.update(.miniSpectra(MiniSpectra.compute(d, calibration: d.calibration, generation: s.overview.generation)))
        _ = s.update(.move(dx: 7, dy: 3))
        return s
    }

    /// Frames of the live optimization plot at 200×60 and 80×24: each frame adds the iterations of
    /// 1/15 s at 300 it/s; reports cells changed and an estimate of the bytes a terminal receives
    /// (cursor moves, colour changes, UTF-8 text, as a diff-driven presenter sends them).
    static func liveFrameReport() {
        for (w, h) in [(200, 60), (80, 24)] {
            var s = state(view: .optimize)
            _ = s.update(.resize(width: w, height: h))
            s.optimize = OptimizeState()
            s.optimize.phase = .running
            var prev = render(s)
            var cells: [Int] = [], bytes: [Int] = []
            var it = 0
            for _ in 0..<150 {
                let snaps = (0..<20).map { k -> OptimizerSnapshot in
                    let i = it + k + 1
                    return OptimizerSnapshot(iteration: i, logLikelihood: 40 * (1 - exp(-Double(i) / 400)), elapsed: Double(i) / 300)
                }
                it += 20
                _ = s.update(.optimizerProgress(snaps))
                let cur = render(s)
                let runs = cur.changes(since: prev)
                cells.append(runs.reduce(0) { $0 + $1.text.unicodeScalars.count })
                bytes.append(estimatedBytes(runs))
                prev = cur
            }
            cells.sort(); bytes.sort()
            print("live plot \(w)x\(h): per frame median \(cells[cells.count / 2]) cells changed, ~\(bytes[bytes.count / 2]) bytes (max \(bytes.last!)); full repaint ~\(estimatedBytes(render(s).changes(since: nil))) bytes")
        }
    }

    /// Bytes of a run list sent as ANSI: a cursor move per run (ESC[row;colH), an SGR per style
    /// change (ESC[0;1;38;5;nnnm), and the UTF-8 text.
    static func estimatedBytes(_ runs: [CellRun]) -> Int {
        var total = 0
        var style: Style? = nil
        for r in runs {
            total += 4 + String(r.y + 1).count + String(r.x + 1).count
            if r.style != style { total += 12; style = r.style }
            total += r.text.utf8.count
        }
        return total
    }
}
