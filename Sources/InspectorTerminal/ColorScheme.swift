import CNcurses
import Inspector

/// What the terminal can show: 256 colours, 8 colours, or none (attributes only).
public enum ColorCapability: String, CaseIterable, Sendable {
    case colors256 = "256", colors8 = "8", mono

    /// Detected after `start_color()`: COLORS ≥ 256, else ≥ 8, else monochrome.
    static func detect() -> ColorCapability {
        guard has_colors() else { return .mono }
        let n = sdd_colors()
        return n >= 256 ? .colors256 : (n >= 8 ? .colors8 : .mono)
    }
}

/// Maps colour roles to curses colour pairs and attributes for a capability (htop's CRT approach:
/// one palette per capability, monochrome falls back to bold/underline/dim).
struct ColorScheme {
    let capability: ColorCapability

    /// Foreground colour of each role in 256- and 8-colour terminals (-1: default).
    static func foreground(_ r: ColorRole, _ c: ColorCapability) -> Int16 {
        let big = c == .colors256
        switch r {
        case .normal: return -1
        case .dim: return big ? 244 : Int16(COLOR_WHITE)
        case .axis: return big ? 242 : Int16(COLOR_WHITE)
        case .label: return big ? 250 : Int16(COLOR_WHITE)
        case .title: return big ? 75 : Int16(COLOR_CYAN)
        case .tabActive: return big ? 81 : Int16(COLOR_CYAN)
        case .statusBar: return big ? 252 : Int16(COLOR_WHITE)
        case .key: return big ? 221 : Int16(COLOR_YELLOW)
        case .spectrum: return big ? 117 : Int16(COLOR_CYAN)
        case .spectrumAlt: return big ? 246 : Int16(COLOR_WHITE)
        case .cnn: return big ? 213 : Int16(COLOR_MAGENTA)
        case .scipy: return big ? 220 : Int16(COLOR_YELLOW)
        case .cursor: return big ? 231 : Int16(COLOR_WHITE)
        case .selection: return big ? 81 : Int16(COLOR_CYAN)
        case .good: return big ? 114 : Int16(COLOR_GREEN)
        case .warn: return big ? 214 : Int16(COLOR_YELLOW)
        case .bad: return big ? 196 : Int16(COLOR_RED)
        case .fit: return big ? 215 : Int16(COLOR_YELLOW)
        case .fitAlt: return big ? 120 : Int16(COLOR_GREEN)
        case .forbidden: return big ? 201 : Int16(COLOR_MAGENTA)
        case .accent: return big ? 81 : Int16(COLOR_CYAN)
        }
    }

    /// Attributes that stand in for colour on a monochrome terminal.
    static func monoAttributes(_ r: ColorRole) -> UInt32 {
        switch r {
        case .title, .cursor, .cnn, .fitAlt, .key: return sdd_a_bold()
        case .tabActive: return sdd_a_bold() | sdd_a_underline()
        case .bad: return sdd_a_bold() | sdd_a_underline()
        case .warn, .forbidden: return sdd_a_underline()
        case .dim, .scipy, .spectrumAlt, .axis: return sdd_a_dim()
        default: return 0
        }
    }

    /// Initialises one colour pair per role (pair number = role + 1).
    func install() {
        guard capability != .mono else { return }
        use_default_colors()
        for r in ColorRole.allCases {
            init_pair(Int16(r.rawValue) + 1, Self.foreground(r, capability), -1)
        }
    }

    /// (attributes, pair) of a style.
    func attributes(_ s: Style) -> (UInt32, Int16) {
        var a: UInt32 = 0
        if s.bold { a |= sdd_a_bold() }
        if s.reverse { a |= sdd_a_reverse() }
        if s.underline { a |= sdd_a_underline() }
        if capability == .mono { return (a | Self.monoAttributes(s.role), 0) }
        if s.role == .dim && capability == .colors8 { a |= sdd_a_dim() }
        return (a, Int16(s.role.rawValue) + 1)
    }
}
