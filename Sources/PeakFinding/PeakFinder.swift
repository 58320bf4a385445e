import PeakKernels
import SDDCore

/// `scipy.signal.find_peaks`, `peak_prominences` and `peak_widths` with SciPy's semantics, written
/// from SciPy's documentation.
public enum PeakFinder {
    /// Finds peaks in `x` and selects them by the conditions of `options`, in SciPy's order:
    /// plateau size, height, threshold, distance, prominence, width.
    ///
    /// - Returns: peak indices (increasing) and the properties of the conditions that were given.
    ///   A signal shorter than 3 samples, or flat, has no peaks (an empty result, not an error).
    /// - Throws: `SDDError.invalidArgument` for a non-finite sample or a bad parameter.
    public static func findPeaks(_ x: [Double], options: PeakSearchOptions = PeakSearchOptions()) throws -> PeakSearchResult {
        try options.validate()
        // The scan for maxima also checks that every sample is finite (one pass instead of two).
        if let r = x.withUnsafeBufferPointer({ search($0, options) }) { return r }
        try validateSignal(x)
        throw SDDError.invalidArgument("x", "samples must be finite")
    }

    /// Standalone `peak_prominences`.
    public static func peakProminences(_ x: [Double], peaks: [Int], wlen: Double? = nil) throws -> PeakProminences {
        try PeakProminences(x, peaks: peaks, wlen: wlen)
    }

    /// Standalone `peak_widths`.
    public static func peakWidths(_ x: [Double], peaks: [Int], relHeight: Double = 0.5,
                                  prominenceData: PeakProminences? = nil, wlen: Double? = nil) throws -> PeakWidths {
        try PeakWidths(x, peaks: peaks, relHeight: relHeight, prominenceData: prominenceData, wlen: wlen)
    }

    /// Refuses NaN and infinite samples: SciPy silently lets NaN break comparisons; here it is an error.
    static func validateSignal(_ x: [Double]) throws {
        // A jump-free scan first (it runs on every call); the index only when something is wrong.
        var bad: UInt8 = 0
        x.withUnsafeBufferPointer { b in
            for v in b { bad |= unsafeBitCast(!(v.magnitude <= .greatestFiniteMagnitude), to: UInt8.self) }
        }
        if bad != 0, let i = x.firstIndex(where: { !$0.isFinite }) {
            throw SDDError.invalidArgument("x", "sample \(i) is \(x[i]) (samples must be finite)")
        }
    }

    /// The search on a signal with validated options; nil when a sample is not finite.
    static func search(_ x: UnsafeBufferPointer<Double>, _ o: PeakSearchOptions) -> PeakSearchResult? {
        let maxima = LocalMaxima(buffer: x, edges: false)
        guard maxima.allFinite else { return nil }
        var peaks = maxima.peaks
        // Properties that cost a search (prominences, widths, and plateau edges once computed) are
        // kept and filtered with the peaks; the cheap ones (heights, thresholds) are computed for the
        // survivors at the end (the same arithmetic, so the same values), which saves filtering them
        // at every step.
        var prom: PeakProminences? = nil
        var wid: PeakWidths? = nil
        // Plateau edges, when the plateau condition needed them (then filtered with the peaks).
        var edges: (left: [Int], right: [Int])? = nil

        // Removes the peaks whose flag is false.
        func apply(_ keep: [Bool]) {
            let kept = keep.withUnsafeBufferPointer { k in
                var c = 0
                for f in k { c &+= Int(unsafeBitCast(f, to: UInt8.self)) }
                return c
            }
            guard kept < peaks.count else { return }
            keep.withUnsafeBufferPointer { k in
                peaks = PeakProperties.compacted(peaks, k, kept)
                if let e = edges {
                    edges = (PeakProperties.compacted(e.left, k, kept), PeakProperties.compacted(e.right, k, kept))
                }
                if let p = prom {
                    prom = PeakProminences(prominences: PeakProperties.compacted(p.prominences, k, kept),
                                           leftBases: PeakProperties.compacted(p.leftBases, k, kept),
                                           rightBases: PeakProperties.compacted(p.rightBases, k, kept))
                }
                if let w = wid {
                    wid = PeakWidths(widths: PeakProperties.compacted(w.widths, k, kept),
                                     widthHeights: PeakProperties.compacted(w.widthHeights, k, kept),
                                     leftIPs: PeakProperties.compacted(w.leftIPs, k, kept),
                                     rightIPs: PeakProperties.compacted(w.rightIPs, k, kept))
                }
            }
        }

        // Every plateau has at least one sample: a condition that accepts all sizes ≥ 1 costs nothing.
        if let c = o.plateauSize, (c.min ?? -.infinity) > 1 || c.max != nil {
            let (left, right) = plateauEdges(x, peaks)
            edges = (left, right)
            apply(flags(peaks.count, c) { Double(right[$0] - left[$0] + 1) })
        }
        if let c = o.height {
            apply(peaks.withUnsafeBufferPointer { P in flags(P.count, c) { x[P[$0]] } })
        }
        if let c = o.threshold {
            // Missing bounds as infinities: the same test for every peak, without jumps (samples are finite).
            // The smaller step must reach the minimum, the larger must not exceed the maximum.
            let lo = c.min ?? -.infinity, hi = c.max ?? .infinity
            var keep = [Bool](unsafeUninitializedCapacity: peaks.count) { _, n in n = peaks.count }
            peaks.withUnsafeBufferPointer { P in
            keep.withUnsafeMutableBufferPointer { K in
                for i in 0..<K.count {
                    let p = P[i], v = x[p], l = v - x[p - 1], r = v - x[p + 1]
                    K[i] = unsafeBitCast(unsafeBitCast(lo <= Swift.min(l, r), to: UInt8.self)
                                         & unsafeBitCast(Swift.max(l, r) <= hi, to: UInt8.self), to: Bool.self)
                }
            }}
            apply(keep)
        }
        if let d = o.distance {
            // Any distance beyond the signal's length acts like its length (and stays a valid Int).
            apply(distanceSelection(peaks, x, distance: Int(Swift.min(d, Double(x.count + 1)).rounded(.up))))
        }
        if o.prominence != nil || o.width != nil {
            let half = (try? PeakProminences.halfWindow(o.wlen)) ?? nil   // validated above
            prom = (half == nil || half! >= x.count - 1)
                ? PeakProminences.computeByMaxima(x, peaks: peaks, maxima: maxima.peaks)
                : PeakProminences.computeByStretches(x, peaks: peaks, maxima: maxima.peaks, half: half!)
            if let c = o.prominence { apply(condition(prom!.prominences, c)) }
        }
        if let c = o.width {
            wid = PeakWidths.compute(x, peaks: peaks, relHeight: o.relHeight, prominence: prom!)
            apply(condition(wid!.widths, c))
        }

        var props = PeakProperties()
        if o.plateauSize != nil {
            let (left, right) = edges ?? plateauEdges(x, peaks)
            props.leftEdges = left
            props.rightEdges = right
            props.plateauSizes = [Int](unsafeUninitializedCapacity: peaks.count) { S, n in
                for i in 0..<peaks.count { S[i] = right[i] - left[i] + 1 }
                n = peaks.count
            }
        }
        if o.height != nil {
            props.peakHeights = [Double](unsafeUninitializedCapacity: peaks.count) { H, n in
                for i in 0..<peaks.count { H[i] = x[peaks[i]] }
                n = peaks.count
            }
        }
        if o.threshold != nil {
            let m = peaks.count
            props.leftThresholds = [Double](unsafeUninitializedCapacity: m) { L, n in
                for i in 0..<m { L[i] = x[peaks[i]] - x[peaks[i] - 1] }
                n = m
            }
            props.rightThresholds = [Double](unsafeUninitializedCapacity: m) { R, n in
                for i in 0..<m { R[i] = x[peaks[i]] - x[peaks[i] + 1] }
                n = m
            }
        }
        if let p = prom { props.prominences = p.prominences; props.leftBases = p.leftBases; props.rightBases = p.rightBases }
        if let w = wid { props.widths = w.widths; props.widthHeights = w.widthHeights; props.leftIPs = w.leftIPs; props.rightIPs = w.rightIPs }
        return PeakSearchResult(peaks: peaks, properties: props)
    }

    /// First and last sample of each peak's plateau (the peaks are local maxima of `x`).
    static func plateauEdges(_ x: UnsafeBufferPointer<Double>, _ peaks: [Int]) -> (left: [Int], right: [Int]) {
        let m = peaks.count
        guard m > 0 else { return ([], []) }
        var left = [Int](unsafeUninitializedCapacity: m) { _, n in n = m }
        var right = left
        peaks.withUnsafeBufferPointer { P in
        left.withUnsafeMutableBufferPointer { L in
        right.withUnsafeMutableBufferPointer { R in
            sdd_plateau_edges(x.baseAddress!, P.baseAddress!, m, L.baseAddress!, R.baseAddress!)
        }}}
        return (left, right)
    }

    /// Flags of the peaks whose value passes `c`, in one loop without jumps (missing bounds as
    /// infinities; the values are finite, so the comparisons agree with `PeakCondition.accepts`).
    @inline(__always)
    static func flags(_ count: Int, _ c: PeakCondition, _ value: (Int) -> Double) -> [Bool] {
        let lo = c.min ?? -.infinity, hi = c.max ?? .infinity
        return [Bool](unsafeUninitializedCapacity: count) { k, n in
            for i in 0..<count {
                let v = value(i)
                k[i] = unsafeBitCast(unsafeBitCast(lo <= v, to: UInt8.self) & unsafeBitCast(v <= hi, to: UInt8.self), to: Bool.self)
            }
            n = count
        }
    }

    /// Flags of the values that pass `c`.
    static func condition(_ v: [Double], _ c: PeakCondition) -> [Bool] {
        v.withUnsafeBufferPointer { V in flags(V.count, c) { V[$0] } }
    }

    /// Keeps peaks at least `distance` samples apart, visiting peaks from highest to lowest and
    /// removing every still-kept neighbour closer than `distance` to a kept one. Equal heights are
    /// visited right to left (the order of a stable ascending sort read backwards).
    ///
    /// Removal never reaches across a gap of `distance` or more between consecutive peaks, so each
    /// run of peaks closer than that is settled on its own: sorting small runs is cheaper than
    /// sorting all peaks, and a lone peak is kept without sorting.
    static func distanceSelection(_ peaks: [Int], _ x: UnsafeBufferPointer<Double>, distance: Int) -> [Bool] {
        let n = peaks.count
        var keep = [Bool](repeating: true, count: n)
        guard n > 1, distance > 1 else { return keep }
        var order: [Int] = []
        // Every index below lies in a run start..<end ⊆ 0..<n (the walks stop at start and end),
        // so peaks and flags are read through pointers, without a bounds check per step.
        peaks.withUnsafeBufferPointer { peaks in
        keep.withUnsafeMutableBufferPointer { keep in
            var start = 0
            while start < n {
                var end = start + 1
                while end < n && peaks[end] - peaks[end - 1] < distance { end += 1 }
                // Run start..<end.
                if end - start == 2 {
                    // Two peaks closer than distance: the higher stays, the right one on a tie.
                    if x[peaks[start]] > x[peaks[start + 1]] { keep[start + 1] = false } else { keep[start] = false }
                } else if end - start > 2 {
                    order.removeAll(keepingCapacity: true)
                    order.append(contentsOf: start..<end)
                    // Highest first, equal heights right first. Runs are mostly short: insertion sort.
                    if end - start <= 24 {
                        order.withUnsafeMutableBufferPointer { o in
                            for a in 1..<o.count {
                                let j = o[a], hj = x[peaks[j]]
                                var b = a
                                while b > 0 {
                                    let q = o[b - 1], hq = x[peaks[q]]
                                    if hq > hj || (hq == hj && q > j) { break }
                                    o[b] = q; b -= 1
                                }
                                o[b] = j
                            }
                        }
                    } else {
                        order.sort { a, b in
                            let ha = x[peaks[a]], hb = x[peaks[b]]
                            return ha > hb || (ha == hb && a > b)
                        }
                    }
                    for j in order where keep[j] {
                        let pj = peaks[j]
                        var k = j - 1
                        while k >= start && pj - peaks[k] < distance { keep[k] = false; k -= 1 }
                        k = j + 1
                        while k < end && peaks[k] - pj < distance { keep[k] = false; k += 1 }
                    }
                }
                start = end
            }
        }}
        return keep
    }
}
