/// A one-dimensional histogram with equal-width bins.
public struct Histogram: Sendable, Equatable, Codable {
    /// Lower edge of the first bin.
    public var lowerEdge: Double
    /// Width of every bin.
    public var binWidth: Double
    /// Contents of the bins.
    public var counts: [Double]

    public init(lowerEdge: Double, binWidth: Double, counts: [Double]) {
        precondition(binWidth > 0, "bin width must be positive")
        self.lowerEdge = lowerEdge
        self.binWidth = binWidth
        self.counts = counts
    }

    /// An empty histogram of `bins` bins over [lower, lower + bins·width).
    public init(lowerEdge: Double, binWidth: Double, bins: Int) {
        self.init(lowerEdge: lowerEdge, binWidth: binWidth, counts: [Double](repeating: 0, count: bins))
    }

    public var binCount: Int { counts.count }
    public var upperEdge: Double { lowerEdge + binWidth * Double(counts.count) }
    public var total: Double { counts.reduce(0, +) }
    /// Centre of bin `i`.
    @inlinable public func center(_ i: Int) -> Double { lowerEdge + (Double(i) + 0.5) * binWidth }
    /// Bin centres.
    public var centers: [Double] { (0..<counts.count).map(center) }

    /// Bin index of `x`, or nil outside the range.
    @inlinable public func bin(of x: Double) -> Int? {
        let b = ((x - lowerEdge) / binWidth).rounded(.down)
        guard b >= 0, b < Double(counts.count) else { return nil }
        return Int(b)
    }

    /// Adds `weight` to the bin containing `x` (ignored outside the range).
    @inlinable public mutating func fill(_ x: Double, weight: Double = 1) {
        if let b = bin(of: x) { counts[b] += weight }
    }

    /// Adds `weight` spread uniformly over [lo, hi): the exact share of the interval in each bin.
    /// Used to histogram integer ADC channels in energy without bin beating (docs/physics.md §8).
    public mutating func fillInterval(_ lo: Double, _ hi: Double, weight: Double = 1) {
        guard hi > lo else { fill(lo, weight: weight); return }
        let density = weight / (hi - lo)
        var a = Swift.max(lo, lowerEdge)
        let b = Swift.min(hi, upperEdge)
        while a < b {
            guard let i = bin(of: a) else { break }
            let edge = Swift.min(b, lowerEdge + Double(i + 1) * binWidth)
            counts[i] += density * (edge - a)
            if edge <= a { break }
            a = edge
        }
    }

    /// Adds `count` events each placed uniformly at random in [lo, hi) (events outside the range are
    /// dropped), in O(bins spanned) rather than O(count): the counts per bin are a multinomial
    /// draw with the bins' shares of the interval, made as conditional binomials
    /// (`SeededGenerator.binomial`), so they are distributed exactly as `count` single uniform
    /// draws would be, and the counts that land inside the range all arrive (no rounding).
    public mutating func fillDrawn(_ count: Int, over lo: Double, _ hi: Double, generator rng: inout SeededGenerator) {
        guard count > 0 else { return }
        guard hi > lo else { fill(lo, weight: Double(count)); return }
        let width = hi - lo
        var left = count, mass = 1.0
        /// One category of the split: `p` of the interval; the last category inside takes the rest.
        func draw(_ p: Double, last: Bool) -> Int {
            let x = last ? left : rng.binomial(left, mass > p ? p / mass : 1)
            left -= x; mass -= p
            return x
        }
        if lo < lowerEdge { _ = draw((Swift.min(hi, lowerEdge) - lo) / width, last: hi <= lowerEdge) }
        var a = Swift.max(lo, lowerEdge)
        let b = Swift.min(hi, upperEdge)
        guard a < b, var i = bin(of: a) else { return }
        // By bin index, so an edge that rounds onto `a` costs an empty share, never the counts.
        while left > 0, i < counts.count {
            let edge = Swift.min(b, lowerEdge + Double(i + 1) * binWidth)
            counts[i] += Double(draw(Swift.max(0, edge - a) / width, last: edge >= hi))
            if edge >= b { break }
            a = Swift.max(a, edge); i += 1
        }
    }

    /// Sums groups of `factor` adjacent bins (a trailing partial group is dropped).
    public func rebinned(by factor: Int) -> Histogram {
        precondition(factor >= 1)
        let n = counts.count / factor
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<factor { out[i] += counts[i * factor + j] } }
        return Histogram(lowerEdge: lowerEdge, binWidth: binWidth * Double(factor), counts: out)
    }

    /// Re-histograms onto new equal-width bins, sharing each old bin's content in proportion to overlap.
    public func resampled(lowerEdge lo: Double, binWidth w: Double, bins: Int) -> Histogram {
        var h = Histogram(lowerEdge: lo, binWidth: w, bins: bins)
        for i in counts.indices where counts[i] != 0 {
            let a = lowerEdge + Double(i) * binWidth
            h.fillInterval(a, a + binWidth, weight: counts[i])
        }
        return h
    }

    /// Bin-by-bin sum of histograms with identical binning.
    public static func + (a: Histogram, b: Histogram) -> Histogram {
        precondition(a.lowerEdge == b.lowerEdge && a.binWidth == b.binWidth && a.counts.count == b.counts.count,
                     "histograms must share binning")
        var h = a
        for i in h.counts.indices { h.counts[i] += b.counts[i] }
        return h
    }

    /// The bins from the first to the last with counts (empty bins at either end dropped); unchanged
    /// when no bin has counts. A channel histogram of events so covers the events' own range.
    public func trimmedToCounts() -> Histogram {
        guard let f = counts.firstIndex(where: { $0 != 0 }), let l = counts.lastIndex(where: { $0 != 0 }) else { return self }
        if f == 0 && l == counts.count - 1 { return self }
        return Histogram(lowerEdge: lowerEdge + Double(f) * binWidth, binWidth: binWidth, counts: Array(counts[f...l]))
    }

    /// The sub-histogram of bins whose centres lie in `range`.
    public func slice(_ range: ClosedRange<Double>) -> Histogram {
        let idx = counts.indices.filter { range.contains(center($0)) }
        guard let f = idx.first, let l = idx.last else { return Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: 0) }
        return Histogram(lowerEdge: lowerEdge + Double(f) * binWidth, binWidth: binWidth, counts: Array(counts[f...l]))
    }
}

extension Histogram {
    /// Histogram of integer ADC values: bin i holds channels firstChannel + i·channelsPerBin ..< +channelsPerBin.
    ///
    /// Convention used throughout sddcal: the integer ADC value k stands for the continuous interval
    /// [k − ½, k + ½), the same coordinate the calibration E(ADC) is evaluated in. So the histogram's
    /// `lowerEdge` is firstChannel − ½ and bin centres are the mean channel of each bin.
    @inlinable public static func adc<S: Sequence>(_ values: S, firstChannel: Int = 0, channelsPerBin: Int = 1, bins: Int) -> Histogram
    where S.Element == UInt16 {
        precondition(channelsPerBin >= 1)
        var h = Histogram(lowerEdge: Double(firstChannel) - 0.5, binWidth: Double(channelsPerBin), bins: bins)
        // 0 ≤ b < bins == counts.count is checked once per value below, so the store needs no second check.
        h.counts.withUnsafeMutableBufferPointer { c in
            for v in values {
                let d = Int(v) - firstChannel
                if d >= 0 {
                    let b = d / channelsPerBin
                    if b < bins { c.baseAddress![b] += 1 }
                }
            }
        }
        return h
    }

    /// How an integer ADC channel's events are placed in energy bins.
    public enum ChannelSpreading: Sendable {
        /// Each event at a uniformly random energy within its channel's interval [E(k−½), E(k+½)):
        /// integer, Poisson-distributed bin contents, no bin beating (docs/physics.md §8), so a correct
        /// model scores χ²/ndf ≈ 1. Seeded from the calibration: the same input gives the same histogram.
        /// A channel's events are split over the bins its interval spans by one multinomial draw
        /// (`fillDrawn`), distributed exactly as per-event draws but in O(channels), not O(events).
        case dithered
        /// Each channel's count shared between bins in proportion to overlap: smooth, but neighbouring
        /// bins become correlated and their variance falls below Poisson (χ²/ndf < 1). For display.
        case fractional
    }

    /// Energy histogram of integer ADC values under a calibration, each channel spread uniformly over its
    /// energy interval [E(adc−½), E(adc+½)) so that bins narrower than or misaligned with channels do not beat.
    @inlinable public static func energy<S: Sequence>(_ values: S, calibration c: EnergyCalibration,
                                           lowerEdge: Double, binWidth: Double, bins: Int,
                                           spreading: ChannelSpreading = .dithered) -> Histogram
    where S.Element == UInt16 {
        var perChannel = [Int](repeating: 0, count: Int(UInt16.max) + 1)
        for v in values { perChannel[Int(v)] += 1 }
        return energy(channelCounts: perChannel, calibration: c, lowerEdge: lowerEdge, binWidth: binWidth,
                      bins: bins, spreading: spreading)
    }

    /// Energy histogram from counts per ADC channel (index = channel); see `energy(_:calibration:…)`.
    public static func energy(channelCounts perChannel: [Int], calibration c: EnergyCalibration,
                              lowerEdge: Double, binWidth: Double, bins: Int,
                              spreading: ChannelSpreading = .dithered) -> Histogram {
        var h = Histogram(lowerEdge: lowerEdge, binWidth: binWidth, bins: bins)
        var rng = SeededGenerator(seed: c.p0.bitPattern ^ (c.p1.bitPattern &* 31) ^ (c.p2.bitPattern &* 1_000_003))
        let upper = h.upperEdge
        for ch in perChannel.indices where perChannel[ch] > 0 {
            let e1 = c.energy(Double(ch) - 0.5), e2 = c.energy(Double(ch) + 0.5)
            let a = Swift.min(e1, e2), b = Swift.max(e1, e2)
            guard b > lowerEdge, a < upper else { continue }
            switch spreading {
            case .fractional:
                h.fillInterval(a, b, weight: Double(perChannel[ch]))
            case .dithered:
                let ia = h.bin(of: a), ib = h.bin(of: b)
                if let ia, ia == ib {
                    h.counts[ia] += Double(perChannel[ch])   // the whole channel lies in one bin
                } else {
                    h.fillDrawn(perChannel[ch], over: a, b, generator: &rng)
                }
            }
        }
        return h
    }
}
