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
        guard w > 1, w.isFinite else {
            throw SDDError.invalidArgument("wlen", "must be a finite number > 1, was \(w)")
        }
        // Windows longer than any signal act alike; the cap keeps index arithmetic in range.
        return Int(Swift.min(w, 1e15).rounded(.up)) / 2
    }

    /// The computation on valid input (indices already checked).
    static func compute(_ x: UnsafeBufferPointer<Double>, peaks: [Int], half: Int?) -> PeakProminences {
        // Without a window, walks from peaks on long flanks are quadratic: use the local maxima.
        if peaks.count > 8 && (half == nil || half! >= x.count - 1) && isStrictlyIncreasing(peaks) {
            let maxima = LocalMaxima(buffer: x, edges: false).peaks
            if isSubsequence(peaks, of: maxima) { return computeByMaxima(x, peaks: peaks, maxima: maxima) }
        }
        return computeByWalks(x, peaks: peaks, half: half)
    }

    /// The definition itself: one walk per peak and side.
    static func computeByWalks(_ x: UnsafeBufferPointer<Double>, peaks: [Int], half: Int?) -> PeakProminences {
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
                // Select rather than jump: which sample is lowest is unpredictable on noise.
                let v = x[i], lower = v < leftMin
                leftMin = branchFreeSelect(lower, v, leftMin)
                leftBase = branchFreeSelect(lower, i, leftBase)
                i -= 1
            }
            i = p
            var rightMin = top, rightBase = p
            while i <= hi && x[i] <= top {
                let v = x[i], lower = v < rightMin
                rightMin = branchFreeSelect(lower, v, rightMin)
                rightBase = branchFreeSelect(lower, i, rightBase)
                i += 1
            }
            prom[k] = top - Swift.max(leftMin, rightMin)
            lb[k] = leftBase
            rb[k] = rightBase
        }
        return PeakProminences(prominences: prom, leftBases: lb, rightBases: rb)
    }

    /// Whether every element of the increasing list `a` occurs in the increasing list `b`.
    static func isSubsequence(_ a: [Int], of b: [Int]) -> Bool {
        var j = 0
        for v in a {
            while j < b.count && b[j] < v { j += 1 }
            if j == b.count || b[j] != v { return false }
        }
        return true
    }

    static func isStrictlyIncreasing(_ a: [Int]) -> Bool {
        for i in a.indices.dropFirst() where a[i - 1] >= a[i] { return false }
        return true
    }

    /// The same bases and prominences for a window covering the whole signal, from the signal's
    /// local maxima instead of one walk per peak (walks from peaks on the flank of a tall line run
    /// down the whole flank, which makes them quadratic on noisy spectra).
    ///
    /// Between two consecutive local maxima the signal first does not rise and then does not fall
    /// (any rise followed by a fall would be another maximum), so the lowest samples of that
    /// stretch form one run, and a walk entering the stretch from either side reaches it before any
    /// sample above its own peak. A walk from a peak therefore passes through whole stretches and
    /// lower (or equal) maxima until the nearest strictly higher maximum, and its base is the lowest
    /// stretch minimum on the way (the run's end nearest the peak). A monotonic stack over the
    /// maxima, once per side, finds all of them in time linear in the signal length.
    ///
    /// - Parameters:
    ///   - peaks: increasing, and each one of `maxima.peaks`.
    ///   - maxima: every local maximum of `x`.
    static func computeByMaxima(_ x: UnsafeBufferPointer<Double>, peaks: [Int], maxima allPeaks: [Int]) -> PeakProminences {
        let m = allPeaks.count, q = peaks.count
        guard q > 0, m > 0, let X = x.baseAddress else { return PeakProminences(prominences: [], leftBases: [], rightBases: []) }
        // Every entry below is written before it is read.
        func doubles(_ c: Int) -> [Double] { [Double](unsafeUninitializedCapacity: c) { _, n in n = c } }
        func ints(_ c: Int) -> [Int] { [Int](unsafeUninitializedCapacity: c) { _, n in n = c } }
        var prom = doubles(q), lb = ints(q), rb = ints(q)
        let (sMin, sFirst, sLast) = allPeaks.withUnsafeBufferPointer { stretchMinima(x, maxima: $0) }
        var stackH = doubles(m), stackMin = doubles(m), stackPos = ints(m)
        var leftMin = doubles(q), rightMin = doubles(q)
        // The loops run on raw pointers (buffer subscripts keep their bounds checks in -O builds, and
        // these loops are the search's hot spot). Indices stay in range by construction: k < m, the
        // stretches have m + 1 entries, the stack never holds more than the m maxima pushed, j < q.
        allPeaks.withUnsafeBufferPointer { P_ in
        peaks.withUnsafeBufferPointer { Q_ in
        sMin.withUnsafeBufferPointer { sMin_ in
        sFirst.withUnsafeBufferPointer { sFirst_ in
        sLast.withUnsafeBufferPointer { sLast_ in
        stackH.withUnsafeMutableBufferPointer { sh_ in
        stackMin.withUnsafeMutableBufferPointer { smin_ in
        stackPos.withUnsafeMutableBufferPointer { spos_ in
        leftMin.withUnsafeMutableBufferPointer { leftMin_ in
        rightMin.withUnsafeMutableBufferPointer { rightMin_ in
        lb.withUnsafeMutableBufferPointer { lb_ in
        rb.withUnsafeMutableBufferPointer { rb_ in
            let P = P_.baseAddress!, Q = Q_.baseAddress!
            let sMin = sMin_.baseAddress!, sFirst = sFirst_.baseAddress!, sLast = sLast_.baseAddress!
            let sh = sh_.baseAddress!, smin = smin_.baseAddress!, spos = spos_.baseAddress!
            let lMin = leftMin_.baseAddress!, rMin = rightMin_.baseAddress!, L = lb_.baseAddress!, R = rb_.baseAddress!
            // Left bases: maxima left to right; on equal minima the later one is nearer the peak.
            var top = 0, j = 0
            for k in 0..<m {
                let h = X[P[k]]
                var mv = sMin[k], mp = sLast[k]
                while top > 0 && sh[top &- 1] <= h {
                    top &-= 1
                    let v = smin[top], lower = v < mv
                    mv = branchFreeSelect(lower, v, mv); mp = branchFreeSelect(lower, spos[top], mp)
                }
                sh[top] = h; smin[top] = mv; spos[top] = mp; top &+= 1
                if j < q && Q[j] == P[k] { lMin[j] = mv; L[j] = mp; j &+= 1 }
            }
            // Right bases: maxima right to left; on equal minima the earlier one is nearer.
            top = 0; j = q &- 1
            var k = m
            while k > 0 {
                k &-= 1
                let h = X[P[k]]
                var mv = sMin[k &+ 1], mp = sFirst[k &+ 1]
                while top > 0 && sh[top &- 1] <= h {
                    top &-= 1
                    let v = smin[top], lower = v < mv
                    mv = branchFreeSelect(lower, v, mv); mp = branchFreeSelect(lower, spos[top], mp)
                }
                sh[top] = h; smin[top] = mv; spos[top] = mp; top &+= 1
                if j >= 0 && Q[j] == P[k] { rMin[j] = mv; R[j] = mp; j &-= 1 }
            }
            prom.withUnsafeMutableBufferPointer { out in
                let o = out.baseAddress!
                for k in 0..<q { o[k] = X[Q[k]] - Swift.max(lMin[k], rMin[k]) }
            }
        }}}}}}}}}}}}
        return PeakProminences(prominences: prom, leftBases: lb, rightBases: rb)
    }

    /// Lowest sample of every stretch between consecutive local maxima (stretch k lies between
    /// maxima k−1 and k; stretch 0 starts at sample 0, stretch m ends at the last sample), with the
    /// first and the last sample holding that minimum.
    static func stretchMinima(_ x: UnsafeBufferPointer<Double>, maxima P_: UnsafeBufferPointer<Int>)
        -> (min: [Double], first: [Int], last: [Int]) {
        let n = x.count, m = P_.count
        var sMin = [Double](unsafeUninitializedCapacity: m + 1) { _, c in c = m + 1 }
        var sFirst = [Int](unsafeUninitializedCapacity: m + 1) { _, c in c = m + 1 }
        var sLast = sFirst
        precondition(n > 0)   // a signal with maxima has samples
        let X = x.baseAddress!
        sMin.withUnsafeMutableBufferPointer { sMin_ in
        sFirst.withUnsafeMutableBufferPointer { sFirst_ in
        sLast.withUnsafeMutableBufferPointer { sLast_ in
            // Raw pointers: the maxima are increasing indices inside x, so every stretch lo...hi is too.
            let sMin = sMin_.baseAddress!, sFirst = sFirst_.baseAddress!, sLast = sLast_.baseAddress!
            let P = P_.baseAddress
            for k in 0...m {
                let lo = k == 0 ? 0 : P![k &- 1] &+ 1, hi = k == m ? n &- 1 : P![k] &- 1
                var mn = X[lo], first = lo, last = lo
                var i = lo &+ 1
                while i <= hi {
                    // Selects, not jumps: the turn from falling to rising would mispredict once per stretch.
                    let v = X[i], below = v < mn, notAbove = v <= mn
                    first = branchFreeSelect(below, i, first)
                    last = branchFreeSelect(notAbove, i, last)
                    mn = branchFreeSelect(below, v, mn)
                    i &+= 1
                }
                sMin[k] = mn; sFirst[k] = first; sLast[k] = last
            }
        }}}
        return (sMin, sFirst, sLast)
    }

    /// Windowed prominences from the stretches between maxima: the walk of the definition, but
    /// crossing a whole stretch in one step (its minimum is known, and a walk that enters it from a
    /// maximum no higher than the peak reaches that minimum, see `computeByMaxima`). Only the
    /// stretch that the window cuts is walked sample by sample.
    ///
    /// - Parameters:
    ///   - peaks: increasing, and each one of `maxima`.
    ///   - maxima: every local maximum of `x`.
    ///   - half: samples each side of the peak inside the window.
    static func computeByStretches(_ x: UnsafeBufferPointer<Double>, peaks: [Int], maxima allPeaks: [Int], half: Int) -> PeakProminences {
        let n = x.count, m = allPeaks.count, q = peaks.count
        var prom = [Double](repeating: 0, count: q)
        var lb = [Int](repeating: 0, count: q), rb = [Int](repeating: 0, count: q)
        guard q > 0 else { return PeakProminences(prominences: prom, leftBases: lb, rightBases: rb) }
        let (sMin, sFirst, sLast) = allPeaks.withUnsafeBufferPointer { stretchMinima(x, maxima: $0) }
        allPeaks.withUnsafeBufferPointer { P in
        sMin.withUnsafeBufferPointer { sMin in
        sFirst.withUnsafeBufferPointer { sFirst in
        sLast.withUnsafeBufferPointer { sLast in
        peaks.withUnsafeBufferPointer { peaks in
        prom.withUnsafeMutableBufferPointer { prom in
        lb.withUnsafeMutableBufferPointer { lb in
        rb.withUnsafeMutableBufferPointer { rb in
            // Pointers for the peaks and the outputs too (j < q); every other index is a maximum's,
            // a stretch's (0...m) or a sample's in 0..<n, so the index arithmetic wraps without a
            // check (it cannot overflow). A stretch k found lowest is kept as ~k = −(k + 1).
            var k0 = 0
            for j in 0..<q {
                let p = peaks[j]
                while P[k0] < p { k0 &+= 1 }
                let top = x[p]
                let a = Swift.max(0, p &- half), b = Swift.min(n &- 1, p &+ half)
                // Left: stretch k lies left of maximum k.
                var lv = top, lp = p, k = k0
                while true {
                    let lo = k == 0 ? 0 : P[k &- 1] &+ 1
                    if lo >= a {
                        // Selects: which stretch is lowest is unpredictable on noise. The base is
                        // kept as −(stretch + 1) and looked up at the end: a select between loaded
                        // positions would be compiled into a jump around the load.
                        let v = sMin[k], lower = v < lv
                        lv = branchFreeSelect(lower, v, lv); lp = branchFreeSelect(lower, ~k, lp)
                        if k == 0 || P[k &- 1] < a || x[P[k &- 1]] > top { break }
                        k &-= 1
                    } else {
                        var i = P[k] &- 1
                        while i >= a && x[i] <= top {
                            let v = x[i], lower = v < lv
                            lv = branchFreeSelect(lower, v, lv); lp = branchFreeSelect(lower, i, lp)
                            i &-= 1
                        }
                        break
                    }
                }
                // Right: stretch k + 1 lies right of maximum k.
                var rv = top, rp = p
                k = k0
                while true {
                    let hi = k &+ 1 == m ? n &- 1 : P[k &+ 1] &- 1
                    if hi <= b {
                        let v = sMin[k &+ 1], lower = v < rv
                        rv = branchFreeSelect(lower, v, rv); rp = branchFreeSelect(lower, ~(k &+ 1), rp)
                        if k &+ 1 == m || P[k &+ 1] > b || x[P[k &+ 1]] > top { break }
                        k &+= 1
                    } else {
                        var i = P[k] &+ 1
                        while i <= b && x[i] <= top {
                            let v = x[i], lower = v < rv
                            rv = branchFreeSelect(lower, v, rv); rp = branchFreeSelect(lower, i, rp)
                            i &+= 1
                        }
                        break
                    }
                }
                prom[j] = top - Swift.max(lv, rv)
                lb[j] = lp >= 0 ? lp : sLast[~lp]
                rb[j] = rp >= 0 ? rp : sFirst[~rp]
            }
        }}}}}}}}
        return PeakProminences(prominences: prom, leftBases: lb, rightBases: rb)
    }

    enum CodingKeys: String, CodingKey {
        case prominences
        case leftBases = "left_bases"
        case rightBases = "right_bases"
    }
}
