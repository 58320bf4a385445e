import Foundation

/// Bounds on what sddcal accepts from a file or an option, so that a hostile or damaged input gives
/// a one-line error instead of an allocation of terabytes or a loop that never ends.
///
/// Every size or index read from a file is computed with overflow-checked arithmetic and compared
/// with these limits and with the bytes actually present. The defaults are far above real data
/// (VIP-2: 32 cells × 4096 ADC channels, ~10⁷ events a month) and can be raised with environment
/// variables (README, "What sddcal guarantees for bad input and interruptions"):
///
/// | limit | default | variable |
/// |---|---|---|
/// | channels (bins) per spectrum | 1,048,576 | `SDDCAL_MAX_CHANNELS` |
/// | events per file | 1,000,000,000 | `SDDCAL_MAX_EVENTS` |
/// | bytes per text line (CSV header, spectrum line) | 16,777,216 | `SDDCAL_MAX_LINE_BYTES` |
/// | bytes of a spectrum file | 1,073,741,824 | `SDDCAL_MAX_SPECTRUM_BYTES` |
/// | event time (s, absolute value) | 10¹² (31,700 years) | `SDDCAL_MAX_TIME` |
/// | count per channel | 2⁵³ (integers exact in a Double) | — |
public struct InputLimits: Sendable, Equatable {
    /// Most channels (or bins) one spectrum may hold, and the highest channel number + 1.
    public var maxChannels: Int
    /// Most events one event file (or simulation) may hold.
    public var maxEvents: Int
    /// Longest line of a text input, in bytes.
    public var maxLineBytes: Int
    /// Largest spectrum file read into memory, in bytes.
    public var maxSpectrumBytes: Int
    /// Largest absolute event time in seconds.
    public var maxTime: Double
    /// Largest count of one channel: beyond 2⁵³ whole counts are no longer exact.
    public var maxCount: Double

    public init(maxChannels: Int = 1 << 20, maxEvents: Int = 1_000_000_000, maxLineBytes: Int = 1 << 24,
                maxSpectrumBytes: Int = 1 << 30, maxTime: Double = 1e12, maxCount: Double = 9_007_199_254_740_992) {
        self.maxChannels = maxChannels
        self.maxEvents = maxEvents
        self.maxLineBytes = maxLineBytes
        self.maxSpectrumBytes = maxSpectrumBytes
        self.maxTime = maxTime
        self.maxCount = maxCount
    }

    /// The defaults, raised or lowered by the `SDDCAL_MAX_*` environment variables.
    public static let current: InputLimits = fromEnvironment(ProcessInfo.processInfo.environment)

    /// Limits from environment variables; unset or unparsable variables keep the default.
    public static func fromEnvironment(_ env: [String: String]) -> InputLimits {
        var l = InputLimits()
        func int(_ key: String) -> Int? { env[key].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0 > 0 ? $0 : nil } }
        if let v = int("SDDCAL_MAX_CHANNELS") { l.maxChannels = v }
        if let v = int("SDDCAL_MAX_EVENTS") { l.maxEvents = v }
        if let v = int("SDDCAL_MAX_LINE_BYTES") { l.maxLineBytes = v }
        if let v = int("SDDCAL_MAX_SPECTRUM_BYTES") { l.maxSpectrumBytes = v }
        if let s = env["SDDCAL_MAX_TIME"], let v = Double(s), v.isFinite, v > 0 { l.maxTime = v }
        return l
    }
}

/// Overflow-checked products and sums of sizes: nil instead of a wrapped or trapping result, so
/// the caller can report the field that asked for too much whatever the optimisation flags.
public enum CheckedSize {
    /// a × b, or nil on overflow or a negative factor.
    public static func product(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    /// The product of all factors, or nil on overflow or a negative factor.
    public static func product<S: Sequence>(_ factors: S) -> Int? where S.Element == Int {
        var r = 1
        for f in factors { guard let p = product(r, f) else { return nil }; r = p }
        return r
    }

    /// a + b, or nil on overflow.
    public static func sum(_ a: Int, _ b: Int) -> Int? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    /// The number of channels `first...last` (last − first + 1), or nil on overflow or when last < first.
    public static func channelCount(first: Int, last: Int) -> Int? {
        guard last >= first else { return nil }
        let (d, o) = last.subtractingReportingOverflow(first)
        guard !o else { return nil }
        return sum(d, 1)
    }

    /// The number of bins of width `width` covering `span`, or nil unless it is finite and at most `limit`.
    public static func binCount(span: Double, width: Double, limit: Int) -> Int? {
        guard span.isFinite, width.isFinite, width > 0, span >= 0 else { return nil }
        let n = (span / width).rounded()
        guard n.isFinite, n <= Double(limit) else { return nil }
        return Int(n)
    }
}
