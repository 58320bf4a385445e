import SDDCore

/// Widths of peaks, as `scipy.signal.peak_widths` defines them.
///
/// The evaluation height is `x[peak] − prominence · relHeight`. From the peak, walk outwards while
/// the signal stays above that height, never past the peak's bases; where the walk stops below the
/// height, the crossing is placed by linear interpolation between the two samples around it. The
/// width is the distance between the two crossings (`right_ips − left_ips`), in samples.
public struct PeakWidths: Sendable, Hashable, Codable {
    public var widths: [Double]
    public var widthHeights: [Double]
    public var leftIPs: [Double]
    public var rightIPs: [Double]

    /// Widths of `peaks` in `x`, computing prominences (with `wlen`) when none are given.
    ///
    /// - Throws: for a non-finite sample, bad peak indices, `relHeight` < 0, or prominence data
    ///   that does not fit the peaks (bases must bracket their peak inside `x`).
    public init(_ x: [Double], peaks: [Int], relHeight: Double = 0.5,
                prominenceData: PeakProminences? = nil, wlen: Double? = nil) throws {
        guard relHeight >= 0, relHeight.isFinite else {
            throw SDDError.invalidArgument("rel_height", "must be a finite number ≥ 0, was \(relHeight)")
        }
        let data = try prominenceData ?? PeakProminences(x, peaks: peaks, wlen: wlen)
        if prominenceData != nil { try PeakFinder.validateSignal(x) }
        guard data.prominences.count == peaks.count, data.leftBases.count == peaks.count,
              data.rightBases.count == peaks.count else {
            throw SDDError.invalidArgument("prominence_data", "has \(data.prominences.count) entries for \(peaks.count) peaks")
        }
        for k in peaks.indices {
            let (l, p, r) = (data.leftBases[k], peaks[k], data.rightBases[k])
            guard 0 <= l, l <= p, p <= r, r < x.count, data.prominences[k].isFinite, data.prominences[k] >= 0 else {
                throw SDDError.invalidArgument("prominence_data", "invalid for peak \(k) (bases \(l), \(r) around index \(p) in \(x.count) samples)")
            }
        }
        self = x.withUnsafeBufferPointer { Self.compute($0, peaks: peaks, relHeight: relHeight, prominence: data) }
    }

    init(widths: [Double], widthHeights: [Double], leftIPs: [Double], rightIPs: [Double]) {
        self.widths = widths
        self.widthHeights = widthHeights
        self.leftIPs = leftIPs
        self.rightIPs = rightIPs
    }

    static func compute(_ x: UnsafeBufferPointer<Double>, peaks: [Int], relHeight: Double,
                        prominence data: PeakProminences) -> PeakWidths {
        let n = peaks.count
        func doubles() -> [Double] { [Double](unsafeUninitializedCapacity: n) { _, c in c = n } }   // all written below
        var widths = doubles(), heights = doubles(), lips = doubles(), rips = doubles()
        guard n > 0 else { return PeakWidths(widths: widths, widthHeights: heights, leftIPs: lips, rightIPs: rips) }
        precondition(data.prominences.count == n && data.leftBases.count == n && data.rightBases.count == n)
        let X = x.baseAddress!
        // Raw pointers in the walks (buffer subscripts keep their bounds checks in -O builds). In range
        // because the bases bracket their peak inside x (checked by the public initializer, true by
        // construction in `find_peaks`): each walk stays in lo...hi, and a crossing below h is never the
        // peak itself (h ≤ x[p]), so its inner neighbour lies in lo...hi too.
        peaks.withUnsafeBufferPointer { P_ in
        data.prominences.withUnsafeBufferPointer { prom_ in
        data.leftBases.withUnsafeBufferPointer { lb_ in
        data.rightBases.withUnsafeBufferPointer { rb_ in
        widths.withUnsafeMutableBufferPointer { w_ in
        heights.withUnsafeMutableBufferPointer { h_ in
        lips.withUnsafeMutableBufferPointer { l_ in
        rips.withUnsafeMutableBufferPointer { r_ in
            let P = P_.baseAddress!, prom = prom_.baseAddress!, LB = lb_.baseAddress!, RB = rb_.baseAddress!
            let W = w_.baseAddress!, H = h_.baseAddress!, LI = l_.baseAddress!, RI = r_.baseAddress!
            for k in 0..<n {
                let p = P[k], lo = LB[k], hi = RB[k]
                let h = X[p] - prom[k] * relHeight
                var i = p
                while lo < i && h < X[i] { i &-= 1 }
                var left = Double(i)
                if X[i] < h { left += (h - X[i]) / (X[i &+ 1] - X[i]) }
                i = p
                while i < hi && h < X[i] { i &+= 1 }
                var right = Double(i)
                if X[i] < h { right -= (h - X[i]) / (X[i &- 1] - X[i]) }
                W[k] = right - left
                H[k] = h
                LI[k] = left
                RI[k] = right
            }
        }}}}}}}}
        return PeakWidths(widths: widths, widthHeights: heights, leftIPs: lips, rightIPs: rips)
    }

    enum CodingKeys: String, CodingKey {
        case widths
        case widthHeights = "width_heights"
        case leftIPs = "left_ips"
        case rightIPs = "right_ips"
    }
}
