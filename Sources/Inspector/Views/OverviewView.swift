import Foundation

/// Grid positions of the overview: cells in arrays of 8 (VIP-2: 4 arrays of 2×4 cells), each
/// array a block of 2 rows × 4 columns; as many blocks side by side as the width allows.
public struct OverviewLayout: Equatable, Sendable {
    public let count: Int
    public let blocksPerRow: Int
    public let boxWidth: Int
    public let boxHeight: Int
    public static let cellsPerArray = 8, columnsPerArray = 4, minBoxWidth = 19

    public init(count: Int, width: Int, height: Int) {
        self.count = count
        let bw = Self.columnsPerArray * Self.minBoxWidth + 2
        let arrays = Swift.max(1, (count + Self.cellsPerArray - 1) / Self.cellsPerArray)
        blocksPerRow = Swift.max(1, Swift.min(arrays, width / bw))
        boxWidth = Swift.max(10, (width / blocksPerRow - 2) / Self.columnsPerArray)
        let blockRows = (arrays + blocksPerRow - 1) / blocksPerRow
        let avail = height - 2 - 1 - blockRows
        boxHeight = Swift.max(2, Swift.min(4, avail / Swift.max(1, blockRows * 2)))
    }

    /// (grid column, grid row) of a cell index.
    public func position(_ i: Int) -> (col: Int, row: Int) {
        let block = i / Self.cellsPerArray, within = i % Self.cellsPerArray
        return ((block % blocksPerRow) * Self.columnsPerArray + within % Self.columnsPerArray,
                (block / blocksPerRow) * 2 + within / Self.columnsPerArray)
    }

    /// The cell index one step away on the grid, if there is one.
    public func neighbour(of i: Int, dx: Int, dy: Int) -> Int? {
        let p = position(i)
        let target = (p.col + dx, p.row + dy)
        return (0..<count).first { let q = position($0); return q.col == target.0 && q.row == target.1 }
    }
}

/// View 1: every cell with its counts, Cu Kα FWHM, hardware-limit FWHM and flag colour.
enum OverviewView {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer, _ body: Rect) {
        guard let d = s.dataset else { return }
        let g = s.glyphs
        let layout = OverviewLayout(count: d.cells.count, width: body.width, height: s.height)
        // Legend line.
        TextWidgets.spans(&buf, x: 1, y: body.y, maxX: body.maxX, [
            (body.width >= 120 ? "events · Cu Kα FWHM / hardware-limit FWHM (eV)   " : "Cu Kα FWHM / hw limit (eV) ", Style(.label)),
            (String(g.swatch), Style(.good)), (" ok ", .normal),
            (String(g.swatch), Style(.warn)), (" check ", .normal),
            (String(g.swatch), Style(.bad)), (body.width >= 120 ? " miscalibrated " : " bad ", .normal),
            (String(g.swatch), Style(.dim)), (body.width >= 120 ? " not measured  " : " n/a ", .normal),
            (body.width >= 120 ? "* selected for before/after" : "* in sum", Style(.accent)),
        ], glyphs: g)
        let blockRowHeight = 1 + 2 * layout.boxHeight
        let sel = layout.position(s.selected)
        // Scroll so the selected row shows.
        let visibleBlockRows = Swift.max(1, (body.height - 1) / blockRowHeight)
        let firstBlockRow = Swift.max(0, sel.row / 2 - visibleBlockRows + 1)
        for (i, c) in d.cells.enumerated() {
            let p = layout.position(i)
            let blockRow = p.row / 2 - firstBlockRow
            guard blockRow >= 0, blockRow < visibleBlockRows else { continue }
            let top = body.y + 1 + blockRow * blockRowHeight
            let blockCol = p.col / OverviewLayout.columnsPerArray
            let x0 = body.x + blockCol * (OverviewLayout.columnsPerArray * layout.boxWidth + 2)
            if i % OverviewLayout.cellsPerArray == 0 {
                let last = Swift.min(d.cells.count, i + OverviewLayout.cellsPerArray) - 1
                buf.put(g.text("array \(i / OverviewLayout.cellsPerArray + 1) · cells \(c.cell)–\(d.cells[last].cell)"),
                        x: x0 + 1, y: top, style: Style(.title, bold: true))
            }
            let r = Rect(x: x0 + 1 + (p.col % OverviewLayout.columnsPerArray) * layout.boxWidth,
                         y: top + 1 + (p.row % 2) * layout.boxHeight, width: layout.boxWidth - 1, height: layout.boxHeight)
            guard r.maxY <= body.maxY else { continue }
            drawBox(c, selected: i == s.selected, marked: s.selection.contains(c.cell), r, &buf, g)
        }
        if d.cells.count > 0, visibleBlockRows * 2 <= layout.position(d.cells.count - 1).row {
            buf.put(g.text("↑↓ scroll: row \(sel.row + 1)"), x: body.maxX - 16, y: body.y, style: Style(.dim))
        }
    }

    static func drawBox(_ c: CellInfo, selected: Bool, marked: Bool, _ r: Rect, _ buf: inout CellBuffer, _ g: GlyphSet) {
        let base = selected ? Style(.selection, reverse: true) : Style.normal
        buf.fill(r, Cell(" ", base))
        let flag = Style(c.summary.flag.role, bold: true, reverse: selected)
        let id = TextWidgets.pad("\(c.cell)", 3, right: true)
        var x = buf.put(id, x: r.x, y: r.y, style: flag)
        x += buf.put(marked ? "*" : " ", x: r.x + x, y: r.y, style: Style(.accent, bold: true, reverse: selected))
        let counts = TextWidgets.count(Double(c.events))
        buf.put(TextWidgets.pad(counts, r.width - x - 3, right: true) + " ev", x: r.x + x, y: r.y, style: base.role == .normal ? Style(.label) : base)
        let fw = "Cu " + TextWidgets.num(c.summary.cuKaFWHM, "%.0f") + " hw " + TextWidgets.num(c.summary.hardwareFWHM, "%.0f")
        let over = (c.summary.cuKaFWHM ?? 0) > (c.summary.hardwareFWHM ?? .infinity) * 1.1
        buf.put(fw, x: r.x + 1, y: r.y + 1, style: over && !selected ? Style(.warn) : base, maxWidth: r.width - 1)
        if r.height >= 3, !c.summary.note.isEmpty {
            buf.put(g.text(c.summary.note), x: r.x + 1, y: r.y + 2, style: selected ? base : Style(c.summary.flag.role), maxWidth: r.width - 1)
        }
    }
}
