/// The characters a view is drawn with: Unicode (braille plots, box drawing, Greek letters) on a
/// UTF-8 terminal, or plain ASCII where the locale is not UTF-8 (style.md: ratatui/htop fallbacks).
public enum GlyphSet: String, CaseIterable, Sendable {
    /// Braille dots (2×4 per cell), box drawing, α β χ².
    case unicode
    /// Quadrant blocks (2×2 per cell) with box drawing: for fonts without braille.
    case blocks
    /// ASCII only: `'`, `.` and `:` for plot dots (1×2 per cell), `-|+` for lines.
    case ascii

    public var horizontal: Unicode.Scalar { self == .ascii ? "-" : "─" }
    public var vertical: Unicode.Scalar { self == .ascii ? "|" : "│" }
    public var topLeft: Unicode.Scalar { self == .ascii ? "+" : "┌" }
    public var topRight: Unicode.Scalar { self == .ascii ? "+" : "┐" }
    public var bottomLeft: Unicode.Scalar { self == .ascii ? "+" : "└" }
    public var bottomRight: Unicode.Scalar { self == .ascii ? "+" : "┘" }
    /// Axis corner and tick marks.
    public var axisCorner: Unicode.Scalar { self == .ascii ? "+" : "└" }
    public var xTick: Unicode.Scalar { self == .ascii ? "+" : "┬" }
    public var yTick: Unicode.Scalar { self == .ascii ? "+" : "┤" }
    /// A filled swatch for legends.
    public var swatch: Unicode.Scalar { self == .ascii ? "#" : "■" }
    /// Marker above a line position.
    public var marker: Unicode.Scalar { self == .ascii ? "^" : "▲" }
    /// Selection pointer in lists.
    public var pointer: Unicode.Scalar { self == .ascii ? ">" : "▶" }
    /// A light vertical rule (cursor, reference lines).
    public var rule: Unicode.Scalar { self == .ascii ? ":" : "┊" }
    /// Bar segments for progress bars: full and empty.
    public var barFull: Unicode.Scalar { self == .ascii ? "#" : "█" }
    public var barEmpty: Unicode.Scalar { self == .ascii ? "." : "░" }

    /// Text with symbols the glyph set cannot show spelled out (α → a, χ² → chi2, ← → <-).
    public func text(_ s: String) -> String {
        guard self == .ascii else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.replacingOccurrences(of: " · ", with: " | ").unicodeScalars {
            switch ch {
            case "α": out += "a"
            case "β": out += "b"
            case "χ": out += "chi"
            case "²": out += "2"
            case "σ": out += "sigma"
            case "±": out += "+/-"
            case "←": out += "<-"
            case "→": out += "->"
            case "↑": out += "^"
            case "↓": out += "v"
            case "·": out += "*"
            case "×": out += "x"
            case "…": out += "..."
            case "–", "—", "─", "−": out += "-"
            case "│": out += "|"
            case "≤": out += "<="
            case "≥": out += ">="
            case "µ": out += "u"
            case "Δ": out += "d"
            case "■", "█": out += "#"
            case "▶": out += ">"
            case "▲": out += "^"
            default: out.unicodeScalars.append(ch.isASCII ? ch : "?")
            }
        }
        return out
    }

    /// The glyph for a canvas cell's 2×4 dot mask (braille bit layout, see `BrailleCanvas`).
    @inlinable public func dotGlyph(_ mask: UInt8) -> Unicode.Scalar {
        switch self {
        case .unicode:
            return Unicode.Scalar(0x2800 + UInt32(mask))!
        case .blocks:
            // Quadrants: top-left = rows 0–1 of column 0, and so on.
            let tl = mask & 0x03 != 0, tr = mask & 0x18 != 0
            let bl = mask & 0x44 != 0, br = mask & 0xA0 != 0
            let i = (tl ? 1 : 0) | (tr ? 2 : 0) | (bl ? 4 : 0) | (br ? 8 : 0)
            return GlyphSet.quadrants[i]
        case .ascii:
            let top = mask & 0x1B != 0, bottom = mask & 0xE4 != 0
            switch (top, bottom) {
            case (false, false): return " "
            case (true, false): return "'"
            case (false, true): return "."
            case (true, true): return ":"
            }
        }
    }

    @usableFromInline static let quadrants: [Unicode.Scalar] =
        [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]
}
