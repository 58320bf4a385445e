import Foundation

/// Simulates one histogrammed X-ray spectrum of an SDD on an MCA (an Amptek X-123 with an Fe-55 source,
/// one SIDDHARTA-2 cell's ROOT histogram), with the truth: where every line lies in ADC.
///
/// Each line is the profile's Kα doublet or Kβ at ADC = zero + E/gain, with the resolution of
/// ``DetectorResponse`` (Gaussian + low-energy tail), plus the Si escape peak of each line
/// (E − 1740 eV, docs/physics.md §5), a flat continuum and a falling low-energy background. Expected
/// bin contents are exact integrals of that density over each bin (the line shape's CDF), then drawn
/// Poisson: O(bins), whatever the count.
public struct LineSpectrumSimulator: Sendable {
    /// Lines, their relative intensities (areas) and the line ids.
    public var profile: LineProfile
    /// Relative areas per line id (default: the profile's typical yields).
    public var intensities: [String: Double]
    /// eV per ADC channel.
    public var gain: Double
    /// ADC of zero energy.
    public var zeroADC: Double
    /// Number of channels; channel k covers ADC [k − ½, k + ½) as in ``Histogram/adc(_:firstChannel:channelsPerBin:bins:)``.
    public var channels: Int
    /// Expected number of counts in the lines (escape peaks and background come on top).
    public var lineCounts: Double
    /// Resolution and tail.
    public var response: DetectorResponse
    /// Si escape peak area as a fraction of its parent line (sub-percent, docs/physics.md §5).
    public var escapeFraction = 0.005
    /// Flat continuum: expected counts per channel as a fraction of `lineCounts / channels`.
    public var flatBackground = 0.02
    /// Falling low-energy background (noise edge and scattered X-rays): its total as a fraction of
    /// `lineCounts`, decaying with the given scale in eV.
    public var lowEnergyBackground = 0.05
    public var lowEnergyScale = 1500.0
    /// Integral nonlinearity of the energy scale: lines sit at ADC = zero + (E + A·sin(2πE/P))/gain,
    /// A in eV (these SDDs are linear within 2–3 eV over 4.5–12 keV, docs/physics.md §11). 0: exactly linear.
    public var nonlinearityEV = 0.0
    /// The period P of that nonlinearity in eV: short enough that a quadratic through the lines cannot
    /// absorb it.
    public var nonlinearityPeriodEV = 2000.0
    public var seed: UInt64

    public init(profile: LineProfile, gain: Double, zeroADC: Double, channels: Int, lineCounts: Double,
                response: DetectorResponse = DetectorResponse(), intensities: [String: Double]? = nil, seed: UInt64) {
        self.profile = profile
        self.gain = gain
        self.zeroADC = zeroADC
        self.channels = channels
        self.lineCounts = lineCounts
        self.response = response
        self.intensities = intensities ?? profile.typicalYields
        self.seed = seed
    }

    /// An Amptek X-123-like spectrum: 1024 channels at ~19 eV per channel, FWHM ~140 eV at 5.9 keV
    /// (ENC ≈ 8 e⁻ with the Fano factor of docs/physics.md §3), a zero a few channels from 0.
    public static func amptek(profile: LineProfile, counts: Double = 1e6, seed: UInt64) -> LineSpectrumSimulator {
        LineSpectrumSimulator(profile: profile, gain: 19, zeroADC: 3, channels: 1024, lineCounts: counts,
                              response: DetectorResponse(enc: 8), seed: seed)
    }

    /// The truth: ADC of every line of the profile (the intensity-weighted mean of a doublet, the
    /// position a line fit's centroid estimates).
    public var truthADC: [String: Double] {
        Dictionary(uniqueKeysWithValues: profile.lines.map { ($0.id, adc(ofEnergy: $0.energy)) })
    }

    /// Where energy `e` (eV) lands, in ADC.
    public func adc(ofEnergy e: Double) -> Double {
        zeroADC + (e + nonlinearityEV * sin(2 * Double.pi * e / nonlinearityPeriodEV)) / gain
    }

    /// The spectrum's linear calibration E = p0 + p1·ADC (without the nonlinearity).
    public var calibration: EnergyCalibration { EnergyCalibration(p0: -gain * zeroADC, p1: gain) }

    /// Expected counts per channel (before Poisson noise).
    public func expected() -> [Double] {
        precondition(channels > 0 && gain > 0)
        var mu = [Double](repeating: 0, count: channels)
        let total = profile.lines.reduce(0) { $0 + (intensities[$1.id] ?? 0) }
        guard total > 0 else { return mu }
        // Adds `area` counts of one component at ADC `x` with Gaussian width `s` (ADC), integrated per bin.
        func add(area: Double, x: Double, s: Double) {
            mu.withUnsafeMutableBufferPointer {
                LineShapeIntegral.accumulate(into: $0.baseAddress!, count: channels, firstEdge: -0.5, binWidth: 1, mu: x,
                                             sigma: s, tailFraction: response.tailFraction,
                                             tailSlope: response.tailSlope, weight: area)
            }
        }
        for line in profile.lines {
            let area = lineCounts * (intensities[line.id] ?? 0) / total
            guard area > 0 else { continue }
            let w = line.components.reduce(0) { $0 + $1.relativeIntensity }
            for c in line.components {
                let a = area * c.relativeIntensity / w
                add(area: a, x: adc(ofEnergy: c.energy), s: response.sigma(at: c.energy) / gain)
                let e = c.energy - XRayLineTable.siliconEscapeEnergy
                if e > 0 && escapeFraction > 0 {
                    add(area: a * escapeFraction, x: adc(ofEnergy: e), s: response.sigma(at: e) / gain)
                }
            }
        }
        let flat = flatBackground * lineCounts / Double(channels)
        // Exponential in energy from E = 0, normalised over the channels above zero energy.
        let lambda = lowEnergyScale / gain   // ADC
        let norm = lowEnergyBackground * lineCounts / lambda
        for k in 0..<channels {
            mu[k] += flat
            let d = Double(k) - zeroADC
            if d > 0 { mu[k] += norm * exp(-d / lambda) }
        }
        return mu
    }

    /// One Poisson draw of the spectrum, as a histogram of ADC channels.
    public func histogram() -> Histogram {
        var rng = SeededGenerator(seed: seed)
        let counts = expected().map { Double(rng.poisson($0)) }
        return Histogram(lowerEdge: -0.5, binWidth: 1, counts: counts)
    }
}
