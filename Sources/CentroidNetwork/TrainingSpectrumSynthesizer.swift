import Foundation
import SDDCore

/// One synthetic spectrum: window counts, the true ADC positions of the profile's calibration lines,
/// and the parameters drawn for it.
public struct SyntheticSpectrum: Sendable {
    /// Counts in the input window's bins (Poisson-fluctuated).
    public var counts: [Double]
    /// True ADC positions of the calibration lines (the ADC where the true calibration gives the
    /// line's intensity-weighted energy), in profile order.
    public var lineADC: [Double]
    public var calibration: EnergyCalibration
    public var response: DetectorResponse
    /// Expected counts in the window before Poisson fluctuation.
    public var expectedCounts: Double
}

/// Makes training and test spectra on the fly from the detector response model (SDDCore's
/// `DetectorResponse` and `LineProfile`): a random quadratic calibration, resolution, tail, yields,
/// Si escape peaks and continuum per spectrum, integrated exactly over each window bin, scaled to a
/// log-uniform number of counts, then Poisson-fluctuated bin by bin.
public struct TrainingSpectrumSynthesizer: Sendable {
    public let profile: LineProfile
    public let encoding: InputEncoding
    public var ranges: SynthesisRanges

    /// Elements of the profile with their Kα and Kβ lines.
    private struct Element: Sendable {
        var kAlpha: SpectralLine?
        var kBeta: SpectralLine?
        var typicalKAlphaYield: Double
    }
    private let elements: [Element]
    private let calibrationLines: [SpectralLine]

    public init(profile: LineProfile, encoding: InputEncoding? = nil, ranges: SynthesisRanges = SynthesisRanges()) {
        self.profile = profile
        self.encoding = encoding ?? InputEncoding(profile: profile)
        self.ranges = ranges
        var byElement: [String: Element] = [:]
        var order: [String] = []
        for l in profile.lines {
            if byElement[l.element] == nil { order.append(l.element); byElement[l.element] = Element(kAlpha: nil, kBeta: nil, typicalKAlphaYield: 0) }
            if l.kind == .kAlpha {
                byElement[l.element]!.kAlpha = l
                byElement[l.element]!.typicalKAlphaYield = profile.typicalYields[l.id] ?? 1
            } else {
                byElement[l.element]!.kBeta = l
                if byElement[l.element]!.kAlpha == nil {
                    byElement[l.element]!.typicalKAlphaYield = (profile.typicalYields[l.id] ?? 0.13) / 0.13
                }
            }
        }
        elements = order.map { byElement[$0]! }
        calibrationLines = profile.calibrationLines
    }

    /// Number of network outputs: the profile's calibration lines.
    public var outputCount: Int { calibrationLines.count }

    private static func draw(_ r: ClosedRange<Double>, _ rng: inout SeededGenerator) -> Double {
        r.lowerBound == r.upperBound ? r.lowerBound : rng.uniform(r.lowerBound, r.upperBound)
    }
    private static func drawLog(_ r: ClosedRange<Double>, _ rng: inout SeededGenerator) -> Double {
        r.lowerBound == r.upperBound ? r.lowerBound : rng.logUniform(r.lowerBound, r.upperBound)
    }

    /// Draws one spectrum. A fixed `totalCounts` overrides the range (for tests at set statistics).
    public func make(using rng: inout SeededGenerator, totalCounts fixed: Double? = nil) -> SyntheticSpectrum {
        let r = ranges
        let gain = Self.draw(r.gain, &rng), zero = Self.draw(r.zeroADC, &rng), quad = Self.draw(r.quadratic, &rng)
        let cal = EnergyCalibration(p0: -gain * zero - quad * zero * zero, p1: gain, p2: quad)
        let response = DetectorResponse(enc: Self.draw(r.enc, &rng), tailFraction: Self.draw(r.tailFraction, &rng),
                                        tailSlope: Self.draw(r.tailSlope, &rng))
        let n = fixed ?? Self.drawLog(r.totalCounts, &rng)
        let bins = encoding.bins
        let edge0 = encoding.lowerEdge, w = Double(encoding.channelsPerBin)
        var lines = [Double](repeating: 0, count: bins)
        lines.withUnsafeMutableBufferPointer { buf in
            let p = buf.baseAddress!
            func add(energy e: Double, weight: Double) {
                guard weight > 0, let mu = cal.adc(forEnergy: e) else { return }
                let sigma = response.sigma(at: e) / cal.slope(mu)
                LineShapeIntegral.accumulate(into: p, count: bins, firstEdge: edge0, binWidth: w, mu: mu, sigma: sigma,
                                             tailFraction: response.tailFraction, tailSlope: response.tailSlope,
                                             weight: weight)
            }
            for el in elements {
                let element = (el.kAlpha ?? el.kBeta)!.element
                let kaYield = el.typicalKAlphaYield * (r.elementYieldScale[element] ?? 1) * Self.drawLog(r.elementYieldFactor, &rng)
                let ratio = Self.draw(r.kBetaRatio, &rng)
                let escape = Self.draw(r.escapeFraction, &rng)
                for (line, y) in [(el.kAlpha, kaYield), (el.kBeta, kaYield * ratio)] {
                    guard let line else { continue }
                    let norm = line.components.reduce(0) { $0 + $1.relativeIntensity }
                    for c in line.components {
                        let share = y * c.relativeIntensity / norm
                        add(energy: c.energy, weight: share)
                        if escape > 0 && c.energy > XRayLineTable.siliconEscapeEnergy + 500 {
                            add(energy: c.energy - XRayLineTable.siliconEscapeEnergy, weight: share * escape)
                        }
                    }
                }
            }
        }
        // Continuum: a flat part plus a falling exponential over the window, integrated per bin.
        let contFraction = Self.draw(r.continuumFraction, &rng)
        let decay = Self.drawLog(r.continuumDecay, &rng), flat = Self.draw(r.continuumFlatShare, &rng)
        var continuum = [Double](repeating: 0, count: bins)
        let expTotal = decay * (1 - exp(-Double(bins) * w / decay))
        // exp(−a/decay) at successive bin edges is a geometric sequence: one exp for the whole window.
        let ratio = exp(-w / decay)
        var lower = 1.0
        for j in 0..<bins {
            let upper = lower * ratio
            continuum[j] = flat / Double(bins) + (1 - flat) * decay * (lower - upper) / expTotal
            lower = upper
        }
        let lineSum = lines.reduce(0, +)
        let lineScale = lineSum > 0 ? n * (1 - contFraction) / lineSum : 0
        let contScale = lineSum > 0 ? n * contFraction : n
        var counts = [Double](repeating: 0, count: bins)
        for j in 0..<bins {
            counts[j] = Double(rng.poisson(lines[j] * lineScale + continuum[j] * contScale))
        }
        let truth = calibrationLines.map { cal.adc(forEnergy: $0.energy) ?? .nan }
        return SyntheticSpectrum(counts: counts, lineADC: truth, calibration: cal, response: response, expectedCounts: n)
    }

    /// Output scaling from the positions of `spectra` spectra of a reserved stream (3,999) under `seed`.
    public func outputScaling(seed: UInt64, spectra: Int = 4096) -> OutputScaling {
        var positions: [[Double]] = []
        for i in 0..<Swift.max(2, spectra) {
            var rng = SeededGenerator(seed: seed, stream: 3_999, index: UInt64(i))
            positions.append(make(using: &rng, totalCounts: 100).lineADC)
        }
        return OutputScaling(positions: positions)
    }

    /// A mini-batch of network inputs `[count, bins]` and normalised targets `[count, outputs]` for
    /// items `first ..< first + count` of stream `stream` under `seed`, made on all cores. Each item
    /// has its own generator, so the batch is the same whatever the thread count.
    public func batch(seed: UInt64, stream: UInt64, first: Int, count: Int, scaling: OutputScaling,
                      totalCounts fixed: Double? = nil)
        -> (inputs: Tensor, targets: Tensor, spectra: [SyntheticSpectrum]) {
        let bins = encoding.bins, outs = outputCount
        var x = [Float](repeating: 0, count: count * bins)
        var y = [Float](repeating: 0, count: count * outs)
        var spectra = [SyntheticSpectrum?](repeating: nil, count: count)
        let chunks = Swift.min(count, ParallelWork.threads * 4)
        x.withUnsafeMutableBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                spectra.withUnsafeMutableBufferPointer { sb in
                    let (xp, yp, sp) = (xb.baseAddress!, yb.baseAddress!, sb.baseAddress!)
                    ParallelWork.forEach(chunks) { c in
                        for i in (count * c / chunks)..<(count * (c + 1) / chunks) {
                            var rng = SeededGenerator(seed: seed, stream: stream, index: UInt64(first + i))
                            let s = make(using: &rng, totalCounts: fixed)
                            encoding.normalise(s.counts, into: xp + i * bins)
                            for k in 0..<outs { yp[i * outs + k] = Float(scaling.normalised(s.lineADC[k], line: k)) }
                            sp[i] = s
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [count, bins], storage: x), Tensor(shape: [count, outs], storage: y), spectra.map { $0! })
    }
}
