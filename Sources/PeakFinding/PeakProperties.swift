/// The properties `scipy.signal.find_peaks` returns for the selected peaks, under SciPy's names.
/// A group is present only when the condition that needs it was given (e.g. `prominences` when
/// `prominence` or `width` was given), exactly as in SciPy's `properties` dictionary.
public struct PeakProperties: Sendable, Hashable, Codable {
    public var peakHeights: [Double]?
    public var leftThresholds: [Double]?
    public var rightThresholds: [Double]?
    public var prominences: [Double]?
    public var leftBases: [Int]?
    public var rightBases: [Int]?
    public var widths: [Double]?
    public var widthHeights: [Double]?
    public var leftIPs: [Double]?
    public var rightIPs: [Double]?
    public var plateauSizes: [Int]?
    public var leftEdges: [Int]?
    public var rightEdges: [Int]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case peakHeights = "peak_heights"
        case leftThresholds = "left_thresholds"
        case rightThresholds = "right_thresholds"
        case prominences
        case leftBases = "left_bases"
        case rightBases = "right_bases"
        case widths
        case widthHeights = "width_heights"
        case leftIPs = "left_ips"
        case rightIPs = "right_ips"
        case plateauSizes = "plateau_sizes"
        case leftEdges = "left_edges"
        case rightEdges = "right_edges"
    }

    /// Keeps the entries whose `keep` flag is set, in every present property.
    mutating func compact(_ keep: [Bool]) {
        let kept = keep.reduce(0) { $0 + ($1 ? 1 : 0) }
        keep.withUnsafeBufferPointer { k in
            // Spelled out per element type so each call is specialised (no generic dispatch per call).
            func d(_ a: inout [Double]?) { if let v = a { a = Self.compacted(v, k, kept) } }
            func i(_ a: inout [Int]?) { if let v = a { a = Self.compacted(v, k, kept) } }
            d(&peakHeights); d(&leftThresholds); d(&rightThresholds)
            d(&prominences); i(&leftBases); i(&rightBases)
            d(&widths); d(&widthHeights); d(&leftIPs); d(&rightIPs)
            i(&plateauSizes); i(&leftEdges); i(&rightEdges)
        }
    }

    /// The elements of `a` whose flag is set (`kept` of them), written without jumps on the flags.
    @inline(__always) @_specialize(where T == Double) @_specialize(where T == Int)
    static func compacted<T: BitwiseCopyable>(_ a: [T], _ keep: UnsafeBufferPointer<Bool>, _ kept: Int) -> [T] {
        guard kept < a.count else { return a }
        return [T](unsafeUninitializedCapacity: kept) { out, count in
            a.withUnsafeBufferPointer { src in
                var c = 0
                for i in 0..<src.count {
                    if c < kept { (out.baseAddress! + c).initialize(to: src[i]) }
                    c &+= Int(unsafeBitCast(keep[i], to: UInt8.self))
                }
            }
            count = kept
        }
    }
}

/// Found peaks (sample indices, increasing) and their properties.
public struct PeakSearchResult: Sendable, Hashable, Codable {
    public var peaks: [Int]
    public var properties: PeakProperties

    public init(peaks: [Int], properties: PeakProperties) {
        self.peaks = peaks
        self.properties = properties
    }
}
