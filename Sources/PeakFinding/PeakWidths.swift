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
        var widths = [Double](repeating: 0, count: n)
        var heights = [Double](repeating: 0, count: n)
        var lips = [Double](repeating: 0, count: n)
        var rips = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let p = peaks[k], lo = data.leftBases[k], hi = data.rightBases[k]
            let h = x[p] - data.prominences[k] * relHeight
            var i = p
            while lo < i && h < x[i] { i -= 1 }
            var left = Double(i)
            if x[i] < h { left += (h - x[i]) / (x[i + 1] - x[i]) }
            i = p
            while i < hi && h < x[i] { i += 1 }
            var right = Double(i)
            if x[i] < h { right -= (h - x[i]) / (x[i - 1] - x[i]) }
            widths[k] = right - left
            heights[k] = h
            lips[k] = left
            rips[k] = right
        }
        return PeakWidths(widths: widths, widthHeights: heights, leftIPs: lips, rightIPs: rips)
    }

    enum CodingKeys: String, CodingKey {
        case widths
        case widthHeights = "width_heights"
        case leftIPs = "left_ips"
        case rightIPs = "right_ips"
    }
}
