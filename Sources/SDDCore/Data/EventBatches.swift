import Foundation

/// How events of one cell are grouped into calibration batches.
public enum BatchSpec: Sendable, Hashable, CustomStringConvertible {
    /// Consecutive windows of fixed duration in seconds, aligned to the run start.
    case duration(Double)
    /// Consecutive groups of a fixed number of events (the last may be smaller).
    case count(Int)
    /// All events of a cell in one batch.
    case all

    /// Parses "48h", "30d", "90m", "3600s", "20000" (a count), or "all".
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "all" { self = .all; return }
        let units: [(String, Double)] = [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)]
        for (u, f) in units where t.hasSuffix(u) {
            guard let v = Double(t.dropLast()), v > 0, v.isFinite else { break }
            self = .duration(v * f)
            return
        }
        if let n = Int(t), n > 0 { self = .count(n); return }
        throw SDDError.invalidArgument("--batch", "\(InputQuote.quoted(Array(text.utf8))) is not a duration (48h, 30d, 90m, 3600s), a count or 'all'")
    }

    public var description: String {
        switch self {
        case .duration(let s):
            if s.truncatingRemainder(dividingBy: 86400) == 0 { return "\(Int(s / 86400))d" }
            if s.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(s / 3600))h" }
            return "\(s)s"
        case .count(let n): return "\(n) events"
        case .all: return "all"
        }
    }
}

/// One time batch of one cell: a contiguous range of a (cell, time)-sorted event table.
public struct EventBatch: Sendable, Hashable, Codable {
    public let cell: Int
    /// Index of the batch within its cell, from 0.
    public let index: Int
    /// Start and end time (s) of the batch window; for count batches, of its first and last event.
    public let start: Double
    public let end: Double
    /// Positions of its events in the sorted table.
    public let range: Range<Int>

    public var count: Int { range.count }
}

/// Events sorted by (cell, time) together with their division into batches per cell.
public struct BatchedEvents: Sendable {
    public let events: EventTable
    public let spec: BatchSpec
    /// Batches of every cell, ordered by cell then index.
    public let batches: [EventBatch]

    /// Sorts the events (if needed) and cuts each cell's events into batches. Duration windows are
    /// aligned to the earliest event of the whole table so that batch k means the same time for all cells;
    /// empty windows are skipped, so a cell's indices stay consecutive.
    public init(_ table: EventTable, spec: BatchSpec) {
        let events = table.isSortedByCellAndTime ? table : table.sortedByCellAndTime()
        self.events = events
        self.spec = spec
        var out: [EventBatch] = []
        let t0 = events.timeRange?.lowerBound ?? 0
        var i = 0
        while i < events.count {
            let c = events.cell[i]
            var j = i
            while j < events.count && events.cell[j] == c { j += 1 }
            // Events i..<j belong to cell c, time-ordered.
            switch spec {
            case .all:
                out.append(EventBatch(cell: Int(c), index: 0, start: events.time[i], end: events.time[j - 1], range: i..<j))
            case .count(let n):
                var k = i, idx = 0
                while k < j {
                    let e = Swift.min(j, k + n)
                    out.append(EventBatch(cell: Int(c), index: idx, start: events.time[k], end: events.time[e - 1], range: k..<e))
                    idx += 1; k = e
                }
            case .duration(let d):
                var k = i, idx = 0
                while k < j {
                    let w = ((events.time[k] - t0) / d).rounded(.down)
                    let wEnd = t0 + (w + 1) * d
                    var e = k
                    while e < j && events.time[e] < wEnd { e += 1 }
                    // Far from t0, (w + 1)·d can round to w·d: the window would be empty and the loop
                    // endless. Readers refuse times beyond ±10¹² s; this keeps progress guaranteed for
                    // tables built otherwise (every window holds at least its first event).
                    if e == k { e = k + 1 }
                    out.append(EventBatch(cell: Int(c), index: idx, start: t0 + w * d, end: wEnd, range: k..<e))
                    idx += 1; k = e
                }
            }
            i = j
        }
        batches = out
    }

    /// The batches of one cell.
    public func batches(ofCell c: Int) -> [EventBatch] { batches.filter { $0.cell == c } }

    /// The ADC values of a batch.
    public func adc(of batch: EventBatch) -> ArraySlice<UInt16> { events.adc[batch.range] }
}
