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

    /// Finds the local maxima of `x` (NaN compares false and therefore never forms a maximum).
    public init(_ x: [Double]) {
        self = x.withUnsafeBufferPointer { LocalMaxima(buffer: $0) }
    }

    init(buffer x: UnsafeBufferPointer<Double>) {
        var peaks: [Int] = [], lefts: [Int] = [], rights: [Int] = []
        let n = x.count
        if n >= 3 {
            let capacity = n / 2
            peaks.reserveCapacity(capacity); lefts.reserveCapacity(capacity); rights.reserveCapacity(capacity)
            let last = n - 1
            var i = 1
            while i < last {
                let v = x[i]
                // Only a strict rise can start a maximum; then walk over the equal top.
                if x[i - 1] < v {
                    var j = i + 1
                    while j < last && x[j] == v { j += 1 }
                    // j is the first sample after the top (or the last sample, which must then be lower).
                    if x[j] < v {
                        peaks.append((i + j - 1) / 2)
                        lefts.append(i)
                        rights.append(j - 1)
                        i = j   // x[j] is lower than its left neighbour: it cannot start a maximum
                    }
                }
                i += 1
            }
        }
        self.peaks = peaks
        self.leftEdges = lefts
        self.rightEdges = rights
    }
}
