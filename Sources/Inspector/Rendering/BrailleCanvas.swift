/// A drawing layer: its style and a priority. A terminal cell has one colour, so where layers share
/// a cell the higher priority decides it (style.md: selected marker > marker > spectrum).
public struct Layer: Sendable {
    public var style: Style
    public var priority: UInt8
    public init(_ style: Style, priority: UInt8) { self.style = style; self.priority = priority }
}

/// A dot canvas of 2×4 dots per terminal cell (braille), drawn with any `GlyphSet`.
///
/// Dot bits per cell (ratatui's braille.rs): column 0 top to bottom 0x01, 0x02, 0x04, 0x40;
/// column 1 top to bottom 0x08, 0x10, 0x20, 0x80; glyph = U+2800 + mask.
/// Dot coordinates: x in 0..<2·width from the left, y in 0..<4·height from the top.
public struct BrailleCanvas: Sendable {
    public let width: Int
    public let height: Int
    public var dotWidth: Int { width * 2 }
    public var dotHeight: Int { height * 4 }
    @usableFromInline var masks: [UInt8]
    @usableFromInline var priorities: [UInt8]
    @usableFromInline var styles: [Style]

    public init(width: Int, height: Int) {
        self.width = Swift.max(0, width)
        self.height = Swift.max(0, height)
        masks = [UInt8](repeating: 0, count: self.width * self.height)
        priorities = [UInt8](repeating: 0, count: self.width * self.height)
        styles = [Style](repeating: .normal, count: self.width * self.height)
    }

    @usableFromInline static let bits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// The mask bit of a dot within its cell.
    @inlinable public static func bit(dx: Int, dy: Int) -> UInt8 { bits[dx & 1][dy & 3] }

    /// Sets one dot (ignored outside the canvas).
    @inlinable public mutating func set(_ x: Int, _ y: Int, _ layer: Layer) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let i = (y >> 2) * width + (x >> 1)
        masks[i] |= Self.bit(dx: x, dy: y)
        if layer.priority >= priorities[i] {
            priorities[i] = layer.priority
            styles[i] = layer.style
        }
    }

    /// The dot mask of a cell.
    public func mask(cellX: Int, cellY: Int) -> UInt8 { masks[cellY * width + cellX] }

    /// A straight line of dots between two dot positions (Bresenham), clipped to the canvas.
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ layer: Layer) {
        // Clip trivially distant lines so huge coordinates cannot loop for long.
        let lim = 4 * (dotWidth + dotHeight) + 8
        guard abs(x0) < 1 << 20, abs(x1) < 1 << 20, abs(y0) < 1 << 20, abs(y1) < 1 << 20 else { return }
        var x = x0, y = y0
        let dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1
        let dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        if (x < -lim && x1 < -lim) || (y < -lim && y1 < -lim) { return }
        while true {
            set(x, y, layer)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// A vertical run of dots at column x from y0 to y1 (inclusive, any order).
    @inlinable public mutating func vline(_ x: Int, _ y0: Int, _ y1: Int, _ layer: Layer) {
        guard x >= 0, x < dotWidth else { return }
        let a = Swift.max(0, Swift.min(y0, y1)), b = Swift.min(dotHeight - 1, Swift.max(y0, y1))
        if a > b { return }
        for y in a...b { set(x, y, layer) }
    }

    /// Draws the canvas into a buffer at a cell origin; empty cells are left as they are so text
    /// drawn earlier (grid labels) shows through.
    public func draw(into buf: inout CellBuffer, x: Int, y: Int, glyphs: GlyphSet) {
        for cy in 0..<height {
            for cx in 0..<width {
                let i = cy * width + cx
                let m = masks[i]
                if m == 0 { continue }
                buf.set(x + cx, y + cy, glyphs.dotGlyph(m), styles[i])
            }
        }
    }
}
