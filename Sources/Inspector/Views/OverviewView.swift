import Foundation
import SDDCore

/// Where the overview puts its meters (htop's per-core meters): one per cell, a label block (cell,
/// flag, Cu Kα and hardware-limit FWHM, events, note) and a braille mini-spectrum, in `columns`
/// columns of meters `meterHeight` rows tall. The shape is the one that shows every cell with the
/// most spectrum (width capped at 100 columns, times height); when no shape holds every cell, one-row
/// meters in as many columns as fit, page by page. Cells run left to right, then down.
public struct OverviewLayout: Equatable, Sendable {
    public let count: Int
    public let columns: Int
    public let meterHeight: Int
    /// Meter rows on one page.
    public let rowsPerPage: Int
    /// Width of one meter: label block plus spectrum.
    public let meterWidth: Int
    public var spectrumWidth: Int { Swift.max(1, meterWidth - Self.labelWidth) }
    public static let labelWidth = 19, minSpectrumWidth = 16, gap = 2, maxMeterHeight = 5
    /// Rows of the body that are not meters: legend, line labels, axis ticks, detail line.
    public static let chromeRows = 4

    /// - Parameters: width and height of the whole screen (tab and status bars included).
    public init(count: Int, width: Int, height: Int) {
        self.count = count
        let rows = Swift.max(1, height - 2 - Self.chromeRows)
        let minMeter = Self.labelWidth + Self.minSpectrumWidth
        let maxCols = Swift.max(1, (width + Self.gap) / (minMeter + Self.gap))
        var best: (score: Int, cols: Int, h: Int)? = nil
        for cols in 1...maxCols {
            let sw = (width + Self.gap) / cols - Self.gap - Self.labelWidth
            let need = (Swift.max(1, count) + cols - 1) / cols
            guard let h = stride(from: Self.maxMeterHeight, through: 1, by: -1).first(where: { $0 * need <= rows }) else { continue }
            let score = Swift.min(sw, 100) * h
            if best == nil || score > best!.score { best = (score, cols, h) }
        }
        columns = best?.cols ?? maxCols
        meterHeight = best?.h ?? 1
        rowsPerPage = Swift.max(1, rows / meterHeight)
        meterWidth = Swift.max(Self.labelWidth + 1, (width + Self.gap) / columns - Self.gap)
    }

    public var perPage: Int { columns * rowsPerPage }
    public var pageCount: Int { Swift.max(1, (count + perPage - 1) / perPage) }
    public func page(of i: Int) -> Int { Swift.max(0, i) / perPage }

    /// (meter column, meter row on its page) of a cell index.
    public func slot(_ i: Int) -> (col: Int, row: Int) {
        let k = i - page(of: i) * perPage
        return (k % columns, k / columns)
    }

    /// The cell index one step away (right/left: the next/previous cell; down/up: one meter row),
    /// across pages; nil past the ends.
    public func neighbour(of i: Int, dx: Int, dy: Int) -> Int? {
        let j = i + dx + dy * columns
        return j >= 0 && j < count ? j : nil
    }
}

/// View 1: every cell as a meter: its flag colour, Cu Kα and hardware-limit FWHM, and its
/// spectrum on one shared energy axis (under the calibration in use, each event at its own time)
/// with the profile's lines marked, so a cell whose peaks sit off the marks, or come doubled by
/// a gain step, stands out; `e` switches to ADC.
enum OverviewView {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer, _ body: Rect) {
        guard let d = s.dataset else { return }
        let g = s.glyphs
        let layout = OverviewLayout(count: d.cells.count, width: body.width, height: s.height)
        let spectra = s.overview.spectra
        let energy = s.overview.axis == .energy && !(spectra?.energy.isEmpty ?? true)
        let range = energy ? spectra!.energyRange
            : (spectra?.adcRange ?? d.cells.first.map { $0.spectrum.lowerEdge...$0.spectrum.upperEdge } ?? d.profile.adcWindow)
        let wide = body.width >= 120
        var legend: [(String, Style)] = [
            (String(g.swatch), Style(.good)), (" ok ", .normal),
            (String(g.swatch), Style(.warn)), (" check ", .normal),
            (String(g.swatch), Style(.bad)), (wide ? " miscalibrated " : " bad ", .normal),
            (String(g.swatch), Style(.dim)), (wide ? " not measured  " : " n/a ", .normal),
            (wide ? "* selected for before/after   " : "* in sum  ", Style(.accent)),
        ]
        if energy {
            legend.append((wide ? "spectra in energy under the calibration in use, lines marked (e: ADC)" : "energy (e: ADC)", Style(.label)))
        } else {
            legend.append((s.overview.axis == .energy ? (s.overview.pending || spectra == nil ? "spectra: computing…" : "ADC (no calibration yet)")
                           : (wide ? "spectra in ADC (e: energy)" : "ADC (e: energy)"), Style(.label)))
        }
        TextWidgets.spans(&buf, x: 1, y: body.y, maxX: body.maxX, legend, glyphs: g)

        let page = layout.page(of: s.selected)
        let first = page * layout.perPage, last = Swift.min(d.cells.count, first + layout.perPage)
        let top = body.y + 2
        let usedRows = (last - first + layout.columns - 1) / layout.columns
        let tickY = top + usedRows * layout.meterHeight
        // Per meter column: line labels above, ticks below, and the same line marks in every meter.
        let sw = layout.spectrumWidth
        let marks: [(Int, SpectralLine)] = energy ? d.profile.lines.compactMap { l in
            let f = (l.energy - range.lowerBound) / (range.upperBound - range.lowerBound)
            return f >= 0 && f < 1 ? (Int(f * Double(2 * sw)), l) : nil
        } : []
        for col in 0..<Swift.min(layout.columns, Swift.max(1, last - first)) {
            let sx = body.x + col * (layout.meterWidth + OverviewLayout.gap) + OverviewLayout.labelWidth
            if energy {
                let labels = marks.map { LabelLayout.Label(anchor: sx + $0.0 / 2, texts: LabelLayout.lineTexts($0.1.label).map(g.text), style: Style(.axis, bold: true)) }
                LabelLayout.draw(LabelLayout.place(labels, rows: 1, minX: sx, maxX: sx + sw, offset: -1, gap: 1).placed, into: &buf, y: body.y + 1)
            }
            ticks(&buf, x: sx, y: tickY, width: sw, range: range, energy: energy, glyphs: g)
        }
        let markDots = marks.map(\.0)
        for i in first..<last {
            let slot = layout.slot(i)
            let r = Rect(x: body.x + slot.col * (layout.meterWidth + OverviewLayout.gap), y: top + slot.row * layout.meterHeight,
                         width: layout.meterWidth, height: layout.meterHeight)
            guard r.maxY <= body.maxY else { continue }
            let c = d.cells[i]
            let bins = energy ? spectra?.energy[c.cell] : spectra?.adc[c.cell]
            drawMeter(c, bins: bins, marks: markDots, selected: i == s.selected, marked: s.selection.contains(c.cell), r, &buf, g)
        }
        detailLine(s, d, layout, first: first, last: last, &buf, y: Swift.min(body.maxY - 1, tickY + 1), maxX: body.maxX)
    }

    /// One meter: label block, then the mini-spectrum (log counts over 2.5 decades, the cell's
    /// largest bin full height) as an outline coloured by the flag when it is not ok, over dotted marks at the line energies.
    static func drawMeter(_ c: CellInfo, bins: [Float]?, marks: [Int], selected: Bool, marked: Bool, _ r: Rect,
                          _ buf: inout CellBuffer, _ g: GlyphSet) {
        let lw = OverviewLayout.labelWidth
        let base = selected ? Style(.selection, reverse: true) : Style.normal
        buf.fill(Rect(x: r.x, y: r.y, width: lw - 1, height: r.height), Cell(" ", base))
        let flag = Style(c.summary.flag.role, bold: true, reverse: selected)
        let id = String(c.cell)
        var x = r.x + buf.put(id.count >= 3 ? id : String(repeating: " ", count: 3 - id.count) + id, x: r.x, y: r.y, style: flag)
        x += buf.put(marked ? "*" : " ", x: x, y: r.y, style: Style(.accent, bold: true, reverse: selected))
        // Whole eV without String(format:): 384 meters a frame.
        func whole(_ v: Double?) -> String { v.flatMap { $0.isFinite && abs($0) < 1e9 ? String(Int($0.rounded())) : nil } ?? "--" }
        // The hardware limit `fit` and `report` use when known; "<" marks a Cu Kα FWHM more than 2σ below it.
        let hw = c.summary.hardwareLimit?.fwhm ?? c.summary.hardwareFWHM
        let below = c.summary.sigmasBelowHardwareLimit != nil
        let fw = "Cu " + whole(c.summary.cuKaFWHM) + (below ? "<hw " : " hw ") + whole(hw)
        let over = (c.summary.cuKaFWHM ?? 0) > (hw ?? .infinity) * 1.1
        let figureStyle = below ? Style(.bad, bold: true, reverse: selected) : (over && !selected ? Style(.warn) : base)
        buf.put(fw, x: x + 1, y: r.y, style: figureStyle, maxWidth: r.x + lw - 2 - x)
        if r.height >= 2 {
            buf.put(TextWidgets.pad(TextWidgets.count(Double(c.events)) + " ev", lw - 6, right: true), x: r.x, y: r.y + 1,
                    style: selected ? base : Style(.label), maxWidth: lw - 1)
        }
        if r.height >= 3, !c.summary.note.isEmpty {
            // The note, wrapped over the remaining rows of the label block.
            var words = g.text(c.summary.note).split(separator: " ").map(String.init)
            for y in (r.y + 2)..<r.maxY where !words.isEmpty {
                var line = ""
                while let w = words.first, line.isEmpty || line.count + 1 + w.count <= lw - 2 {
                    line += (line.isEmpty ? "" : " ") + w; words.removeFirst()
                }
                buf.put(line, x: r.x + 1, y: y, style: selected ? base : Style(c.summary.flag.role), maxWidth: lw - 2)
            }
        }
        let sw = r.width - lw
        guard sw >= 1 else { return }
        var canvas = BrailleCanvas(width: sw, height: r.height)
        let dh = canvas.dotHeight
        let markLayer = Layer(Style(.axis), priority: 1)
        for m in marks { for y in stride(from: 1, to: dh, by: 2) { canvas.set(m, y, markLayer) } }
        if let bins {
            let role: ColorRole = c.summary.flag == .warn ? .warn : (c.summary.flag == .bad ? .bad : .spectrum)
            let layer = Layer(Style(role), priority: 2)
            // An outline (each column joined to the last), so the marks show beneath it.
            var prev: Int? = nil
            for (px, h) in MiniSpectra.heights(bins, dots: canvas.dotWidth, levels: dh - 1).enumerated() {
                guard h >= 0 else { prev = nil; continue }
                let y = dh - 1 - h
                canvas.vline(px, prev ?? y, y, layer)
                prev = y
            }
        }
        canvas.draw(into: &buf, x: r.x + lw, y: r.y, glyphs: g)
    }

    /// Tick labels of the shared axis under one meter column (keV, or ADC).
    static func ticks(_ buf: inout CellBuffer, x: Int, y: Int, width: Int, range: ClosedRange<Double>, energy: Bool, glyphs g: GlyphSet) {
        let scale = energy ? 1000.0 : 1
        let r = (range.lowerBound / scale)...(range.upperBound / scale)
        let unit = energy ? " keV" : " ADC"
        var end = x - 1
        let ts = Ticks.linear(r, maxCount: Swift.max(2, width / 4))
        for t in ts {
            let c = x + Int((t.value - r.lowerBound) / (r.upperBound - r.lowerBound) * Double(width))
            guard c >= x, c < x + width else { continue }
            let start = Swift.max(x, c - t.label.count / 2)
            // The unit keeps the last columns.
            guard start > end, start + t.label.count < x + width - unit.count else { continue }
            end = start + buf.put(t.label, x: start, y: y, style: Style(.label))
        }
        if end < x + width - unit.count { buf.put(unit, x: x + width - unit.count, y: y, style: Style(.dim)) }
        _ = g
    }

    /// The selected cell in words (events, batches, figures, why it is flagged), which cells the
    /// page shows, and the keys that page and jump.
    static func detailLine(_ s: InspectorState, _ d: Dataset, _ layout: OverviewLayout, first: Int, last: Int,
                           _ buf: inout CellBuffer, y: Int, maxX: Int) {
        let g = s.glyphs
        var parts: [(String, Style)] = []
        parts.append(("cells \(d.cells[first].cell)–\(d.cells[last - 1].cell) of \(d.cells.count)", Style(.title, bold: true)))
        if layout.pageCount > 1 { parts.append(("  page \(layout.page(of: s.selected) + 1)/\(layout.pageCount) PgUp/PgDn", Style(.dim))) }
        parts.append(("  j jump", Style(.dim)))
        if let c = s.cell {
            parts.append(("  ·  cell \(c.cell)\(c.label.map { " " + $0 } ?? ""): ", Style(.label)))
            parts.append(("\(TextWidgets.count(Double(c.events))) ev, \(c.batches.count) batches", Style(.label)))
            if !c.summary.note.isEmpty { parts.append((" · " + c.summary.note, Style(c.summary.flag.role, bold: true))) }
            if let k = c.summary.sigmasBelowHardwareLimit, let f = c.summary.cuKaFWHM, let hw = c.summary.hardwareLimit {
                parts.append((String(format: " · Cu %.0f eV %.1fσ below the hardware limit %.0f (fitted noise)", f, k, hw.fwhm), Style(.bad, bold: true)))
            }
        }
        TextWidgets.spans(&buf, x: 1, y: y, maxX: maxX, parts, glyphs: g)
    }
}
