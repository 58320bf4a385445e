/// A cell's label: the name a histogram file gives its spectrum (a ROOT key such as `bus1_sdd6`, a
/// CSV column header, a spectrum file's name in a folder), kept next to the cell number in text and
/// JSON output, the calibration file and the inspector, so a physicist finds the detector by its name.
public enum CellLabel {
    /// Longest label kept, in characters.
    public static let maxLength = 64

    /// A label fit to show anywhere: input bytes outside printable ASCII as `\xNN` (the `InputQuote`
    /// rule, so a hostile name cannot drive the terminal), at most `maxLength` characters; nil when
    /// empty. Latin-1 text (as `TextLines` decodes) keeps one escape per input byte.
    public static func clean<S: StringProtocol>(_ name: S) -> String? {
        let s = InputQuote.escapeLatin1(name, limit: maxLength)
        return s.isEmpty ? nil : s
    }

    /// "3" or "3 (bus1_sdd4)": a cell as text output names it.
    public static func describe(cell: Int, label: String?) -> String {
        label.map { "\(cell) (\($0))" } ?? "\(cell)"
    }
}
