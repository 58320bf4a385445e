/// One terminal cell: a single-width Unicode scalar and its style.
public struct Cell: Equatable, Sendable {
    public var scalar: Unicode.Scalar
    public var style: Style

    public init(_ scalar: Unicode.Scalar = " ", _ style: Style = .normal) {
        self.scalar = scalar
        self.style = style
    }

    public static let blank = Cell()
}

/// A rectangle of cells (origin top-left, x to the right, y down).
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = Swift.max(0, width); self.height = Swift.max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    /// The rectangle shrunk by `d` on every side.
    public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
}

/// A run of changed cells on one row with one style: what the presenter sends in one call.
public struct CellRun: Equatable, Sendable {
    public var x: Int, y: Int
    public var style: Style
    public var text: String
}

/// The screen as an in-memory grid of cells. Widgets draw here and never touch the terminal; the
/// presenter diffs two buffers and sends only the changed runs (ratatui's Buffer/Terminal split).
public struct CellBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = Swift.max(0, width)
        self.height = Swift.max(0, height)
        cells = [Cell](repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    @inlinable public func contains(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if contains(x, y) { cells[y * width + x] = newValue } }
    }

    /// Sets one cell (ignored outside the buffer).
    public mutating func set(_ x: Int, _ y: Int, _ scalar: Unicode.Scalar, _ style: Style) {
        guard contains(x, y) else { return }
        cells[y * width + x] = Cell(scalar, style)
    }

    /// Changes only the style of a cell.
    public mutating func restyle(_ x: Int, _ y: Int, _ style: Style) {
        guard contains(x, y) else { return }
        cells[y * width + x].style = style
    }

    /// Writes text from (x, y), one scalar per cell, clipped to `maxWidth` cells and the buffer.
    /// Returns the number of cells written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height else { return 0 }
        var cx = x
        let limit = maxWidth >= width ? width : Swift.min(width, x + Swift.max(0, maxWidth))
        for s in text.unicodeScalars {
            if cx >= limit { break }
            if cx >= 0 { cells[y * width + cx] = Cell(s, style) }
            cx += 1
        }
        return Swift.max(0, cx - x)
    }

    /// Fills a rectangle with one cell.
    public mutating func fill(_ r: Rect, _ cell: Cell = .blank) {
        let x0 = Swift.max(0, r.x), x1 = Swift.min(width, r.maxX)
        let y0 = Swift.max(0, r.y), y1 = Swift.min(height, r.maxY)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 { for x in x0..<x1 { cells[y * width + x] = cell } }
    }

    /// Text of each row (trailing spaces kept, so rows have equal length).
    public var lines: [String] {
        (0..<height).map { y in
            var s = String.UnicodeScalarView()
            for x in 0..<width { s.append(cells[y * width + x].scalar) }
            return String(s)
        }
    }

    /// Style codes of each row (see `Style.code`), for snapshot files.
    public var styleLines: [String] {
        (0..<height).map { y in String((0..<width).map { cells[y * width + $0].style.code }) }
    }

    /// The runs of cells that differ from `previous` (everything when sizes differ), each run one
    /// row and one style. Unchanged cells between two changes on a row are skipped, not resent.
    public func changes(since previous: CellBuffer?) -> [CellRun] {
        let full = previous == nil || previous!.width != width || previous!.height != height
        var runs: [CellRun] = []
        for y in 0..<height {
            var x = 0
            let row = y * width
            while x < width {
                if !full && previous!.cells[row + x] == cells[row + x] { x += 1; continue }
                let style = cells[row + x].style
                var text = String.UnicodeScalarView()
                let start = x
                while x < width, cells[row + x].style == style,
                      full || previous!.cells[row + x] != cells[row + x] {
                    text.append(cells[row + x].scalar)
                    x += 1
                }
                runs.append(CellRun(x: start, y: y, style: style, text: String(text)))
            }
        }
        return runs
    }
}
