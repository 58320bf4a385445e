import Foundation
import SDDCore

/// Assigns found peaks to the lines of a `LineProfile` by the pattern of their positions and heights,
/// at any gain.
///
/// Every hypothesis is a linear relation E = gain · (ADC − zeroADC) taken from a pair of peaks as a pair
/// of lines: the peaks themselves set the range searched (any gain in `gainRange`, 1–100 eV/ADC unless
/// narrowed, and any zero). With a profile's nominal relation (VIP-2, SIDDHARTA-2) one peak alone at
/// the nominal gain is a hypothesis too. Each hypothesis predicts where every line lies; the highest
/// free peak within the tolerance of a prediction takes the line; the relation is refitted to the matched
/// lines and the matching repeated.
///
/// The score weighs positions AND heights, because on a multi-element spectrum the Kβ peaks alone also
/// fit a plausible linear gain (E(Kβ) ≈ 1.1·E(Kα) for every element): matched lines score by their
/// position residual and how far their heights stray from the profile's yields; a Kβ must be
/// 0.13–0.16 of its Kα (docs/physics.md §1, within `kBetaRatioSpread`) and never stands without its Kα;
/// lines predicted inside the spectrum but absent cost in proportion to how visible they should be;
/// strong peaks left unexplained cost in proportion to their height (a wrong relation leaves the real
/// Kα peaks over). The nominal relation, when the profile has one, only breaks near-ties.
public struct LineIdentifier: Sendable {
    public struct Candidate: Sendable, Hashable {
        /// Position in ADC (sub-bin centroid).
        public var adc: Double
        /// Peak height (counts; a prominence where available) used for the yield pattern.
        public var height: Double
        public init(adc: Double, height: Double) {
            self.adc = adc
            self.height = height
        }
    }

    public let profile: LineProfile
    /// Accepted gains in eV per ADC channel: any MCA set-up by default; `--gain LO:HI` narrows it.
    public var gainRange: ClosedRange<Double> = 1...100
    /// Accepted ADC of zero energy; nil: anywhere.
    public var zeroRange: ClosedRange<Double>? = nil
    /// The ADC range searched (the spectrum's): a line predicted inside it but not found counts as
    /// missing in the score; nil: every predicted line counts.
    public var dataRange: ClosedRange<Double>? = nil
    /// How far (ADC) a peak may sit from a line's predicted position and still be that line.
    public var toleranceADC: Double
    /// A matched peak with an unexplained peak at least this many times higher where its Si escape
    /// parent would be (E + 1740 eV by the relation) is that parent's escape peak (sub-percent to a
    /// few % of it, docs/physics.md §5), not the line: the relation is ruled out.
    public var escapeParentRatio = 10.0
    /// Spread of observed height ratios between elements around the typical yields, as a factor
    /// (sources and set-ups differ a lot).
    public var yieldSpread = 4.0
    /// Observed Kβ/Kα height ratio may differ from the tabulated one by this factor (detector efficiency,
    /// widths, background under the Kβ).
    public var kBetaRatioSpread = 2.5
    /// At most this many candidates (the highest) are matched to lines.
    public var maxCandidates = 40
    /// Hypotheses come from pairs among this many highest candidates: two of the strongest lines
    /// suffice to set a relation, the weaker lines are then matched among all candidates.
    public var pairCandidates = 14

    /// - Parameter toleranceADC: matching tolerance; ~half the FWHM (20 ADC suits VIP-2's ~50 ADC FWHM).
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

    /// The lines a hypothesis is matched and scored on: calibration lines plus the Kα/Kβ partners of
    /// calibration lines (whose height ratio tells a Kβ from a Kα).
    var patternLines: [SpectralLine] {
        let cal = Set(profile.calibrationLineIDs)
        return profile.lines.filter { l in
            cal.contains(l.id) || profile.lines.contains { o in
                cal.contains(o.id) && o.element == l.element && o.kind != l.kind
            }
        }
    }

    /// Identifies `candidates`. With no acceptable hypothesis every line is missing and every
    /// candidate unidentified.
    public func identify(_ candidates: [Candidate]) -> Result {
        let lines = patternLines
        let calIDs = Set(profile.calibrationLineIDs)
        let pattern = Pattern(
            energies: lines.map(\.energy),
            yields: lines.map { profile.typicalYields[$0.id] ?? ($0.kind == .kAlpha ? 1 : 0.13) },
            weight: lines.map { calIDs.contains($0.id) ? 1 : 0.5 },
            partner: lines.map { l in profile.kAlphaPartner(of: l).flatMap { a in lines.firstIndex { $0.id == a.id } } },
            kBetaRatio: lines.map { LineProfile.kBetaRatio(element: $0.element) })
        // Candidates considered: the highest ones, by position.
        let pool = candidates.indices.filter { candidates[$0].height > 0 && candidates[$0].adc.isFinite }
            .sorted { candidates[$0].height > candidates[$1].height }
            .prefix(maxCandidates).sorted { candidates[$0].adc < candidates[$1].adc }
        let pos = pool.map { candidates[$0].adc }, hgt = pool.map { candidates[$0].height }
        let e = pattern.energies

        var best: (score: Double, match: [Int?], gain: Double, zero: Double)? = nil
        func accepts(_ g: Double, _ z: Double) -> Bool {
            g.isFinite && z.isFinite && gainRange.contains(g) && (zeroRange?.contains(z) ?? true)
        }
        func consider(gain: Double, zero: Double) {
            guard accepts(gain, zero) else { return }
            var g = gain, z = zero
            var match = matchLines(e, pos, hgt, gain: g, zero: z)
            // Refit the relation on the matched calibration lines (partners only when fewer than two
            // calibration lines matched), then match again.
            if let (g2, z2) = fitLine(e, pos, match, weight: pattern.weight), accepts(g2, z2) {
                g = g2; z = z2
                match = matchLines(e, pos, hgt, gain: g, zero: z)
            }
            let s = score(match, pattern, pos, hgt, gain: g, zero: z)
            // A relation the physics rules out is never taken, even as the only one left: its lines
            // are reported missing instead of mislabelled.
            guard s > -.infinity else { return }
            if best == nil || s > best!.score { best = (s, match, g, z) }
        }
        let strongest = Set(pos.indices.sorted { hgt[$0] > hgt[$1] }.prefix(pairCandidates))
        for a in pos.indices where strongest.contains(a) {
            // A peak alone, at the profile's nominal gain.
            if let g0 = profile.nominalGain {
                for j in e.indices { consider(gain: g0, zero: pos[a] - e[j] / g0) }
            }
            for b in pos.indices where b > a && strongest.contains(b) {
                for j in e.indices {
                    for l in e.indices where e[l] > e[j] {
                        let g = (e[l] - e[j]) / (pos[b] - pos[a])
                        consider(gain: g, zero: pos[a] - e[j] / g)
                    }
                }
            }
        }

        var labels = [String?](repeating: nil, count: candidates.count)
        var assignment: [String: Int] = [:]
        var missing: [String] = []
        var predicted: [String: Double] = [:]
        let g = best?.gain ?? profile.nominalGain ?? 3.1, z = best?.zero ?? profile.nominalZeroADC ?? 600
        for (j, line) in lines.enumerated() {
            if let m = best?.match[j] {
                labels[pool[m]] = line.id
                assignment[line.id] = pool[m]
            }
        }
        for line in profile.calibrationLines {
            predicted[line.id] = z + line.energy / g
            if assignment[line.id] == nil { missing.append(line.id) }
        }
        // Once a relation is known, the profile's remaining lines label the highest free peak near their
        // predicted position too.
        if best != nil {
            let rest = profile.lines.filter { !lines.contains($0) }
            let taken = candidates.indices.map { labels[$0] != nil || !(candidates[$0].height > 0) }
            let m = matchLines(rest.map(\.energy), candidates.map(\.adc), candidates.map(\.height), gain: g, zero: z, taken: taken)
            for (line, pick) in zip(rest, m) {
                if let i = pick { labels[i] = line.id; assignment[line.id] = i }
            }
        }
        return Result(labels: labels, assignment: assignment, missing: missing, predictedADC: predicted,
                      calibration: EnergyCalibration(p0: -g * z, p1: g), score: best?.score ?? 0)
    }

    /// The lines' facts the score uses, in pattern order.
    struct Pattern {
        var energies: [Double]
        /// Expected relative heights.
        var yields: [Double]
        /// Reward for a matched line (calibration lines 1, partners ½).
        var weight: [Double]
        /// Index of the Kα of each Kβ line, when in the pattern.
        var partner: [Int?]
        /// Tabulated Kβ/Kα of each line's element.
        var kBetaRatio: [Double]
    }

    /// For each line, the highest candidate within tolerance of its predicted position that no
    /// line before it took (nor `taken` excludes).
    func matchLines(_ e: [Double], _ pos: [Double], _ hgt: [Double], gain: Double, zero: Double,
                    taken: [Bool]? = nil) -> [Int?] {
        var used = taken ?? [Bool](repeating: false, count: pos.count)
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

    /// Least-squares ADC = zero + E/gain over the matched lines of full weight, or all matched lines when
    /// fewer than two of those matched (needs two distinct energies).
    func fitLine(_ e: [Double], _ pos: [Double], _ match: [Int?], weight: [Double]) -> (gain: Double, zero: Double)? {
        let full = e.indices.filter { match[$0] != nil && weight[$0] >= 1 }.count >= 2
        var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
        for j in e.indices {
            guard let i = match[j], !full || weight[j] >= 1 else { continue }
            n += 1; sx += e[j]; sy += pos[i]; sxx += e[j] * e[j]; sxy += e[j] * pos[i]
        }
        let den = n * sxx - sx * sx
        guard n >= 2, den > 0 else { return nil }
        let slope = (n * sxy - sx * sy) / den   // ADC per eV
        guard slope > 0 else { return nil }
        return (1 / slope, (sy - slope * sx) / n)
    }

    func score(_ match: [Int?], _ pt: Pattern, _ pos: [Double], _ hgt: [Double], gain: Double, zero: Double) -> Double {
        let e = pt.energies
        // Common intensity scale of the matched lines: mean of ln(height / yield).
        var logScale = 0.0, m = 0.0, maxMatched = 0.0
        for j in e.indices {
            if let i = match[j] { logScale += log(hgt[i] / pt.yields[j]); m += 1; maxMatched = Swift.max(maxMatched, hgt[i]) }
        }
        guard m > 0 else { return -.infinity }
        logScale /= m
        let spread = log(yieldSpread)
        var s = 0.0
        for j in e.indices {
            guard let i = match[j] else { continue }
            let r = (pos[i] - (zero + e[j] / gain)) / toleranceADC
            let dev = (log(hgt[i] / pt.yields[j]) - logScale) / spread
            s += pt.weight[j] * (1 - 0.5 * r * r - 0.45 * Swift.min(1, dev * dev))
        }
        // Kβ against its Kα: the ratio of heights, and never a Kβ without its Kα.
        let detection = hgt.min() ?? 0
        func inData(_ x: Double) -> Bool { dataRange?.contains(x) ?? true }
        for j in e.indices {
            guard let a = pt.partner[j] else { continue }
            switch (match[a], match[j]) {
            case let (ia?, ib?):
                // A Kβ is always far weaker than its Kα: a pair the other way round is not that element.
                let q = hgt[ib] / hgt[ia]
                if q >= 1 { return -.infinity }
                if abs(log(q / pt.kBetaRatio[j])) > log(kBetaRatioSpread) { s -= 1.5 }
            case (nil, _?):
                if inData(zero + e[a] / gain) { s -= 2 }
            default: break
            }
        }
        // Lines predicted inside the spectrum and absent, by how clearly they should show.
        for j in e.indices where match[j] == nil && inData(zero + e[j] / gain) {
            let expected = exp(logScale) * pt.yields[j]
            if detection > 0 { s -= 0.5 * pt.weight[j] * Swift.min(1, expected / (3 * detection)) }
        }
        // Strong peaks the relation leaves unexplained.
        var used = [Bool](repeating: false, count: pos.count)
        for case let i? in match { used[i] = true }
        // Escape peaks taken for lines: at the top of the gain range a Kα/Kβ pair's escape pair has the
        // same spacing and height ratio, 1740 eV lower; its parents are the far higher peaks above.
        for j in e.indices {
            guard let i = match[j] else { continue }
            let parent = zero + (e[j] + XRayLineTable.siliconEscapeEnergy) / gain
            for k in pos.indices where !used[k] && abs(pos[k] - parent) <= toleranceADC && hgt[k] >= escapeParentRatio * hgt[i] {
                return -.infinity
            }
        }
        for i in pos.indices where !used[i] {
            s -= Swift.min(1.5, Swift.max(0, hgt[i] / maxMatched - 0.25))
        }
        // The nominal relation only separates otherwise equal patterns.
        if let g0 = profile.nominalGain, let z0 = profile.nominalZeroADC {
            let dg = (gain - g0) / 0.3, dz = (zero - z0) / 150
            s -= 0.3 * Swift.min(1, (dg * dg + dz * dz) / 6)
        }
        return s
    }
}
