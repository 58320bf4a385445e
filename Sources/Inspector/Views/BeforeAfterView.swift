import Foundation

/// View 5: the Cu Kα region summed over the selected cells under the standard and the optimized
/// calibration, both fits, the table-1 figures, and the Pauli-forbidden line position.
enum BeforeAfterView {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer, _ body: Rect) {
        let g = s.glyphs, b = s.beforeAfter
        let nCells = s.selection.isEmpty ? (s.dataset?.cells.count ?? 0) : s.selection.count
        var head: [(String, Style)] = [("Cu Kα, \(Int(BeforeAfterState.range.lowerBound))–\(Int(BeforeAfterState.range.upperBound)) eV, summed over \(nCells) cell(s)", Style(.label))]
        if b.pending { head.append(("  computing…", Style(.accent))) }
        if let m = b.message { head.append(("  " + m, Style(.warn))) }
        TextWidgets.spans(&buf, x: 1, y: body.y, maxX: body.maxX, head, glyphs: g)
        let tableRows = 3
        let r = Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1 - tableRows)
        var series: [Chart.Series] = []
        var legend: [(String, Style)] = []
        var peak = 1.0
        let beforeSt = Style(.spectrumAlt), afterSt = Style(.spectrum)
        if let h = b.beforeHistogram {
            series.append(.histogram(counts: h.counts, lowerEdge: h.lowerEdge, binWidth: h.binWidth, layer: Layer(beforeSt, priority: 1)))
            legend.append(("before", beforeSt)); peak = Swift.max(peak, h.counts.max() ?? 0)
        }
        if let h = b.afterHistogram {
            series.append(.histogram(counts: h.counts, lowerEdge: h.lowerEdge, binWidth: h.binWidth, layer: Layer(afterSt, priority: 2)))
            legend.append(("after", afterSt)); peak = Swift.max(peak, h.counts.max() ?? 0)
        }
        let bw = b.beforeHistogram?.binWidth ?? b.afterHistogram?.binWidth ?? 1
        if let f = b.before { series.append(.line(xs: f.curveX, ys: f.curveY.map { $0 * bw }, layer: Layer(Style(.fit), priority: 3))); legend.append(("fit before", Style(.fit))) }
        if let f = b.after { series.append(.line(xs: f.curveX, ys: f.curveY.map { $0 * bw }, layer: Layer(Style(.fitAlt), priority: 4))); legend.append(("fit after", Style(.fitAlt))) }
        series.append(.vertical(x: BeforeAfterState.forbiddenLine, layer: Layer(Style(.forbidden), priority: 5),
                                label: "Pauli-forbidden 7746.73", dotted: true))
        let scale: AxisScale = b.logScale ? .log : .linear
        Chart(x: BeforeAfterState.range, y: Chart.countRange(max: peak, scale: scale), yScale: scale,
              xTitle: "eV", series: series, legend: legend).render(into: &buf, r, glyphs: g)
        // Table 1.
        let ty = r.maxY
        let head2 = TextWidgets.pad("", 8) + TextWidgets.pad("position (eV)", 18, right: true) + TextWidgets.pad("FWHM (eV)", 16, right: true)
            + TextWidgets.pad("χ²/ndf", 22, right: true)
        buf.put(g.text(head2), x: body.x + 1, y: ty, style: Style(.label, underline: true))
        for (i, (name, f, st)) in [("before", b.before, Style(.fit)), ("after", b.after, Style(.fitAlt))].enumerated() {
            var row = TextWidgets.pad(name, 8)
            if let f {
                row += TextWidgets.pad(TextWidgets.num(f.position, "%.1f") + " ± " + TextWidgets.num(f.positionError, "%.1f"), 18, right: true)
                row += TextWidgets.pad(TextWidgets.num(f.fwhm, "%.1f") + " ± " + TextWidgets.num(f.fwhmError, "%.1f"), 16, right: true)
                row += TextWidgets.pad(String(format: "%.1f/%d = %.2f", f.chi2, f.ndf, f.chi2PerNdf), 22, right: true)
            } else {
                row += TextWidgets.pad(name == "after" && s.dataset?.optimized == nil ? "no optimized calibration yet (view 4)" : "--", 50, right: false)
            }
            buf.put(g.text(row), x: body.x + 1, y: ty + 1 + i, style: st)
        }
    }
}
