import Foundation
import SDDCore

/// Assigns found peaks to the calibration lines of a `LineProfile` by the pattern of their
/// positions and heights.
///
/// Every hypothesis is a linear relation E = gain · (ADC − zeroADC): from each pair of peaks taken
/// as each pair of lines (and, for one peak alone, from each peak as each line at the nominal gain)
/// whose gain and zero lie inside the prior ranges (docs/physics.md §6: 2.92–3.25 eV/ADC, zero energy
/// near ADC 600). Each hypothesis predicts where every line lies; the highest peak within the
/// tolerance of a prediction takes that line; the relation is refitted to the matched lines by
/// least squares and the matching repeated. The score rewards matched lines and penalises
/// position residuals, height ratios far from the profile's typical yields and a relation far from
/// the prior's centre. The best-scoring hypothesis wins; lines without a peak are reported missing
/// (with the position the relation predicts), and peaks without a line stay unidentified.
public struct LineIdentifier: Sendable {
    public struct Candidate: Sendable, Hashable {
        /// Position in ADC (sub-bin centroid).
        public var adc: Double
        /// Peak height (counts) used for the yield pattern.
        public var height: Double
        public init(adc: Double, height: Double) {
            self.adc = adc
            self.height = height
        }
    }

    public let profile: LineProfile
    /// Accepted range of gains in eV per ADC channel.
    public var gainRange: ClosedRange<Double> = 2.8...3.4
    /// Accepted range of the ADC value of zero energy.
    public var zeroRange: ClosedRange<Double> = 450...750
    /// Centre of the priors (nominal VIP-2 relation), used for scoring and for a peak alone.
    public var nominalGain = 3.1
    public var nominalZero = 600.0
    /// How far (ADC) a peak may sit from a line's predicted position and still be that line.
    public var toleranceADC: Double
    /// Spread of observed height ratios around the typical yields, as a factor (log-normal width).
    public var yieldSpread = 4.0
    /// At most this many candidates (the highest) enter the pair search.
    public var maxCandidates = 40

    /// - Parameter toleranceADC: matching tolerance; a default of 20 ADC suits VIP-2's ~50 ADC FWHM.
    public init(profile: LineProfile, toleranceADC: Double = 20) {
        self.profile = profile
        self.toleranceADC = toleranceADC
    }

    /// The outcome: which candidate is which line, and the relation that ties them.
    public struct Result: Sendable, Hashable, Codable {
        /// Line id of each candidate (same order as the input), nil when unidentified: calibration
        /// lines, and the profile's other lines (e.g. Cu Kβ) near where the relation puts them.
        public var labels: [String?]
        /// Candidate index per identified line id.
        public var assignment: [String: Int]
        /// Calibration lines without a peak, in profile order.
        public var missing: [String]
        /// Where the relation puts every calibration line (ADC), found or missing.
        public var predictedADC: [String: Double]
        /// The linear relation E = p0 + p1·ADC (p1 = gain, p0 = −gain·zeroADC).
        public var calibration: EnergyCalibration
        /// The winning hypothesis' score (higher is better); 0 when nothing was identified.
        public var score: Double
    }

    /// Identifies `candidates`. With no acceptable hypothesis every line is missing and every
    /// candidate unidentified.
    public func identify(_ candidates: [Candidate]) -> Result {
        let lines = profile.calibrationLines
        let energies = lines.map(\.energy)
        let yields = lines.map { profile.typicalYields[$0.id] ?? 1 }
        // Candidates considered: the highest ones, by position.
        let pool = candidates.indices.filter { candidates[$0].height > 0 && candidates[$0].adc.isFinite }
            .sorted { candidates[$0].height > candidates[$1].height }
            .prefix(maxCandidates).sorted { candidates[$0].adc < candidates[$1].adc }
        let pos = pool.map { candidates[$0].adc }, hgt = pool.map { candidates[$0].height }

        var best: (score: Double, match: [Int?], gain: Double, zero: Double)? = nil
        func consider(gain: Double, zero: Double) {
            guard gainRange.contains(gain), zeroRange.contains(zero) else { return }
            var g = gain, z = zero
            var match = matchLines(energies, pos, hgt, gain: g, zero: z)
            // Refit the relation on the matched lines, then match again.
            if let (g2, z2) = fitLine(energies, pos, match), gainRange.contains(g2), zeroRange.contains(z2) {
                g = g2; z = z2
                match = matchLines(energies, pos, hgt, gain: g, zero: z)
            }
            let s = score(match, energies, yields, pos, hgt, gain: g, zero: z)
            if best == nil || s > best!.score { best = (s, match, g, z) }
        }
        for a in pos.indices {
            // A peak alone, at the nominal gain.
            for j in energies.indices { consider(gain: nominalGain, zero: pos[a] - energies[j] / nominalGain) }
            for b in pos.indices where b > a {
                for j in energies.indices {
                    for l in energies.indices where l > j {
                        let g = (energies[l] - energies[j]) / (pos[b] - pos[a])
                        consider(gain: g, zero: pos[a] - energies[j] / g)
                    }
                }
            }
        }

        var labels = [String?](repeating: nil, count: candidates.count)
        var assignment: [String: Int] = [:]
        var missing: [String] = []
        var predicted: [String: Double] = [:]
        let g = best?.gain ?? nominalGain, z = best?.zero ?? nominalZero
        for (j, line) in lines.enumerated() {
            predicted[line.id] = z + energies[j] / g
            if let m = best?.match[j] {
                labels[pool[m]] = line.id
                assignment[line.id] = pool[m]
            } else {
                missing.append(line.id)
            }
        }
        // Once a relation is known, the profile's other lines (Kβ of a Kα-only profile, Cu Kβ for
        // vip2) label the highest free peak near their predicted position too.
        if best != nil {
            for line in profile.lines where !profile.calibrationLineIDs.contains(line.id) {
                let p = z + line.energy / g
                var pick: Int? = nil
                for i in candidates.indices where labels[i] == nil && candidates[i].height > 0
                    && abs(candidates[i].adc - p) <= toleranceADC {
                    if pick == nil || candidates[i].height > candidates[pick!].height { pick = i }
                }
                if let i = pick { labels[i] = line.id; assignment[line.id] = i }
            }
        }
        return Result(labels: labels, assignment: assignment, missing: missing, predictedADC: predicted,
                      calibration: EnergyCalibration(p0: -g * z, p1: g), score: best?.score ?? 0)
    }

    /// For each line, the highest candidate within tolerance of its predicted position that no
    /// line before it took.
    func matchLines(_ e: [Double], _ pos: [Double], _ hgt: [Double], gain: Double, zero: Double) -> [Int?] {
        var used = [Bool](repeating: false, count: pos.count)
        var out = [Int?](repeating: nil, count: e.count)
        for j in e.indices {
            let p = zero + e[j] / gain
            var pick: Int? = nil
            for i in pos.indices where !used[i] && abs(pos[i] - p) <= toleranceADC {
                if pick == nil || hgt[i] > hgt[pick!] { pick = i }
            }
            if let i = pick { out[j] = i; used[i] = true }
        }
        return out
    }

    /// Least-squares ADC = zero + E/gain over the matched lines (needs two distinct energies).
    func fitLine(_ e: [Double], _ pos: [Double], _ match: [Int?]) -> (gain: Double, zero: Double)? {
        var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
        for j in e.indices {
            guard let i = match[j] else { continue }
            n += 1; sx += e[j]; sy += pos[i]; sxx += e[j] * e[j]; sxy += e[j] * pos[i]
        }
        let den = n * sxx - sx * sx
        guard n >= 2, den > 0 else { return nil }
        let slope = (n * sxy - sx * sy) / den   // ADC per eV
        guard slope > 0 else { return nil }
        return (1 / slope, (sy - slope * sx) / n)
    }

    func score(_ match: [Int?], _ e: [Double], _ yields: [Double], _ pos: [Double], _ hgt: [Double],
               gain: Double, zero: Double) -> Double {
        var s = 0.0
        // Common intensity scale of the matched lines: mean of ln(height / yield).
        var logScale = 0.0, m = 0.0
        for j in e.indices { if let i = match[j] { logScale += log(hgt[i] / yields[j]); m += 1 } }
        guard m > 0 else { return -.infinity }
        logScale /= m
        let spread = log(yieldSpread)
        for j in e.indices {
            guard let i = match[j] else { continue }
            let r = (pos[i] - (zero + e[j] / gain)) / toleranceADC
            let dev = (log(hgt[i] / yields[j]) - logScale) / spread
            s += 1 - 0.5 * r * r - 0.45 * Swift.min(1, dev * dev)
        }
        // A weak pull towards the nominal relation separates otherwise equal patterns.
        let dg = (gain - nominalGain) / 0.3, dz = (zero - nominalZero) / 150
        return s - 0.05 * (dg * dg + dz * dz)
    }
}
