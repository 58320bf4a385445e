import Foundation

/// What made (or kept) the calibration of one batch of one cell, and whether it can be used.
///
/// Stored in the calibration file as the short strings sddcal has always written, so every existing
/// file loads and every written file reads as before:
///
/// | case | in the file |
/// |---|---|
/// | ``ok`` | `ok` |
/// | ``partial(reason:)`` | `partial: missing TiKb (fit stalled)` |
/// | ``failed(reason:calibrationOf:)`` | `failed: 1 usable line(s); missing …` + `; calibration of batch 3` when borrowed |
/// | ``optimized(stop:)`` | `optimized`, or `optimized (max-iterations)` when the optimizer stopped unconverged |
/// | ``kept(reason:)`` | `kept: 12 events in the window (< 100)` (refinement summaries) |
/// | ``fromFile`` | `from file` (a histogram file that carried its own calibration) |
/// | ``truth`` | `truth` (the simulator's true calibration) |
///
/// Any other string is refused when decoding (a hand-edited or foreign file says which field is wrong)
/// rather than guessed at: the inspector's judgement "usable or not" must come from a known case.
public enum BatchStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The standard fit found every calibration line of the profile.
    case ok
    /// The standard fit made a calibration without some lines; the reason names them.
    case partial(reason: String)
    /// The standard fit could not make a calibration (fewer than two usable lines). The batch then
    /// carries the calibration of its cell's nearest good batch, whose index is `calibrationOf`.
    case failed(reason: String, calibrationOf: Int?)
    /// The refinement replaced the calibration. `stop` is nil when the optimizer converged, else the
    /// name of the rule that stopped it (e.g. "max-iterations").
    case optimized(stop: String?)
    /// The refinement left the batch as it was (only in refinement summaries: the file keeps the
    /// batch's earlier status).
    case kept(reason: String)
    /// The calibration came with the input (an `.mca`/`.Spe` histogram file's own calibration).
    case fromFile
    /// The simulator's true calibration.
    case truth

    /// Whether the batch's calibration is its own and can be trusted as made: everything but a
    /// failed standard fit (which only borrows a neighbour's calibration).
    public var isUsable: Bool {
        if case .failed = self { return false }
        return true
    }

    /// Whether the standard fit left lines out (partial) or failed.
    public var isFailed: Bool { if case .failed = self { return true } else { return false } }

    /// Whether the refinement made this calibration (converged or not).
    public var isOptimized: Bool { if case .optimized = self { return true } else { return false } }

    /// Whether the refinement made this calibration and its optimizer converged.
    public var isConvergedOptimization: Bool { self == .optimized(stop: nil) }

    /// The reason given with the status, if any (the text after "partial: ", "failed: ", "kept: ").
    public var reason: String? {
        switch self {
        case .partial(let r), .kept(let r): return r
        case .failed(let r, _): return r
        case .optimized(let s): return s
        case .ok, .fromFile, .truth: return nil
        }
    }

    private static let borrowedMarker = "; calibration of batch "

    /// The string stored in the calibration file.
    public var description: String {
        switch self {
        case .ok: return "ok"
        case .partial(let r): return "partial: " + r
        case .failed(let r, let b):
            let head = r.isEmpty ? "failed" : "failed: " + r
            return b.map { head + Self.borrowedMarker + String($0) } ?? head
        case .optimized(nil): return "optimized"
        case .optimized(let s?): return "optimized (\(s))"
        case .kept(let r): return "kept: " + r
        case .fromFile: return "from file"
        case .truth: return "truth"
        }
    }

    /// Parses a stored status string; nil for a string no sddcal writes.
    public init?(parsing s: String) {
        func after(_ prefix: String) -> String? {
            s.hasPrefix(prefix) ? String(s.dropFirst(prefix.count)) : nil
        }
        switch s {
        case "ok": self = .ok
        case "from file": self = .fromFile
        case "truth": self = .truth
        case "optimized": self = .optimized(stop: nil)
        case "failed": self = .failed(reason: "", calibrationOf: nil)
        default:
            if let r = after("partial: ") { self = .partial(reason: r) }
            else if let r = after("kept: ") { self = .kept(reason: r) }
            else if let r = after("optimized ("), r.hasSuffix(")"), r.count > 1 { self = .optimized(stop: String(r.dropLast())) }
            else if let r = after("failed: ") ?? (s.hasPrefix("failed" + Self.borrowedMarker) ? after("failed") : nil) {
                // The borrowed batch is the number after the last marker; reasons never contain it.
                if let m = r.range(of: Self.borrowedMarker, options: .backwards),
                   let k = Int(r[m.upperBound...]), k >= 0, String(k) == r[m.upperBound...] {
                    self = .failed(reason: String(r[..<m.lowerBound]), calibrationOf: k)
                } else if r.hasPrefix(";") {
                    return nil
                } else {
                    self = .failed(reason: r, calibrationOf: nil)
                }
            } else { return nil }
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = BatchStatus(parsing: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription:
                "unknown status '\(Self.shown(s))' (expected ok, partial: …, failed: …, optimized, kept: …, from file or truth)")
        }
        self = v
    }

    /// A string as an error message shows it: printable ASCII as is, other bytes as \xNN, cut to 80 bytes.
    static func shown(_ s: String) -> String {
        var out = ""
        for b in s.utf8.prefix(80) {
            out += (0x20..<0x7f).contains(b) ? String(UnicodeScalar(b)) : String(format: "\\x%02X", b)
        }
        return s.utf8.count > 80 ? out + "…" : out
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
