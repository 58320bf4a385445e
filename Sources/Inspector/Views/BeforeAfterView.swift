import Foundation
import LineFitting

/// View 5: the Cu Kα region of the selected cells (or of one cell) under the reference ("before": the
/// standard calibration in long batches, in the inspector's batches, or the truth) and under the
/// calibration in use ("after"), both fits, the Pauli-forbidden line, and the table-1 figures:
/// in-sample next to held-out (the chain rerun without each fold), the hardware limit, and a warning
/// for any FWHM more than 2σ below it.
enum BeforeAfterView {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer, _ body: Rect) {
        let g = s.glyphs, b = s.beforeAfter
        let ref = s.effectiveReference
        let cells = s.beforeAfterCells
        let beforeName = ref.label(s.dataset)
        let afterName = afterLabel(s)
        let range = BeforeAfterState.range
        let wide = body.width >= 120

        // Head: what is summed, what is compared, and the keys that change it.
        let scope = b.scope == .cell ? "cell \(cells.first.map(String.init) ?? "--")"
            : (s.selection.isEmpty ? "all \(cells.count) cells" : "\(cells.count) selected cell(s)")
        let title = wide ? "Cu Kα \(Int(range.lowerBound))–\(Int(range.upperBound)) eV, \(scope)" : "Cu Kα, \(scope)"
        var head: [(String, Style)] = [(title, Style(.title, bold: true)),
                                       ("  before: ", Style(.label)), (beforeName, Style(.fit, bold: true)),
                                       ("  after: ", Style(.label)), (afterName ?? "--", Style(.fitAlt, bold: true))]
        head.append((wide ? "   r reference · s \(b.scope == .summed ? "one cell" : "summed") · h held-out" : "  r s h", Style(.dim)))
        if b.pending { head.append(("  computing…", Style(.accent))) }
        TextWidgets.spans(&buf, x: 1, y: body.y, maxX: body.maxX, head, glyphs: g)

        let heldOut = b.heldOut.figures.flatMap { $0.request.cells == cells ? $0 : nil }
        let warnings = self.warnings(s, heldOut: heldOut, before: beforeName, after: afterName ?? "after")
        let shownWarnings = Array(warnings.prefix(Swift.max(0, Swift.min(2, body.height - 12))))
        var notes: [(String, Style)] = []
        if let m = b.message { notes.append((m, Style(.warn))) }
        let tableRows = 6 + shownWarnings.count
        let chartRect = Rect(x: body.x, y: body.y + 1, width: body.width, height: Swift.max(1, body.height - 1 - tableRows))
        chart(s, &buf, chartRect, before: beforeName, after: afterName, wide: wide)

        var y = chartRect.maxY
        table(s, &buf, x: body.x + 1, y: &y, maxX: body.maxX, before: beforeName, after: afterName, heldOut: heldOut, wide: wide)
        // The hardware limit.
        var hwLine: [(String, Style)] = []
        if let hw = b.result?.hardwareLimit {
            hwLine.append(("hardware limit " + FixedDecimal.format(hw.fwhm, decimals: 1) + " ± " + FixedDecimal.format(hw.error, decimals: 1) + " eV", Style(.label, bold: true)))
            hwLine.append((wide ? " (ENC and Fano from the strong lines' widths, \(hw.cells) cell(s)): no calibration makes Cu Kα narrower" : " (ENC, Fano)", Style(.dim)))
        } else if b.result != nil {
            hwLine.append(("hardware limit: --", Style(.dim)))
        }
        hwLine += notes.map { ("  " + $0.0, $0.1) }
        TextWidgets.spans(&buf, x: body.x + 1, y: y, maxX: body.maxX, hwLine, glyphs: g)
        y += 1
        heldOutLine(s, &buf, x: body.x + 1, y: y, maxX: body.maxX, heldOut: heldOut, wide: wide)
        y += 1
        for w in shownWarnings where y < body.maxY {
            TextWidgets.spans(&buf, x: body.x + 1, y: y, maxX: body.maxX, [(g.text("⚠ "), Style(.bad, bold: true)), (w, Style(.bad))], glyphs: g)
            y += 1
        }
    }

    /// The calibration "after" stands for: the optimization (accepted or waiting), else the standard
    /// calibration when the reference is another one; nil when there is nothing to compare.
    static func afterLabel(_ s: InspectorState) -> String? {
        guard let d = s.dataset, d.calibration != nil else { return nil }
        if d.optimized != nil { return s.optimize.phase == .accepted ? "optimized" : "optimized (not accepted)" }
        return s.effectiveReference == .standard ? nil : BeforeAfterReference.standard.label(d)
    }

    /// The chain stage whose held-out figure belongs to a row.
    static func stage(before s: InspectorState) -> ChainStage? {
        switch s.effectiveReference {
        case .longBatches: return .longBatches
        case .standard: return .standard
        case .truth: return nil
        }
    }

    static func stage(after s: InspectorState) -> ChainStage { s.dataset?.optimized != nil ? .refined : .standard }

    static func chart(_ s: InspectorState, _ buf: inout CellBuffer, _ r: Rect, before: String, after: String?, wide: Bool) {
        let b = s.beforeAfter
        var series: [Chart.Series] = []
        var legend: [(String, Style)] = []
        var peak = 1.0
        let beforeSt = Style(.spectrumAlt), afterSt = Style(.spectrum)
        if let h = b.beforeHistogram {
            series.append(.histogram(counts: h.counts, lowerEdge: h.lowerEdge, binWidth: h.binWidth, layer: Layer(beforeSt, priority: 1)))
            legend.append((wide ? "before: " + before : "before", beforeSt)); peak = Swift.max(peak, h.counts.max() ?? 0)
        }
        if let h = b.afterHistogram {
            series.append(.histogram(counts: h.counts, lowerEdge: h.lowerEdge, binWidth: h.binWidth, layer: Layer(afterSt, priority: 2)))
            legend.append((wide ? "after: " + (after ?? "--") : "after", afterSt)); peak = Swift.max(peak, h.counts.max() ?? 0)
        }
        let bw = b.beforeHistogram?.binWidth ?? b.afterHistogram?.binWidth ?? 1
        if let f = b.before { series.append(.line(xs: f.curveX, ys: f.curveY.map { $0 * bw }, layer: Layer(Style(.fit), priority: 3))); legend.append(("fit before", Style(.fit))) }
        if let f = b.after { series.append(.line(xs: f.curveX, ys: f.curveY.map { $0 * bw }, layer: Layer(Style(.fitAlt), priority: 4))); legend.append(("fit after", Style(.fitAlt))) }
        series.append(.vertical(x: BeforeAfterState.forbiddenLine, layer: Layer(Style(.forbidden), priority: 5),
                                label: "Pauli-forbidden 7746.73", dotted: true))
        let scale: AxisScale = b.logScale ? .log : .linear
        Chart(x: BeforeAfterState.range, y: Chart.countRange(max: peak, scale: scale), yScale: scale,
              xTitle: "eV", series: series, legend: legend).render(into: &buf, r, glyphs: s.glyphs)
    }

    /// Table 1: position and FWHM in-sample (the spectra above) and held-out, before and after.
    static func table(_ s: InspectorState, _ buf: inout CellBuffer, x: Int, y: inout Int, maxX: Int,
                      before: String, after: String?, heldOut: HeldOutFigures?, wide: Bool) {
        let g = s.glyphs, b = s.beforeAfter
        let nameW = wide ? 34 : 8, posW = 15, fwW = 14, chiW = wide ? 8 : 0
        func cellText(_ v: Double?, _ e: Double?) -> String {
            guard let v, v.isFinite else { return "--" }
            return TextWidgets.num(v) + " ± " + TextWidgets.num(e)
        }
        let blockW = posW + fwW + chiW
        var header = TextWidgets.pad(wide ? "Cu Kα" : "", nameW)
        func centred(_ t: String, _ w: Int) -> String {
            let left = Swift.max(0, (w - t.count) / 2)
            return TextWidgets.pad(String(repeating: " ", count: left) + t, w)
        }
        header += centred("in-sample", blockW) + "  " + centred(wide ? "held-out (\(BeforeAfterState.folds)-fold cross-fitted)" : "held-out (\(BeforeAfterState.folds) folds)", blockW)
        var sub = TextWidgets.pad("", nameW)
        for _ in 0..<2 {
            sub += TextWidgets.pad("position eV", posW, right: true) + TextWidgets.pad("FWHM eV", fwW, right: true)
            if chiW > 0 { sub += TextWidgets.pad("χ²/ndf", chiW, right: true) }
            sub += "  "
        }
        buf.put(g.text(header), x: x, y: y, style: Style(.label, bold: true), maxWidth: maxX - x)
        y += 1
        buf.put(g.text(sub), x: x, y: y, style: Style(.label, underline: true), maxWidth: maxX - x)
        y += 1
        let beforeStage = stage(before: s), afterStage = stage(after: s)
        let rows: [(String, PeakFitSummary?, CuKalphaFigure?, Style)] = [
            (wide ? "before: " + before : "before", b.before,
             beforeStage.flatMap { heldOut?.row($0)?.heldOut }
                ?? (s.effectiveReference == .truth && heldOut != nil ? b.before.map(figure) : nil), Style(.fit)),
            (wide ? "after: " + (after ?? "--") : "after", b.after, after == nil ? nil : heldOut?.row(afterStage)?.heldOut, Style(.fitAlt)),
        ]
        for (name, f, h, st) in rows {
            var row = TextWidgets.pad(name, nameW)
            if after == nil && name.hasPrefix("after") {
                row += s.dataset?.calibration == nil ? "waiting for a calibration" : "no optimized calibration yet (view 4)"
            } else {
                row += TextWidgets.pad(cellText(f?.position, f?.positionError), posW, right: true)
                row += TextWidgets.pad(cellText(f?.fwhm, f?.fwhmError), fwW, right: true)
                if chiW > 0 { row += TextWidgets.pad(TextWidgets.num(f?.chi2PerNdf, decimals: 2), chiW, right: true) }
                row += "  "
                row += TextWidgets.pad(cellText(h?.position, h?.positionError), posW, right: true)
                row += TextWidgets.pad(cellText(h?.fwhm, h?.fwhmError), fwW, right: true)
                if chiW > 0 { row += TextWidgets.pad(TextWidgets.num(h?.chi2PerNDF, decimals: 2), chiW, right: true) }
            }
            buf.put(g.text(row), x: x, y: y, style: st, maxWidth: maxX - x)
            y += 1
        }
    }

    static func figure(_ f: PeakFitSummary) -> CuKalphaFigure {
        CuKalphaFigure(position: f.position, positionError: f.positionError ?? .nan, fwhm: f.fwhm, fwhmError: f.fwhmError ?? .nan,
                       chi2PerNDF: f.chi2PerNdf)
    }

    /// Where the held-out figures are: how to start them, their progress (c cancels), or what they are.
    static func heldOutLine(_ s: InspectorState, _ buf: inout CellBuffer, x: Int, y: Int, maxX: Int, heldOut: HeldOutFigures?, wide: Bool) {
        let g = s.glyphs, h = s.beforeAfter.heldOut
        var parts: [(String, Style)] = [("held-out: ", Style(.label, bold: true))]
        switch h.phase {
        case .running, .cancelling:
            let barW = wide ? 20 : 10
            TextWidgets.spans(&buf, x: x, y: y, maxX: maxX, parts, glyphs: g)
            TextWidgets.bar(&buf, x: x + 10, y: y, width: barW, fraction: h.fraction ?? 0, glyphs: g, style: Style(.accent))
            let text = (h.phase == .cancelling ? "cancelling (after the current step)… " : "") + (h.progress ?? "") + (h.phase == .running ? "  c cancel" : "")
            TextWidgets.spans(&buf, x: x + 11 + barW, y: y, maxX: maxX, [(text, Style(.accent))], glyphs: g)
            return
        case .failed(let e):
            parts.append(("failed: " + e + "  h retries", Style(.bad)))
        case .idle, .finished, .cancelled:
            if let f = heldOut {
                parts.append((wide ? "each event calibrated by the chain rerun without its fold (\(f.chain))" : f.chain, Style(.dim)))
            } else if !s.services.heldOut {
                parts.append(("not available in this build", Style(.dim)))
            } else if s.dataset?.events == nil {
                parts.append(("needs an event file", Style(.dim)))
            } else {
                let what = h.phase == .cancelled ? "cancelled; " : (h.figures != nil ? "for other cells; " : "")
                parts.append((what + (wide ? "h reruns the whole chain without each of \(BeforeAfterState.folds) folds (background, c cancels)"
                                            : "h computes (\(BeforeAfterState.folds) folds, background)"), Style(.dim)))
            }
        }
        TextWidgets.spans(&buf, x: x, y: y, maxX: maxX, parts, glyphs: g)
    }

    /// Issue 11's warning: every figure on screen more than 2σ below the hardware limit.
    static func warnings(_ s: InspectorState, heldOut: HeldOutFigures?, before: String, after: String) -> [String] {
        let b = s.beforeAfter
        guard let hw = b.result?.hardwareLimit else { return [] }
        var figs: [(String, Double?, Double?)] = [("before in-sample", b.before?.fwhm, b.before?.fwhmError),
                                                  ("after in-sample", b.after?.fwhm, b.after?.fwhmError)]
        if let h = heldOut {
            if let st = stage(before: s), let r = h.row(st) { figs.append(("before held-out", r.heldOut.fwhm, r.heldOut.fwhmError)) }
            if afterLabel(s) != nil, let r = h.row(stage(after: s)) { figs.append(("after held-out", r.heldOut.fwhm, r.heldOut.fwhmError)) }
        }
        return figs.compactMap { name, f, e in
            HardwareLimitCheck.sigmasBelow(hw, fwhm: f, error: e).map {
                String(format: "%@ %.1f eV: %.1fσ below the hardware limit (fitted noise; trust held-out)", name, f!, $0)
            }
        }
    }
}
