/// Why an event row was rejected while reading an event file.
public enum EventRejectionReason: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The row has fewer fields than the columns the header names.
    case missingField = "missing_field"
    /// A field is not a number at all.
    case notANumber = "not_a_number"
    /// The ADC value is NaN or infinite.
    case nanADC = "nan_adc"
    /// The ADC value is below zero.
    case negativeADC = "negative_adc"
    /// The ADC value is above 65535.
    case adcOutOfRange = "adc_out_of_range"
    /// The ADC value has a fractional part (ADC values are integers).
    case nonIntegerADC = "non_integer_adc"
    /// The cell number is not an integer in 0...65535.
    case invalidCell = "invalid_cell"
    /// The cell number is valid but not among the cells the caller declared.
    case unknownCell = "unknown_cell"
    /// The time is NaN or infinite.
    case nonFiniteTime = "non_finite_time"
    /// The time is finite but beyond ±10¹² s (`InputLimits.maxTime`): no run lasts 31,700 years, and
    /// batching such a time span would never end.
    case timeOutOfRange = "time_out_of_range"

    public var description: String { rawValue }
}

/// Rows rejected while reading an event file, counted per reason, with the first message of each
/// reason kept so a report can show what was wrong and where.
public struct EventRejections: Sendable, Equatable, Codable {
    /// Number of rejected rows per reason (reasons with no rejections are absent).
    public private(set) var counts: [EventRejectionReason: Int] = [:]
    /// The one-line message (`file:line: …` or `file: byte N: …`) of the first row rejected for each reason.
    public private(set) var firstMessage: [EventRejectionReason: String] = [:]

    /// No rejections.
    public init() {}

    /// Total number of rejected rows.
    public var total: Int { counts.values.reduce(0, +) }
    /// True when no row was rejected.
    public var isEmpty: Bool { counts.isEmpty }

    public subscript(reason: EventRejectionReason) -> Int { counts[reason] ?? 0 }

    mutating func record(_ reason: EventRejectionReason, _ error: SDDError) {
        counts[reason, default: 0] += 1
        if firstMessage[reason] == nil { firstMessage[reason] = error.description }
    }
}

/// How strictly an event file is read.
public struct EventReadOptions: Sendable, Equatable {
    /// When false (the default) the first bad row stops the read with a one-line error naming the file
    /// and line (or byte offset). When true bad rows are skipped and counted per reason.
    public var lenient: Bool
    /// Cells the caller expects; a valid cell number outside this range is an `unknownCell`.
    /// nil accepts every cell number 0...65535.
    public var knownCells: ClosedRange<Int>?
    /// The branches of a ROOT tree that hold cell, ADC value and time.
    public var rootBranches: ROOTEventBranches

    public init(lenient: Bool = false, knownCells: ClosedRange<Int>? = nil, rootBranches: ROOTEventBranches = .standard) {
        self.lenient = lenient
        self.knownCells = knownCells
        self.rootBranches = rootBranches
    }

    /// Stop at the first bad row; accept every cell number.
    public static let strict = EventReadOptions()
}

/// The events read from a file together with what was rejected on the way.
public struct EventReadResult: Sendable, Equatable {
    /// The accepted events, in file order.
    public var events: EventTable
    /// Rows skipped in lenient mode, per reason.
    public var rejected: EventRejections
    /// Data rows (CSV) or records (binary) seen, accepted or not.
    public var rowsRead: Int
    /// Size of the input in bytes.
    public var bytesRead: Int
    /// The format the file was read as.
    public var format: EventFile.Format

    public init(events: EventTable, rejected: EventRejections, rowsRead: Int, bytesRead: Int, format: EventFile.Format) {
        self.events = events; self.rejected = rejected; self.rowsRead = rowsRead
        self.bytesRead = bytesRead; self.format = format
    }
}
