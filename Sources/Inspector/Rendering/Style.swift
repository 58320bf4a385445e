/// What a piece of the screen means; the presenter turns a role into a colour pair (256 or 8 colours)
/// or, on a monochrome terminal, into attributes (bold, reverse, underline), as htop's CRT does.
public enum ColorRole: UInt8, CaseIterable, Sendable {
    case normal, dim, axis, label, title, tabActive, statusBar, key
    case spectrum, spectrumAlt, cnn, scipy, cursor, selection
    case good, warn, bad, fit, fitAlt, forbidden, accent

    /// One character per role for snapshot files (style lines): readable and stable.
    public var code: Character {
        let codes: [Character] = [".", "d", "a", "l", "T", "A", "S", "K",
                                  "s", "z", "c", "p", "u", "e",
                                  "g", "w", "b", "f", "h", "x", "y"]
        return codes[Int(rawValue)]
    }
}

/// The style of one terminal cell: a colour role and text attributes, packed in two bytes so a cell
/// buffer stays small and diffing is a plain comparison.
public struct Style: Hashable, Sendable {
    public var role: ColorRole
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: ColorRole = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    public static let normal = Style()
    public static func role(_ r: ColorRole) -> Style { Style(r) }
    public var bolded: Style { var s = self; s.bold = true; return s }
    public var reversed: Style { var s = self; s.reverse = true; return s }

    /// Snapshot code: the role's character, upper-cased when reversed (selection bars stand out).
    public var code: Character {
        let c = role.code
        return reverse ? Character(c.uppercased() == String(c) ? "#" : c.uppercased()) : c
    }
}
