import SDDCore

/// The energy-space shape of one X-ray line (e.g. the Cu Kα1/Kα2 doublet): per component SDDCore's
/// ``SDDLineShape`` (a Gaussian plus the low-energy tail of incomplete charge collection), normalised
/// to unit area over all energies. Generic, so that dual numbers give its derivatives.
public struct LineShape: Sendable, Hashable, Codable {
    /// Component energies (eV) and weights (normalised to sum 1).
    public let energies: [Double]
    public let weights: [Double]
    /// Gaussian σ (eV) of the line (the doublet is 20 eV wide, so one σ serves both components).
    public var sigma: Double
    /// Tail area fraction f_T and slope β (in units of σ).
    public var tailFraction: Double
    public var tailSlope: Double

    public init(line: SpectralLine, sigma: Double, tailFraction: Double, tailSlope: Double) {
        let w = line.components.reduce(0) { $0 + $1.relativeIntensity }
        energies = line.components.map(\.energy)
        weights = line.components.map { $0.relativeIntensity / w }
        self.sigma = sigma
        self.tailFraction = tailFraction
        self.tailSlope = tailSlope
    }

    @usableFromInline static var invSqrt2Pi: Double { SDDLineShape.inverseSquareRoot2Pi }

    /// Probability density (per eV) at energy `e`: the weighted components' ``SDDLineShape`` densities.
    @inlinable public func density<T: RealScalar>(_ e: T) -> T {
        let invS = 1 / sigma
        var sum = T(0)
        for c in energies.indices {
            let d = (e - energies[c]) * invS
            sum += SDDLineShape.density(d, tailFraction: tailFraction, tailSlope: tailSlope) * (weights[c] * invS)
        }
        return sum
    }

    /// Cumulative distribution: the fraction of the line's events below energy `e` (the weighted
    /// components' ``SDDLineShape`` CDFs).
    @inlinable public func cdf<T: RealScalar>(_ e: T) -> T {
        let invS = 1 / sigma
        var sum = T(0)
        for c in energies.indices {
            let d = (e - energies[c]) * invS
            sum += SDDLineShape.cdf(d, tailFraction: tailFraction, tailSlope: tailSlope) * weights[c]
        }
        return sum
    }
}
