import Foundation
import SDDCore

/// View 3: seeds of the calibration lines, the line fits started from them, and the calibration
/// refitted through the fitted centroids with its residuals.
enum SeedsView {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer, _ body: Rect) {
        guard let c = s.cell, let h = s.histogram else { return }
        let g = s.glyphs
        SpectrumView.infoLine(s, c, &buf, y: body.y, maxX: body.maxX)
        let lines = s.seedLines
        // Table of lines.
        let header = TextWidgets.pad("line", 8) + TextWidgets.pad("E (eV)", 9, right: true) + TextWidgets.pad("seed", 8, right: true)
            + TextWidgets.pad("fit ADC", 10, right: true) + TextWidgets.pad("± ", 6, right: true)
            + TextWidgets.pad("resid eV", 10, right: true) + "  " + (body.width >= 100 ? "residual" : "")
        buf.put(g.text(header), x: body.x + 2, y: body.y + 1, style: Style(.label, underline: true))
        let fit = s.seeds.calibrationFit
        let maxRes = Swift.max(5, (fit?.residuals.values.map(abs).max() ?? 0))
        for (i, line) in lines.enumerated() {
            let y = body.y + 2 + i
            let sel = i == s.seeds.selected
            let st = sel ? Style(.selection, bold: true, reverse: true) : Style.normal
            if sel { buf.set(body.x, y, g.pointer, Style(.accent, bold: true)) }
            let f = s.seeds.fits[line.id]
            let res = fit?.residuals[line.id]
            var row = TextWidgets.pad(line.label, 8) + TextWidgets.pad(FixedDecimal.format(line.energy, decimals: 1), 9, right: true)
            row += TextWidgets.pad(TextWidgets.num(s.seeds.seeds[line.id], decimals: 0), 8, right: true)
            row += TextWidgets.pad(TextWidgets.num(f?.position, decimals: 2), 10, right: true)
            row += TextWidgets.pad(TextWidgets.num(f?.positionError, decimals: 2), 6, right: true)
            row += TextWidgets.pad(TextWidgets.num(res, decimals: 1, plusSign: true), 10, right: true)
            buf.put(g.text(row), x: body.x + 2, y: y, style: st)
            // Residual bar: centred, scaled to the largest residual.
            let barW = Swift.min(21, body.maxX - (body.x + 2 + row.count + 3))
            if let r = res, barW >= 5 {
                let mid = body.x + 2 + row.count + 3 + barW / 2
                let n = Int((abs(r) / maxRes * Double(barW / 2)).rounded())
                buf.set(mid, y, g.vertical, Style(.axis))
                for k in 1...Swift.max(1, n) where n > 0 {
                    buf.set(mid + (r < 0 ? -k : k), y, g.barFull, Style(abs(r) > 20 ? .bad : .good))
                }
            }
        }
        var y = body.y + 2 + lines.count
        var parts: [(String, Style)] = [("refit: ", Style(.dim))]
        if let f = fit {
            let cal = f.calibration
            parts.append((String(format: "E = %.2f + %.5f·ADC %@ %.3e·ADC²", cal.p0, cal.p1, cal.p2 < 0 ? "−" : "+", abs(cal.p2)), Style(.fitAlt, bold: true)))
            parts.append((String(format: "  χ²/ndf %.1f/%d", f.chi2, f.ndf), Style(.label)))
        } else {
            parts.append((s.services.lineFit ? "←/→ nudges the selected seed and refits" : "line fitting not available in this build", Style(.dim)))
        }
        if s.seeds.pending { parts.append(("  fitting…", Style(.accent))) }
        if !s.seeds.undo.isEmpty { parts.append(("  \(s.seeds.undo.count) nudge(s), u undoes", Style(.dim))) }
        if fit != nil && !s.seeds.pending { parts.append(("  w writes it into the calibration", Style(.dim))) }
        TextWidgets.spans(&buf, x: body.x + 2, y: y, maxX: body.maxX, parts, glyphs: g)
        y += 1
        if let m = s.seeds.message {
            buf.put(g.text(m), x: body.x + 2, y: y, style: Style(.warn), maxWidth: body.width - 3)
        } else if !s.handSeeds.isEmpty {
            let n = s.handSeeds.count
            let t = "hand-set seeds for \(n) spectr\(n == 1 ? "um" : "a")" + (s.seeds.savedTo.map { ", saved to \($0)" }
                ?? (s.services.saveSeeds ? "" : " (--seeds FILE keeps them; calibrate --seeds-file replays them)"))
            buf.put(g.text(t), x: body.x + 2, y: y, style: Style(.dim), maxWidth: body.width - 3)
        }
        y += 1
        // The spectrum around the selected line: seed, fitted centroid and fitted curve.
        guard y + 4 < body.maxY, s.seeds.selected < lines.count else { return }
        let line = lines[s.seeds.selected]
        let seed = s.seeds.seeds[line.id] ?? s.cursorADC
        // ±700 eV: the line and its neighbour (Kβ is 420–600 eV above Kα for Ti and Mn).
        let halfSpan = Swift.max(60, (s.calibration.map { 700 / $0.slope(seed) } ?? 240))
        let lo = Swift.max(h.lowerEdge, seed - halfSpan), hi = Swift.min(h.upperEdge, seed + halfSpan)
        var extra: [Chart.Series] = [.vertical(x: seed, layer: Layer(Style(.selection, bold: true), priority: Priority.selected),
                                              label: "seed " + line.label, dotted: false)]
        // The other lines' seeds inside the window (neighbours such as Kβ next to Kα), labelled.
        for other in lines where other.id != line.id {
            guard let x = s.seeds.seeds[other.id], x > lo, x < hi else { continue }
            extra.append(.vertical(x: x, layer: Layer(Style(.label), priority: Priority.scipy), label: other.label, dotted: true))
        }
        var legend: [(String, Style)] = [("seed", Style(.selection))]
        if let f = s.seeds.fits[line.id] {
            extra.append(.line(xs: f.curveX, ys: f.curveY.map { $0 * h.binWidth }, layer: Layer(Style(.fitAlt), priority: Priority.fit)))
            extra.append(.vertical(x: f.position, layer: Layer(Style(.fitAlt), priority: Priority.fit), label: nil, dotted: true))
            legend.append(("line fit", Style(.fitAlt)))
        }
        var st = s
        st.spectrum.cursor = seed
        let chart = SpectrumView.chart(st, h, markers: false, window: lo...Swift.max(lo + 10, hi), extra: extra, extraLegend: legend)
        chart.render(into: &buf, Rect(x: body.x, y: y, width: body.width, height: body.maxY - y), glyphs: g)
    }
}
