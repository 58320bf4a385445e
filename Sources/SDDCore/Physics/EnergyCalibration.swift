/// A quadratic energy calibration E = p0 + p1·ADC + p2·ADC² (eq. 1 of the paper), with the
/// covariance of (p0, p1, p2) when known.
public struct EnergyCalibration: Sendable, Hashable, Codable {
    public var p0: Double
    public var p1: Double
    public var p2: Double
    /// Row-major 3×3 covariance of (p0, p1, p2), if known.
    public var covariance: [Double]?

    public init(p0: Double, p1: Double, p2: Double = 0, covariance: [Double]? = nil) {
        self.p0 = p0
        self.p1 = p1
        self.p2 = p2
        self.covariance = covariance
    }

    /// Coefficients as an array (p0, p1, p2).
    public var coefficients: [Double] { [p0, p1, p2] }

    /// Energy in eV of an ADC value.
    @inlinable public func energy(_ adc: Double) -> Double { p0 + adc * (p1 + adc * p2) }

    /// dE/dADC at an ADC value (eV per channel).
    @inlinable public func slope(_ adc: Double) -> Double { p1 + 2 * p2 * adc }

    /// ADC value of an energy (the root on the increasing branch), or nil outside the invertible range.
    public func adc(forEnergy e: Double) -> Double? {
        if p2 == 0 { return p1 == 0 ? nil : (e - p0) / p1 }
        let disc = p1 * p1 - 4 * p2 * (p0 - e)
        guard disc >= 0 else { return nil }
        // Numerically stable root nearest the linear solution.
        let q = -0.5 * (p1 + (p1 >= 0 ? 1 : -1) * disc.squareRoot())
        let r1 = (p0 - e) / q
        return r1
    }

    /// Standard error of the energy at an ADC value from the covariance (nil if unknown).
    public func energyError(_ adc: Double) -> Double? {
        guard let c = covariance, c.count == 9 else { return nil }
        let g = [1, adc, adc * adc]
        var v = 0.0
        for i in 0..<3 { for j in 0..<3 { v += g[i] * c[3 * i + j] * g[j] } }
        return Swift.max(0, v).squareRoot()
    }
}
