import SDDCore

/// The energy-space shape of one X-ray line (e.g. the Cu Kα1/Kα2 doublet): per component a Gaussian
/// plus the low-energy tail of incomplete charge collection (`physics.md`, the paper's eq. 5
/// corrected), normalised to unit area over all energies. Written once, generically, so that
/// dual numbers give its derivatives.
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

    @usableFromInline static var invSqrt2: Double { 0.7071067811865476 }
    @usableFromInline static var invSqrt2Pi: Double { 0.3989422804014327 }

    /// Probability density (per eV) at energy `e`.
    @inlinable public func density<T: RealScalar>(_ e: T) -> T {
        let beta = tailSlope, fT = tailFraction
        let invS = 1 / sigma
        var sum = T(0)
        for c in energies.indices {
            let d = (e - energies[c]) * invS
            // Gaussian core.
            let g = T.exp(d * d * -0.5) * (Self.invSqrt2Pi * invS * (1 - fT))
            // Tail T(x) = 1/(2βσ) · exp(d/β + 1/(2β²)) · erfc((d + 1/β)/√2).
            let tl = T.expTimesErfc(d * (1 / beta) + 0.5 / (beta * beta), (d + 1 / beta) * Self.invSqrt2)
                * (fT * 0.5 / beta * invS)
            sum += (g + tl) * weights[c]
        }
        return sum
    }

    /// Cumulative distribution: the fraction of the line's events below energy `e`.
    /// Per component Φ(d) + f_T·βσ·T(x): the tail is a Gaussian convolved with a one-sided
    /// exponential, whose CDF has this closed form (checked numerically in the tests).
    @inlinable public func cdf<T: RealScalar>(_ e: T) -> T {
        let beta = tailSlope, fT = tailFraction
        let invS = 1 / sigma
        var sum = T(0)
        for c in energies.indices {
            let d = (e - energies[c]) * invS
            let phi = T.erfc(d * -Self.invSqrt2) * 0.5
            let tl = T.expTimesErfc(d * (1 / beta) + 0.5 / (beta * beta), (d + 1 / beta) * Self.invSqrt2) * (0.5 * fT)
            sum += (phi + tl) * weights[c]
        }
        return sum
    }
}
