/// Local maxima of a signal by comparison of neighbouring samples, with flat tops.
///
/// A local maximum is a sample (or a run of equal samples, a plateau) whose direct neighbours on
/// both sides are strictly lower. The first and last samples are never maxima, and neither is a
/// plateau touching either end. For a plateau the reported index is its middle sample, rounded
/// down when the plateau has an even number of samples (SciPy's documented convention).
public struct LocalMaxima: Sendable, Hashable {
    /// Middle index of every maximum, increasing.
    public var peaks: [Int]
    /// First sample of each maximum's plateau (equal to the peak for a one-sample top).
    public var leftEdges: [Int]
    /// Last sample of each maximum's plateau.
    public var rightEdges: [Int]
    /// Whether every sample was finite (checked in the same pass; the maxima mean nothing otherwise).
    public var allFinite: Bool

    /// Finds the local maxima of `x` (NaN compares false and therefore never forms a maximum).
    public init(_ x: [Double]) {
        self = x.withUnsafeBufferPointer { LocalMaxima(buffer: $0) }
    }

    init(buffer x: UnsafeBufferPointer<Double>, edges: Bool = true) {
        let n = x.count
        guard n >= 3 else {
            peaks = []; leftEdges = []; rightEdges = []
            allFinite = x.allSatisfy { $0.isFinite }
            return
        }
        var bad = unsafeBitCast(!(x[0].magnitude <= .greatestFiniteMagnitude), to: UInt8.self)
            | unsafeBitCast(!(x[n - 1].magnitude <= .greatestFiniteMagnitude), to: UInt8.self)
        let last = n - 1
        // Pass 1, branch-free (noise makes the comparisons unpredictable): every strict rise whose
        // next sample is not higher starts a possible maximum. The flags come from a loop the
        // compiler vectorises; the compaction that follows stores every index and advances the
        // write position by the flag, so neither loop jumps on the data.
        var candidates = [Int](unsafeUninitializedCapacity: n) { buf, count in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { flags in
                var b: UInt8 = 0
                for i in 1..<last {
                    let l = x[i - 1], v = x[i], r = x[i + 1]
                    flags[i] = unsafeBitCast(l < v, to: UInt8.self) & unsafeBitCast(r <= v, to: UInt8.self)
                    b |= unsafeBitCast(!(v.magnitude <= .greatestFiniteMagnitude), to: UInt8.self)
                }
                bad |= b
                var c = 0
                for i in 1..<last {
                    buf[c] = i
                    c &+= Int(flags[i])
                }
                count = c
            }
        }
        // Pass 2: a start followed by a lower sample is a one-sample top; otherwise walk the plateau,
        // which is a maximum only if the run of equal samples ends in a fall before the last sample.
        // Edges go to buffers sized for every candidate (no growth checks), trimmed at the end.
        var out = 0
        let capacity = edges ? candidates.count : 0
        var lefts = [Int](repeating: 0, count: capacity), rights = [Int](repeating: 0, count: capacity)
        candidates.withUnsafeMutableBufferPointer { c in
        lefts.withUnsafeMutableBufferPointer { L in
        rights.withUnsafeMutableBufferPointer { R in
            for k in 0..<c.count {
                let i = c[k], v = x[i]
                var j = i + 1
                if x[j] != v {
                    c[out] = i
                    if edges { L[out] = i; R[out] = i }
                    out += 1
                    continue
                }
                while j < last && x[j] == v { j += 1 }
                if x[j] < v {
                    c[out] = (i + j - 1) / 2
                    if edges { L[out] = i; R[out] = j - 1 }
                    out += 1
                }
            }
        }}}
        candidates.removeLast(candidates.count - out)
        if edges { lefts.removeLast(capacity - out); rights.removeLast(capacity - out) }
        peaks = candidates
        leftEdges = lefts
        rightEdges = rights
        allFinite = bad == 0
    }
}
