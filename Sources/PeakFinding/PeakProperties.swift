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
        func f<T>(_ a: inout [T]?) {
            guard let v = a else { return }
            var out: [T] = []
            out.reserveCapacity(v.count)
            for i in v.indices where keep[i] { out.append(v[i]) }
            a = out
        }
        f(&peakHeights); f(&leftThresholds); f(&rightThresholds)
        f(&prominences); f(&leftBases); f(&rightBases)
        f(&widths); f(&widthHeights); f(&leftIPs); f(&rightIPs)
        f(&plateauSizes); f(&leftEdges); f(&rightEdges)
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
