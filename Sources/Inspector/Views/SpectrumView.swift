import Foundation
import SDDCore

/// Layer priorities: where layers share a cell the higher one sets its colour (style.md).
enum Priority {
    static let spectrum: UInt8 = 1, fit: UInt8 = 2, scipy: UInt8 = 3, cnn: UInt8 = 4, selected: UInt8 = 5, cursor: UInt8 = 6
}

/// View 2: one cell's spectrum with axes, centroid overlays, cursor readout, batch selector and
/// the p0/p1/p2 strip.
enum SpectrumView {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer, _ body: Rect) {
        guard let c = s.cell, let h = s.histogram else { return }
        let g = s.glyphs
        infoLine(s, c, &buf, y: body.y, maxX: body.maxX)
        let stripRows = body.height >= 18 ? 4 : (body.height >= 12 ? 1 : 0)
        let chartRect = Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 2 - stripRows)
        let layout = chart(s, h, markers: true).render(into: &buf, chartRect, glyphs: g)
        // Readout under the chart.
        let cur = s.cursorADC
        var parts: [(String, Style)] = [("cursor ", Style(.dim)), ("ADC " + FixedDecimal.format(cur, decimals: 1), Style(.cursor, bold: true))]
        if let cal = s.calibration { parts.append((" · " + FixedDecimal.format(cal.energy(cur), decimals: 1) + " eV", Style(.cursor, bold: true))) }
        let counts = h.bin(of: cur).map { h.counts[$0] } ?? 0
        parts.append((" · " + FixedDecimal.format(counts, decimals: 0) + " counts", Style(.cursor, bold: true)))
        let w = s.spectrumWindow
        parts.append(("   window " + FixedDecimal.format(w.lowerBound, decimals: 0) + "–" + FixedDecimal.format(w.upperBound, decimals: 0), Style(.dim)))
        parts.append((s.spectrum.logScale ? " · log" : " · linear", Style(.dim)))
        TextWidgets.spans(&buf, x: body.x + 1, y: chartRect.maxY, maxX: body.maxX, parts, glyphs: g)
        _ = layout
        if stripRows >= 1 { BatchStrip.render(s, c, &buf, Rect(x: body.x, y: chartRect.maxY + 1, width: body.width, height: stripRows)) }
    }

    static func infoLine(_ s: InspectorState, _ c: CellInfo, _ buf: inout CellBuffer, y: Int, maxX: Int) {
        var parts: [(String, Style)] = [("cell \(c.cell)\(c.label.map { " " + $0 } ?? "")", Style(.title, bold: true))]
        if let b = s.batch, b < c.batches.count {
            let bi = c.batches[b]
            parts.append((" · batch \(b + 1)/\(c.batches.count) ", Style(.label)))
            parts.append(("(\(TextWidgets.duration(bi.start))–\(TextWidgets.duration(bi.end))) ", Style(.dim)))
            parts.append(("\(bi.events) ev", Style(.label)))
        } else {
            parts.append((" · all \(c.batches.count) batches · \(c.events) ev", Style(.label)))
        }
        if let cal = s.calibration {
            let used = parts.reduce(1) { $0 + $1.0.count }
            let long = " · E = " + FixedDecimal.format(cal.p0, decimals: 1) + " + " + FixedDecimal.format(cal.p1, decimals: 4) + "·ADC "
                + (cal.p2 < 0 ? "−" : "+") + String(format: " %.2e·ADC²", abs(cal.p2))
            let short = " · " + FixedDecimal.format(cal.slope(s.cursorADC), decimals: 4) + " eV/ADC"
            parts.append((used + long.count < maxX ? long : short, Style(.dim)))
        } else {
            parts.append((" · not calibrated yet", Style(.warn)))
        }
        TextWidgets.spans(&buf, x: 1, y: y, maxX: maxX, parts, glyphs: s.glyphs)
    }

    /// The spectrum chart of the current window with overlays (used by the seeds view too).
    static func chart(_ s: InspectorState, _ h: Histogram, markers: Bool, window: ClosedRange<Double>? = nil,
                      extra: [Chart.Series] = [], extraLegend: [(String, Style)] = []) -> Chart {
        let w = window ?? s.spectrumWindow
        let scale: AxisScale = s.spectrum.logScale ? .log : .linear
        var peak = 0.0
        if let a = h.bin(of: w.lowerBound) ?? (w.lowerBound < h.lowerEdge ? 0 : nil),
           let b = h.bin(of: w.upperBound) ?? (w.upperBound >= h.upperEdge ? h.binCount - 1 : nil), a <= b {
            for i in a...b where h.counts[i] > peak { peak = h.counts[i] }
        }
        var series: [Chart.Series] = [.histogram(counts: h.counts, lowerEdge: h.lowerEdge, binWidth: h.binWidth,
                                                 layer: Layer(Style(.spectrum), priority: Priority.spectrum))]
        var legend: [(String, Style)] = [("spectrum", Style(.spectrum))]
        if markers {
            let labels = Set((s.cnn ?? []).compactMap(\.lineID))
            for m in s.scipy ?? [] {
                let name = m.lineID.flatMap { SpectralLine(id: $0)?.label }
                series.append(.vertical(x: m.adc, layer: Layer(Style(.scipy), priority: Priority.scipy),
                                        label: m.lineID.map { labels.contains($0) } == true ? nil : name, dotted: true))
            }
            for m in s.cnn ?? [] {
                series.append(.vertical(x: m.adc, layer: Layer(Style(.cnn), priority: Priority.cnn),
                                        label: m.lineID.flatMap { SpectralLine(id: $0)?.label }, dotted: true))
            }
            legend.append((s.services.cnn ? "CNN centroids" : "CNN n/a", Style(.cnn)))
            legend.append((s.services.scipy ? "SciPy centroids" : "SciPy n/a", Style(.scipy)))
        }
        // The line a flag pointed at, where the calibration puts it.
        if markers, let id = s.spectrum.highlight, let line = SpectralLine(id: id), let adc = s.calibration?.adc(forEnergy: line.energy) {
            series.append(.vertical(x: adc, layer: Layer(Style(.selection, bold: true), priority: Priority.selected),
                                    label: line.label, dotted: false))
            legend.append(("flag: " + line.label, Style(.selection, bold: true)))
        }
        series += extra
        legend += extraLegend
        series.append(.vertical(x: s.cursorADC, layer: Layer(Style(.cursor), priority: Priority.cursor), label: nil, dotted: false))
        var ticks: [Tick]? = nil
        var title = "ADC"
        if s.spectrum.energyAxis, let cal = s.calibration {
            let e0 = cal.energy(w.lowerBound), e1 = cal.energy(w.upperBound)
            if e1 > e0 {
                let t = Ticks.linear(e0...e1, maxCount: Swift.max(2, (s.width - 10) / 10))
                let step = t.count > 1 ? (t[1].value - t[0].value) : 1000
                ticks = t.compactMap { tk in cal.adc(forEnergy: tk.value).map { Tick($0, Ticks.label(tk.value / 1000, step: step / 1000)) } }
                title = "keV"
            }
        }
        return Chart(x: w, y: Chart.countRange(max: peak, scale: scale), yScale: scale, xTicks: ticks,
                     xTitle: title, yTitle: "", series: series, legend: legend)
    }
}

/// The batch selector and a strip of p0, p1, p2 against batch mid-time under the spectrum
/// (standard calibration; an optimized one overlaid in its own colour).
enum BatchStrip {
    static func render(_ s: InspectorState, _ c: CellInfo, _ buf: inout CellBuffer, _ r: Rect) {
        let g = s.glyphs
        // Selector: "batches [all] 1 2 3 …", scrolled to keep the current batch visible.
        var x = buf.put("batches ", x: r.x + 1, y: r.y, style: Style(.dim)) + r.x + 1
        x += buf.put(" all ", x: x, y: r.y, style: s.batch == nil ? Style(.selection, bold: true, reverse: true) : Style(.label))
        let n = c.batches.count
        let cur = s.batch ?? 0
        let labelW = String(n).count + 1
        let fit = Swift.max(1, (r.maxX - x - 4) / labelW)
        let first = Swift.max(0, Swift.min(n - fit, cur - fit / 2))
        if first > 0 { x += buf.put("…", x: x, y: r.y, style: Style(.dim)) }
        for i in first..<Swift.min(n, first + fit) {
            let st = s.batch == i ? Style(.selection, bold: true, reverse: true) : Style(.label)
            x += buf.put(TextWidgets.pad("\(i + 1)", labelW, right: true), x: x, y: r.y, style: st)
        }
        if first + fit < n { buf.put("…", x: x, y: r.y, style: Style(.dim)) }
        guard r.height >= 4, n >= 1 else { return }
        // p0, p1, p2 per batch (standard calibration; optimized overlaid when present).
        let std = c.batches.indices.map { Dataset.calibration(s.dataset?.calibration, cell: c, batch: $0) }
        let opt = c.batches.indices.map { Dataset.calibration(s.dataset?.optimized, cell: c, batch: $0) }
        let names = ["p0", "p1", "p2"]
        for k in 0..<3 {
            let y = r.y + 1 + k
            buf.put(names[k], x: r.x + 1, y: y, style: Style(.label))
            let vals = std.map { $0?.coefficients[k] }
            let ovals = opt.map { $0?.coefficients[k] }
            let all = (vals + ovals).compactMap { $0 }
            guard let lo = all.min(), let hi = all.max() else {
                buf.put("--", x: r.x + 4, y: y, style: Style(.dim)); continue
            }
            let rangeText = k == 2 ? String(format: "%.2e…%.2e", lo, hi) : String(format: k == 0 ? "%.1f…%.1f" : "%.4f…%.4f", lo, hi)
            let cw = Swift.max(4, r.width - 6 - rangeText.count)
            var canvas = BrailleCanvas(width: cw, height: 1)
            // x: the batch's mid-time over the cell's time span (batches of a count are not evenly spaced).
            let mids = c.batches.map { ($0.start + $0.end) / 2 }
            let t0 = mids.first ?? 0, span = Swift.max(1e-9, (mids.last ?? 0) - t0)
            let dots = Double(canvas.dotWidth - 1)
            let xOf = { (i: Int) -> Int in n > 1 ? Int(((mids[i] - t0) / span * dots).rounded()) : 0 }
            let yOf = { (v: Double) -> Int in hi > lo ? 3 - Int(((v - lo) / (hi - lo) * 3).rounded()) : 2 }
            for (series, st, pr) in [(vals, Style(.spectrum), UInt8(1)), (ovals, Style(.fitAlt), UInt8(2))] {
                var prev: (Int, Int)? = nil
                for (i, v) in series.enumerated() {
                    guard let v else { prev = nil; continue }
                    let p = (xOf(i), yOf(v))
                    if let q = prev { canvas.line(q.0, q.1, p.0, p.1, Layer(st, priority: pr)) } else { canvas.set(p.0, p.1, Layer(st, priority: pr)) }
                    prev = p
                }
            }
            if let b = s.batch { canvas.vline(xOf(b), 0, 3, Layer(Style(.cursor), priority: 3)) }
            canvas.draw(into: &buf, x: r.x + 4, y: y, glyphs: g)
            buf.put(g.text(rangeText), x: r.x + 5 + cw, y: y, style: Style(.dim), maxWidth: r.maxX - r.x - 5 - cw)
        }
    }
}
