/// Errors sddcal reports to users: each renders as one line naming the file and line, byte offset
/// or field at fault.
public enum SDDError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Malformed content at a line of a text file (1-based).
    case badLine(file: String, line: Int, message: String)
    /// Malformed content at a byte offset of a binary file.
    case badBytes(file: String, offset: Int, message: String)
    /// A file-level problem (missing, unreadable, wrong kind).
    case badFile(file: String, message: String)
    /// A bad field of a structured file (JSON key path).
    case badField(file: String, field: String, message: String)
    /// A bad command-line argument or option value.
    case invalidArgument(String, String)
    /// Refusing to overwrite an existing output without --force.
    case outputExists(String)
    /// A computation that could not proceed (e.g. too few events for a fit).
    case failed(String)

    public var description: String {
        switch self {
        case let .badLine(f, l, m): return "\(f):\(l): \(m)"
        case let .badBytes(f, o, m): return "\(f): byte \(o): \(m)"
        case let .badFile(f, m): return "\(f): \(m)"
        case let .badField(f, k, m): return "\(f): field '\(k)': \(m)"
        case let .invalidArgument(a, m): return "\(a): \(m)"
        case let .outputExists(f): return "\(f): exists; pass --force to overwrite"
        case let .failed(m): return m
        }
    }
}
