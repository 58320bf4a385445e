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
    public init<C: RandomAccessCollection>(adc values: C, channels: ClosedRange<Int>) where C.Element == UInt16, C.Index == Int {
        let lo = channels.lowerBound, width = channels.count
        var dense = [UInt32](repeating: 0, count: width)
        let n = values.count
        let parts = n >= 400_000 ? 2 : 1
        if parts == 1 {
            Self.count(values, values.startIndex..<values.endIndex, lo: lo, into: &dense)
        } else {
            var partial = [[UInt32]](repeating: [UInt32](repeating: 0, count: width), count: parts)
            let start = values.startIndex
            partial.withUnsafeMutableBufferPointer { pp in
                DispatchQueue.concurrentPerform(iterations: parts) { p in
                    let a = start + n * p / parts, b = start + n * (p + 1) / parts
                    Self.count(values, a..<b, lo: lo, into: &pp[p])
                }
            }
            for p in partial { for i in 0..<width { dense[i] &+= p[i] } }
        }
        var occ: [Double] = [], cnt: [Double] = []
        for i in 0..<width where dense[i] > 0 {
            occ.append(Double(lo + i))
            cnt.append(Double(dense[i]))
        }
        self.init(channels: channels, occupied: occ, counts: cnt)
    }

    @inline(__always)
    static func count<C: RandomAccessCollection>(_ values: C, _ r: Range<Int>, lo: Int, into dense: inout [UInt32])
    where C.Element == UInt16, C.Index == Int {
        let width = UInt(dense.count)
        dense.withUnsafeMutableBufferPointer { d in
            for i in r {
                // One unsigned compare rejects both sides of the window.
                let k = UInt(bitPattern: Int(values[i]) - lo)
                if k < width { d[Int(k)] &+= 1 }
            }
        }
    }
}
