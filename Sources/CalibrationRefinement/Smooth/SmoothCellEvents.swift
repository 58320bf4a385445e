import LikelihoodKernels
import SDDCore

/// The events of one cell that enter the smooth likelihood, arranged for fast passes: per line group
/// (window), per event its knot interval, its position λ in the interval and its ADC channel.
///
/// Each knot interval has its own ADC window per group: the channels that the starting calibration
/// (at the interval's middle) maps into the group's energy window. The windows are fixed before
/// the fit, so the likelihood is the density of an event's ADC given that it fell in its window
/// (normalised over that window at the event's time): it cannot gain by stretching the scale.
public struct SmoothCellEvents: Sendable {
    public let grid: KnotGrid
    public let groups: [LineGroupDensity]
    /// Per group, per interval: the window's ADC edges (continuous: channel k covers [k − ½, k + ½)).
    public let edges: [[SIMD2<Double>]]
    /// Per group, the events in time order: knot interval, position λ in it, ADC channel.
    public var interval: [[Int32]] {
        runs.map { r in r.flatMap { [Int32](repeating: $0[0], count: Int($0[2] - $0[1])) } }
    }
    public let lambda: [[Double]]
    public var channel: [[Double]] {
        zip(channelOffset, channelRange).map { o, r in o.map { Double(Int($0) + r.lowerBound) } }
    }
    /// Per group, the lowest and highest channel of its events (an empty group: 0...0), and each
    /// event's channel minus the lowest: the likelihood's per-channel terms are indexed by it.
    let channelRange: [ClosedRange<Int>]
    let channelOffset: [[Int32]]
    /// Per group, the runs of consecutive events in one knot interval: (interval, first, end). The
    /// kernels hoist every per-interval term out of the per-event loop.
    let runs: [[SIMD3<Int32>]]

    /// Events per group.
    public var counts: [Int] { lambda.map(\.count) }

    /// Selects the events of `adc`/`time` (one cell, time-sorted) in the windows that `start`
    /// (the starting calibration at a time) gives each interval. Intervals where `start` cannot
    /// be inverted over a window get an empty window.
    public init<A: Collection, T: Collection>(adc: A, time: T, grid: KnotGrid, groups: [LineGroupDensity],
                                              start: (Double) -> EnergyCalibration?)
    where A.Element == UInt16, T.Element == Double {
        self.grid = grid
        self.groups = groups
        let nInt = grid.count - 1
        var e: [[SIMD2<Double>]] = []
        var lookup: [[(Int, Int)]] = []   // integer channel bounds per group and interval
        for g in groups {
            var eg: [SIMD2<Double>] = [], lg: [(Int, Int)] = []
            for k in 0..<nInt {
                let tm = grid.time(k) + 0.5 * grid.spacing
                if let c = start(tm), let lo = c.adc(forEnergy: g.window.lowerBound), let hi = c.adc(forEnergy: g.window.upperBound),
                   lo.isFinite, hi.isFinite, hi > lo + 2, c.slope(lo) > 0, c.slope(hi) > 0 {
                    let a = Int(max(0, lo.rounded(.up))), b = Int(min(65535, hi.rounded(.down)))
                    eg.append(SIMD2(Double(a) - 0.5, Double(b) + 0.5)); lg.append((a, b))
                } else {
                    eg.append(SIMD2(0, 0)); lg.append((1, 0))
                }
            }
            e.append(eg); lookup.append(lg)
        }
        edges = e
        // Per group: each event's interval, λ and channel (the intervals and channels only until the
        // runs and channel offsets below are made from them).
        var iv = [[Int32]](repeating: [], count: groups.count)
        var lam = [[Double]](repeating: [], count: groups.count)
        var ch = [[UInt16]](repeating: [], count: groups.count)
        let expected = adc.count / max(1, groups.count)
        for g in groups.indices { iv[g].reserveCapacity(expected); lam[g].reserveCapacity(expected); ch[g].reserveCapacity(expected) }
        for (a, t) in zip(adc, time) {
            let (k, l) = grid.locate(t)
            let x = Int(a)
            for g in groups.indices {
                let (lo, hi) = lookup[g][k]
                if x >= lo && x <= hi {
                    iv[g].append(Int32(k)); lam[g].append(l); ch[g].append(a)
                    break
                }
            }
        }
        lambda = lam
        var ranges: [ClosedRange<Int>] = [], offsets: [[Int32]] = [], r: [[SIMD3<Int32>]] = []
        for g in groups.indices {
            let range = ch[g].isEmpty ? 0...0 : Int(ch[g].min()!)...Int(ch[g].max()!)
            ranges.append(range)
            offsets.append(ch[g].map { Int32(Int($0) - range.lowerBound) })
            var rg: [SIMD3<Int32>] = []
            let ivg = iv[g]
            var first = 0
            while first < ivg.count {
                var end = first + 1
                while end < ivg.count && ivg[end] == ivg[first] { end += 1 }
                rg.append(SIMD3(ivg[first], Int32(first), Int32(end)))
                first = end
            }
            r.append(rg)
        }
        channelRange = ranges
        channelOffset = offsets
        runs = r
    }

    /// Runs `body` with group gi's events at coefficients x as the C kernels (``LikelihoodKernels``)
    /// read them: x, the intervals' gains, `edges` (per interval: lower u, lower w, upper u, upper w),
    /// the channel terms, λ, channel offsets and runs. Arrays a kernel does not read may be empty. The
    /// pointers live for the closure.
    func withKernelGroup<R>(_ gi: Int, x: [Double], gains: SmoothCellLikelihood.IntervalGains, edges: [Double],
                            terms: [SIMD4<Double>], stride: Int, _ body: (UnsafePointer<sdd_smooth_group>) -> R) -> R {
        x.withUnsafeBufferPointer { xb in gains.base.withUnsafeBufferPointer { gb in gains.delta.withUnsafeBufferPointer { gd in
        edges.withUnsafeBufferPointer { eb in terms.withUnsafeBufferPointer { tv in
        lambda[gi].withUnsafeBufferPointer { lam in channelOffset[gi].withUnsafeBufferPointer { cho in
        runs[gi].withUnsafeBufferPointer { runs in
            // Only an empty group has no events and no runs (then no run is read).
            var g = sdd_smooth_group(
                x: xb.baseAddress, gain_base: gb.baseAddress, gain_delta: gd.baseAddress, edges: eb.baseAddress,
                terms: UnsafeRawPointer(tv.baseAddress)?.assumingMemoryBound(to: Double.self),
                lambda: lam.baseAddress, channel: cho.baseAddress,
                runs: UnsafeRawPointer(runs.baseAddress)?.assumingMemoryBound(to: Int32.self),
                run_count: runs.count, run_stride: MemoryLayout<SIMD3<Int32>>.stride / MemoryLayout<Int32>.stride,
                stride: max(1, stride))
            return withUnsafePointer(to: &g) { body($0) }
        }}}}}}}}
    }
}
