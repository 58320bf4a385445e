import SDDCore

/// Prominences of peaks, as `scipy.signal.peak_prominences` defines them.
///
/// From the peak, walk left while the signal does not rise above the peak (and inside the window):
/// the lowest sample passed is the left base, its nearest occurrence to the peak when several are
/// equal. Likewise to the right. The prominence is the peak height minus the higher of the two
/// base values.
public struct PeakProminences: Sendable, Hashable, Codable {
    public var prominences: [Double]
    public var leftBases: [Int]
    public var rightBases: [Int]

    /// Computes prominences of `peaks` in `x`.
    ///
    /// - Parameter wlen: window length in samples (> 1); rounded up to an integer, and the window
    ///   is centred on the peak so an even length behaves as the next odd one. nil: whole signal.
    /// - Throws: for a non-finite sample, a peak index outside `x`, or a bad `wlen`.
    public init(_ x: [Double], peaks: [Int], wlen: Double? = nil) throws {
        try PeakFinder.validateSignal(x)
        let half = try Self.halfWindow(wlen)
        for (k, p) in peaks.enumerated() where !(0..<x.count).contains(p) {
            throw SDDError.invalidArgument("peaks", "peak \(k) at index \(p) is not a valid index of a signal of \(x.count) samples")
        }
        self = x.withUnsafeBufferPointer { Self.compute($0, peaks: peaks, half: half) }
    }

    init(prominences: [Double], leftBases: [Int], rightBases: [Int]) {
        self.prominences = prominences
        self.leftBases = leftBases
        self.rightBases = rightBases
    }

    /// Half the window (samples each side of the peak), or nil for the whole signal.
    static func halfWindow(_ wlen: Double?) throws -> Int? {
        guard let w = wlen else { return nil }
        guard w > 1, w.isFinite, w < Double(Int.max / 2) else {
            throw SDDError.invalidArgument("wlen", "must be a finite number > 1, was \(w)")
        }
        return Int(w.rounded(.up)) / 2
    }

    /// The computation on valid input (indices already checked).
    static func compute(_ x: UnsafeBufferPointer<Double>, peaks: [Int], half: Int?) -> PeakProminences {
        let n = peaks.count
        var prom = [Double](repeating: 0, count: n)
        var lb = [Int](repeating: 0, count: n)
        var rb = [Int](repeating: 0, count: n)
        let last = x.count - 1
        for k in 0..<n {
            let p = peaks[k]
            let top = x[p]
            var lo = 0, hi = last
            if let h = half { lo = Swift.max(p - h, 0); hi = Swift.min(p + h, last) }
            var i = p, leftMin = top, leftBase = p
            while i >= lo && x[i] <= top {
                if x[i] < leftMin { leftMin = x[i]; leftBase = i }
                i -= 1
            }
            i = p
            var rightMin = top, rightBase = p
            while i <= hi && x[i] <= top {
                if x[i] < rightMin { rightMin = x[i]; rightBase = i }
                i += 1
            }
            prom[k] = top - Swift.max(leftMin, rightMin)
            lb[k] = leftBase
            rb[k] = rightBase
        }
        return PeakProminences(prominences: prom, leftBases: lb, rightBases: rb)
    }

    enum CodingKeys: String, CodingKey {
        case prominences
        case leftBases = "left_bases"
        case rightBases = "right_bases"
    }
}
