/// Detector events stored column-wise (struct of arrays): 12 bytes per event
/// (UInt16 cell, UInt16 ADC, Double time), so 10⁷ events take 120 MB.
public struct EventTable: Sendable, Equatable {
    /// Cell (SDD) number of each event, 0-based as in the data files.
    public var cell: [UInt16]
    /// Integer ADC value of each event.
    public var adc: [UInt16]
    /// Time of each event in seconds since the start of the run.
    public var time: [Double]

    public init() { cell = []; adc = []; time = [] }

    public init(cell: [UInt16], adc: [UInt16], time: [Double]) {
        precondition(cell.count == adc.count && adc.count == time.count, "columns must have equal length")
        self.cell = cell
        self.adc = adc
        self.time = time
    }

    public var count: Int { cell.count }
    public var isEmpty: Bool { cell.isEmpty }

    public mutating func reserveCapacity(_ n: Int) {
        guard isEmpty, n > 0 else {
            cell.reserveCapacity(n); adc.reserveCapacity(n); time.reserveCapacity(n)
            return
        }
        cell = Self.column(UInt16.self, capacity: n) { _ in 0 }
        adc = Self.column(UInt16.self, capacity: n) { _ in 0 }
        time = Self.column(Double.self, capacity: n) { _ in 0 }
    }

    /// A fresh column of room for `capacity` values, with the huge-page hint given before any page is
    /// touched (see `adviseHugePages`); `fill` writes its first values and returns how many (≤ capacity).
    static func column<T: BitwiseCopyable>(_: T.Type, capacity n: Int,
                                          fill: (UnsafeMutableBufferPointer<T>) -> Int) -> [T] {
        [T](unsafeUninitializedCapacity: n) { buf, count in
            adviseHugePages(UnsafeMutableRawBufferPointer(buf))
            let filled = fill(buf)
            precondition(filled >= 0 && filled <= n, "column filled beyond its capacity")
            count = filled
        }
    }

    @inlinable public mutating func append(cell c: UInt16, adc a: UInt16, time t: Double) {
        cell.append(c); adc.append(a); time.append(t)
    }

    /// Distinct cells present, sorted.
    public var cells: [Int] {
        var seen = [Bool](repeating: false, count: Int(UInt16.max) + 1)
        for c in cell { seen[Int(c)] = true }
        return seen.indices.filter { seen[$0] }
    }

    /// Time span (min, max) of the events, or nil when empty.
    public var timeRange: ClosedRange<Double>? {
        guard let first = time.first else { return nil }
        var lo = first, hi = first
        for t in time { lo = Swift.min(lo, t); hi = Swift.max(hi, t) }
        return lo...hi
    }

    /// The events reordered by (cell, time): each cell's events become one contiguous, time-ordered run.
    public func sortedByCellAndTime() -> EventTable {
        var order = Array(0..<count)
        order.sort { (cell[$0], time[$0]) < (cell[$1], time[$1]) }
        return EventTable(cell: order.map { cell[$0] }, adc: order.map { adc[$0] }, time: order.map { time[$0] })
    }

    /// True when events are ordered by (cell, time).
    ///
    /// Every batching and refinement asks this of tables of 10⁷–10⁸ events, so it runs in blocks
    /// without a branch per event (the loop vectorises); the answer is the tuple order's, NaN times
    /// comparing as in order.
    public var isSortedByCellAndTime: Bool {
        let n = count
        guard n > 1 else { return true }
        @inline(__always) func bit(_ b: Bool) -> UInt8 { b ? 1 : 0 }
        return cell.withUnsafeBufferPointer { c in
            time.withUnsafeBufferPointer { t in
                var i = 1
                while i < n {
                    let end = Swift.min(n, i + 4096)
                    var bad: UInt8 = 0
                    for k in i..<end {
                        let c0 = c[k - 1], c1 = c[k]
                        bad |= bit(c0 > c1) | (bit(c0 == c1) & bit(t[k - 1] > t[k]))
                    }
                    if bad != 0 { return false }
                    i = end
                }
                return true
            }
        }
    }
}
