import Foundation

/// View 4: the optimization's live log-likelihood trace, iteration count and rate.
enum OptimizeView {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer, _ body: Rect) {
        let g = s.glyphs, o = s.optimize
        let phase: (String, ColorRole)
        switch o.phase {
        case .idle: phase = (s.services.optimizer ? "ready: o or Enter starts" : "optimizer not available in this build", .dim)
        case .running: phase = ("running: c cancels", .accent)
        case .cancelling: phase = ("cancelling…", .warn)
        case .finished: phase = ("finished: a accepts, d discards", .good)
        case .cancelled: phase = ("cancelled: a keeps the last iterate, d discards", .warn)
        case .accepted: phase = ("accepted: before/after (5) uses it", .good)
        case .discarded: phase = ("discarded", .dim)
        case .failed(let m): phase = ("failed: " + m, .bad)
        }
        var parts: [(String, Style)] = [("gradient refinement of p0, p1, p2 per batch · ", Style(.label)), (phase.0, Style(phase.1, bold: true))]
        if s.dataset?.calibration == nil { parts.append(("  (waiting for the standard calibration)", Style(.warn))) }
        TextWidgets.spans(&buf, x: 1, y: body.y, maxX: body.maxX, parts, glyphs: g)
        var stats: [(String, Style)] = [("iteration ", Style(.dim)), ("\(o.last?.iteration ?? 0)", Style(.title, bold: true)),
                                        ("  rate ", Style(.dim)), (FixedDecimal.format(o.rate, decimals: 1) + " it/s", Style(.title, bold: true))]
        if let l = o.last {
            stats.append(("  elapsed ", Style(.dim))); stats.append((TextWidgets.duration(l.elapsed), Style(.title, bold: true)))
            stats.append(("  log-likelihood gain ", Style(.dim))); stats.append((FixedDecimal.format(l.logLikelihood, decimals: 3, plusSign: true), Style(.good, bold: true)))
        }
        TextWidgets.spans(&buf, x: 1, y: body.y + 1, maxX: body.maxX, stats, glyphs: g)
        let r = Rect(x: body.x, y: body.y + 2, width: body.width, height: body.height - 2)
        guard r.height >= 4 else { return }
        let finite = o.history.filter { $0.logLikelihood.isFinite }
        let xs = finite.map { Double($0.iteration) }, ys = finite.map(\.logLikelihood)
        guard let y0 = ys.min(), let y1 = ys.max(), let xl = xs.last else {
            buf.put(g.text("the log-likelihood trace appears here while the optimizer runs"), x: r.x + 2, y: r.y + r.height / 2, style: Style(.dim))
            return
        }
        // Limits on 1-2-5 steps so that most frames only add points: less to send over SSH. A gain
        // (≥ 0, rising from 0) gets 0…nice ceiling, which changes only a few times per run.
        let ylo: Double, yhi: Double
        if y0 >= 0 {
            ylo = 0; yhi = Ticks.niceCeiling(Swift.max(1e-9, y1))
        } else {
            let step = Ticks.niceStep(span: Swift.max(1e-9, y1 - y0), maxCount: 4)
            ylo = (y0 / step).rounded(.down) * step; yhi = Swift.max(ylo + step, (y1 / step).rounded(.up) * step)
        }
        let chart = Chart(x: 0...Ticks.niceCeiling(Swift.max(1, xl)), y: ylo...yhi, xTitle: "iterations (all batches)", yTitle: "",
                          series: [.line(xs: xs, ys: ys, layer: Layer(Style(.fitAlt), priority: 2))],
                          legend: [("Δ log L, summed over batches", Style(.fitAlt))])
        chart.render(into: &buf, r, glyphs: g)
    }
}
