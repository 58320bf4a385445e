/// How the network's outputs map to ADC: output k = (ADC − center[k]) / scale[k]. Centres and scales
/// are the mean and standard deviation of each line's position over the training distribution, so
/// every output is of order one whatever the window (well-conditioned regression targets).
public struct OutputScaling: Codable, Hashable, Sendable {
    public var center: [Double]
    public var scale: [Double]

    public init(center: [Double], scale: [Double]) {
        precondition(center.count == scale.count && scale.allSatisfy { $0 > 0 }, "invalid output scaling")
        self.center = center
        self.scale = scale
    }

    /// Mean and standard deviation of each line position over `spectra` (at least two).
    public init(positions: [[Double]]) {
        let n = Double(positions.count), k = positions.first?.count ?? 0
        var c = [Double](repeating: 0, count: k), s = [Double](repeating: 0, count: k)
        for p in positions { for j in 0..<k { c[j] += p[j] / n } }
        for p in positions { for j in 0..<k { s[j] += (p[j] - c[j]) * (p[j] - c[j]) / (n - 1) } }
        self.init(center: c, scale: s.map { Swift.max(1, $0.squareRoot()) })
    }

    @inlinable public func normalised(_ adc: Double, line k: Int) -> Double { (adc - center[k]) / scale[k] }
    @inlinable public func adc(_ output: Double, line k: Int) -> Double { center[k] + output * scale[k] }
}
