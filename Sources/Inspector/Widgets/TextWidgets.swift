import Foundation

/// Small text widgets: boxes, padded labels, bars and number formats shared by the views.
public enum TextWidgets {
    /// A framed box with a title in the top border.
    public static func box(_ buf: inout CellBuffer, _ r: Rect, title: String = "", glyphs: GlyphSet, style: Style = Style(.axis)) {
        guard r.width >= 2, r.height >= 2 else { return }
        for x in (r.x + 1)..<(r.maxX - 1) { buf.set(x, r.y, glyphs.horizontal, style); buf.set(x, r.maxY - 1, glyphs.horizontal, style) }
        for y in (r.y + 1)..<(r.maxY - 1) { buf.set(r.x, y, glyphs.vertical, style); buf.set(r.maxX - 1, y, glyphs.vertical, style) }
        buf.set(r.x, r.y, glyphs.topLeft, style); buf.set(r.maxX - 1, r.y, glyphs.topRight, style)
        buf.set(r.x, r.maxY - 1, glyphs.bottomLeft, style); buf.set(r.maxX - 1, r.maxY - 1, glyphs.bottomRight, style)
        if !title.isEmpty { buf.put(" " + glyphs.text(title) + " ", x: r.x + 2, y: r.y, style: Style(.title, bold: true), maxWidth: r.width - 4) }
    }

    /// A horizontal progress bar of `width` cells.
    public static func bar(_ buf: inout CellBuffer, x: Int, y: Int, width: Int, fraction: Double, glyphs: GlyphSet, style: Style) {
        let f = Swift.max(0, Swift.min(1, fraction.isFinite ? fraction : 0))
        let n = Int((f * Double(width)).rounded())
        for i in 0..<width { buf.set(x + i, y, i < n ? glyphs.barFull : glyphs.barEmpty, i < n ? style : Style(.dim)) }
    }

    /// Writes segments of differently styled text one after another; returns the end column.
    @discardableResult
    public static func spans(_ buf: inout CellBuffer, x: Int, y: Int, maxX: Int, _ parts: [(String, Style)], glyphs: GlyphSet) -> Int {
        var cx = x
        for (t, s) in parts where cx < maxX { cx += buf.put(glyphs.text(t), x: cx, y: y, style: s, maxWidth: maxX - cx) }
        return cx
    }

    /// Text padded (or cut) to exactly `n` characters, left- or right-aligned.
    public static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let c = s.count
        if c >= n { return String(s.prefix(n)) }
        let fill = String(repeating: " ", count: n - c)
        return right ? fill + s : s + fill
    }

    /// Counts as 950, 48.2k, 1.25M.
    public static func count(_ v: Double) -> String {
        if v >= 1e6 { return String(format: "%.2fM", v / 1e6) }
        if v >= 1e4 { return String(format: "%.1fk", v / 1e3) }
        return String(format: "%.0f", v)
    }

    /// A value with `decimals` decimals (as "%.Nf", or "%+.Nf" with `plusSign`) or "--" when absent.
    public static func num(_ v: Double?, decimals: Int = 1, plusSign: Bool = false) -> String {
        guard let v, v.isFinite else { return "--" }
        return FixedDecimal.format(v, decimals: decimals, plusSign: plusSign)
    }

    /// A duration in seconds as 3d 04h, 5h 12m, 42 s.
    public static func duration(_ s: Double) -> String {
        if s >= 86400 { return String(format: "%dd %02dh", Int(s / 86400), Int(s.truncatingRemainder(dividingBy: 86400) / 3600)) }
        if s >= 3600 { return String(format: "%dh %02dm", Int(s / 3600), Int(s.truncatingRemainder(dividingBy: 3600) / 60)) }
        if s >= 60 { return String(format: "%dm %02ds", Int(s / 60), Int(s.truncatingRemainder(dividingBy: 60))) }
        return String(format: "%.0f s", s)
    }
}
