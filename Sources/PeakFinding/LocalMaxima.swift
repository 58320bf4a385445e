import PeakKernels

/// Local maxima of a signal by comparison of neighbouring samples, with flat tops.
///
/// A local maximum is a sample (or a run of equal samples, a plateau) whose direct neighbours on
/// both sides are strictly lower. The first and last samples are never maxima, and neither is a
/// plateau touching either end. For a plateau the reported index is its middle sample, rounded
/// down when the plateau has an even number of samples (SciPy's documented convention).
public struct LocalMaxima: Sendable, Hashable {
    /// Middle index of every maximum, increasing.
    public var peaks: [Int]
    /// First sample of each maximum's plateau (equal to the peak for a one-sample top); empty
    /// when a sample is not finite.
    public var leftEdges: [Int]
    /// Last sample of each maximum's plateau.
    public var rightEdges: [Int]
    /// Whether every sample was finite (checked in the same pass; the maxima mean nothing otherwise).
    public var allFinite: Bool

    /// Finds the local maxima of `x`; with a non-finite sample `allFinite` is false and the maxima mean nothing.
    public init(_ x: [Double]) {
        self = x.withUnsafeBufferPointer { LocalMaxima(buffer: $0) }
    }

    init(buffer x: UnsafeBufferPointer<Double>, edges: Bool = true) {
        let n = x.count
        guard let base = x.baseAddress, n > 0 else {
            peaks = []; leftEdges = []; rightEdges = []; allFinite = true
            return
        }
        // The scan is PeakKernels' (vector compares and compaction); it stores whole vectors past
        // the count, hence the spare capacity.
        var finite: Int32 = 0
        let found = [Int](unsafeUninitializedCapacity: (n + 1) / 2 + 16) { buf, count in
            count = sdd_local_maxima(base, n, buf.baseAddress!, &finite)
        }
        peaks = found
        allFinite = finite != 0
        // The edge walks rely on every maximum being bounded by lower samples: finite signals only.
        (leftEdges, rightEdges) = edges && allFinite ? PeakFinder.plateauEdges(x, found) : ([], [])
    }
}
