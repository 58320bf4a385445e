import Dispatch

/// Event counts per ADC channel of one batch inside a fixed window of channels.
///
/// The unbinned likelihood depends on an event only through its ADC value, and ADC values are
/// integers: Σ_events log f(ADC_j) = Σ_channels n_k · log f(k) exactly. So the events are counted
/// once per channel and every loss evaluation costs one term per occupied channel (≤ a few hundred
/// in the Cu Kα window) instead of one per event. This is the same likelihood, not a binned
/// approximation of it.
public struct ChannelCounts: Sendable, Hashable {
    /// First and last channel of the window (inclusive).
    public let channels: ClosedRange<Int>
    /// Occupied channels (as Double, ready for arithmetic) and their counts, in increasing order.
    public let occupied: [Double]
    public let counts: [Double]
    /// Events in the window.
    public let total: Double

    /// Continuous ADC interval the window covers: channel k stands for [k − ½, k + ½) (Histogram convention).
    public var edges: ClosedRange<Double> { Double(channels.lowerBound) - 0.5...Double(channels.upperBound) + 0.5 }

    public init(channels: ClosedRange<Int>, occupied: [Double], counts: [Double]) {
        precondition(occupied.count == counts.count)
        self.channels = channels
        self.occupied = occupied
        self.counts = counts
        total = counts.reduce(0, +)
    }

    /// Counts the ADC values that fall in `channels`. Large inputs are split over the cores
    /// (each thread fills its own array, then they are added).
    public init<C: Collection>(adc values: C, channels: ClosedRange<Int>) where C.Element == UInt16 {
        // Contiguous storage (Array, ArraySlice) goes straight to a non-generic core (fast even when called
        // from another module without specialisation).
        if let r = values.withContiguousStorageIfAvailable({ Self.dense($0, channels: channels) }) {
            self.init(channels: channels, dense: r)
        } else {
            let copy = Array(values)
            self.init(channels: channels, dense: copy.withUnsafeBufferPointer { Self.dense($0, channels: channels) })
        }
    }

    init(channels: ClosedRange<Int>, dense: [UInt32]) {
        var occ: [Double] = [], cnt: [Double] = []
        let lo = channels.lowerBound
        for i in dense.indices where dense[i] > 0 {
            occ.append(Double(lo + i))
            cnt.append(Double(dense[i]))
        }
        self.init(channels: channels, occupied: occ, counts: cnt)
    }

    /// Counts per channel of the window (one thread per ~half of the input above 400k values).
    static func dense(_ values: UnsafeBufferPointer<UInt16>, channels: ClosedRange<Int>) -> [UInt32] {
        let width = channels.count
        let n = values.count
        let parts = n >= 400_000 ? 2 : 1
        if parts == 1 {
            var d = [UInt32](repeating: 0, count: width)
            d.withUnsafeMutableBufferPointer { count(UnsafeBufferPointer(rebasing: values[...]), lo: channels.lowerBound, into: $0) }
            return d
        }
        var partial = [[UInt32]](repeating: [UInt32](repeating: 0, count: width), count: parts)
        partial.withUnsafeMutableBufferPointer { pp in
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let a = n * p / parts, b = n * (p + 1) / parts
                pp[p].withUnsafeMutableBufferPointer { count(UnsafeBufferPointer(rebasing: values[a..<b]), lo: channels.lowerBound, into: $0) }
            }
        }
        var d = partial[0]
        for p in partial.dropFirst() { for i in 0..<width { d[i] &+= p[i] } }
        return d
    }

    static func count(_ values: UnsafeBufferPointer<UInt16>, lo: Int, into d: UnsafeMutableBufferPointer<UInt32>) {
        let width = UInt(d.count)
        guard let base = d.baseAddress else { return }
        for v in values {
            // One unsigned compare rejects both sides of the window; it is the bounds check, so the store
            // goes through the raw pointer (a buffer subscript would check again in -O builds). The wrapping
            // subtraction is exact here: v − lo lies in (−2⁶³, 2⁶⁴), below 0 it maps above any width.
            let k = UInt(bitPattern: Int(v) &- lo)
            if k < width { base[Int(k)] &+= 1 }
        }
    }
}
