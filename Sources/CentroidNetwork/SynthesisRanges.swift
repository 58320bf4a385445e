/// Ranges of the physical parameters drawn for each synthetic training spectrum. Every spectrum
/// gets its own calibration, resolution, tail, yields, continuum and number of counts, uniformly
/// (or log-uniformly) within these ranges, so the network learns the line pattern rather than one
/// detector. The defaults are wider than the VIP-2 simulator's (`SimulationConfig.vip2`): gain
/// 2.8–3.4 eV/ADC vs 2.9–3.3, zero energy at ADC 450–750 vs 570–630, ENC 8–18 e⁻ vs 11.4–12.4.
public struct SynthesisRanges: Codable, Hashable, Sendable {
    /// Gain p1 in eV per ADC channel.
    public var gain: ClosedRange<Double> = 2.8...3.4
    /// ADC channel of zero energy (E(a₀) = 0 fixes p0).
    public var zeroADC: ClosedRange<Double> = 450...750
    /// Quadratic term p2 in eV/ADC².
    public var quadratic: ClosedRange<Double> = -3e-6...3e-6
    /// Equivalent noise charge in electrons (Fano factor 0.119, w 3.749 eV fixed).
    public var enc: ClosedRange<Double> = 8...18
    /// Tail area fraction f_T.
    public var tailFraction: ClosedRange<Double> = 0...0.08
    /// Tail slope β (in σ).
    public var tailSlope: ClosedRange<Double> = 1.0...2.0
    /// Factor on each element's typical Kα yield (log-uniform), relative to the profile's typical yields.
    public var elementYieldFactor: ClosedRange<Double> = 0.4...2.5
    /// Extra factor on an element's yields (by element symbol), e.g. a stronger Cu target.
    public var elementYieldScale: [String: Double] = [:]
    /// Kβ/Kα intensity ratio for every element.
    public var kBetaRatio: ClosedRange<Double> = 0.09...0.18
    /// Fraction of the window's counts in the continuum.
    public var continuumFraction: ClosedRange<Double> = 0.01...0.3
    /// Decay length (ADC) of the continuum's falling exponential part (log-uniform).
    public var continuumDecay: ClosedRange<Double> = 300...5000
    /// Share of the continuum that is flat rather than falling.
    public var continuumFlatShare: ClosedRange<Double> = 0...1
    /// Si escape peak intensity relative to its parent line (E − 1740 eV).
    public var escapeFraction: ClosedRange<Double> = 0...0.01
    /// Expected total counts in the window (log-uniform); each bin is Poisson.
    public var totalCounts: ClosedRange<Double> = 3e4...1e6

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case gain, zeroADC, quadratic, enc, tailFraction, tailSlope, elementYieldFactor, elementYieldScale,
             kBetaRatio, continuumFraction, continuumDecay, continuumFlatShare, escapeFraction, totalCounts
    }

    /// Missing keys keep their defaults, so model files written before a range was added still load.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ k: CodingKeys, _ d: T) throws -> T { try c.decodeIfPresent(T.self, forKey: k) ?? d }
        gain = try get(.gain, gain)
        zeroADC = try get(.zeroADC, zeroADC)
        quadratic = try get(.quadratic, quadratic)
        enc = try get(.enc, enc)
        tailFraction = try get(.tailFraction, tailFraction)
        tailSlope = try get(.tailSlope, tailSlope)
        elementYieldFactor = try get(.elementYieldFactor, elementYieldFactor)
        elementYieldScale = try get(.elementYieldScale, elementYieldScale)
        kBetaRatio = try get(.kBetaRatio, kBetaRatio)
        continuumFraction = try get(.continuumFraction, continuumFraction)
        continuumDecay = try get(.continuumDecay, continuumDecay)
        continuumFlatShare = try get(.continuumFlatShare, continuumFlatShare)
        escapeFraction = try get(.escapeFraction, escapeFraction)
        totalCounts = try get(.totalCounts, totalCounts)
    }

    /// The defaults with another range of total counts.
    public static func counts(_ r: ClosedRange<Double>) -> SynthesisRanges {
        var s = SynthesisRanges()
        s.totalCounts = r
        return s
    }
}

import SDDCore

extension SynthesisRanges {
    /// The population of the VIP-2 simulator (`VIP2Simulator` with `config`): its gain, offset,
    /// quadratic, ENC and tail ranges, yields varied by ±15 % (Cu by ±30 % around `cuToMnKalpha`),
    /// ~5 % continuum falling with the simulator's 3 keV decay, escape peaks at 0.5 %. Held-out
    /// test spectra for `evaluate-peaks` come from here, at fixed total counts.
    public static func simulatorPopulation(_ config: SimulationConfig = .vip2()) -> SynthesisRanges {
        var r = SynthesisRanges()
        r.gain = config.gainRange
        r.zeroADC = config.zeroADCRange
        r.quadratic = config.quadraticRange
        r.enc = config.encRange
        r.tailFraction = config.tailFractionRange
        r.tailSlope = config.tailSlopeRange
        r.elementYieldFactor = 0.85...1.15
        // The simulator scales the profile's Cu yields by cuToMnKalpha / 0.01 and varies Cu by ±30 %.
        r.elementYieldScale = ["Cu": config.cuToMnKalpha / 0.01]
        r.kBetaRatio = 0.11...0.155
        let c = config.continuumFraction
        r.continuumFraction = (0.6 * c)...(1.6 * c)
        let decayADC = 3000 / (0.5 * (config.gainRange.lowerBound + config.gainRange.upperBound))
        r.continuumDecay = (0.7 * decayADC)...(1.3 * decayADC)
        r.continuumFlatShare = 0.1...0.4
        r.escapeFraction = config.escapePeaks ? 0.004...0.006 : 0...0
        return r
    }
}
