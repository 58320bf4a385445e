import Foundation

/// What one batch's own events say about the calibration they were calibrated with: where the
/// strongest lines sit against their tabulated energies (the overview's marks), whether the tallest
/// peak is the strongest line at all, how many counts the strongest line has, and whether its
/// position jumps inside the batch. ``CalibrationQuality`` turns these measurements into findings.
///
/// Independent of the calibration file's own line results: a calibration fitted on wrongly
/// identified peaks has small residuals against the lines it claims, but its tallest peak is not on
/// the strongest line's mark.
public struct BatchLineCheck: Sendable, Hashable {
    /// The strongest calibration line of the profile (by typical yield), e.g. "MnKa".
    public var line: String
    /// The batch (index as in the calibration file) and its window (s).
    public var batch: Int
    public var start: Double
    public var end: Double
    /// Counts of the strongest line: events within ±0.7 FWHM of the tallest peak (the strongest line's
    /// wherever the calibration puts it, so a wrong calibration does not make a batch look empty).
    public var counts: Int
    /// Offset (eV) of the peak of each of the two strongest lines (of different elements) from its
    /// tabulated energy, by line id; absent when the line has too few counts to say.
    public var offsets: [String: Double] = [:]
    /// The energy (eV) of the tallest peak of the batch (most events within ±0.7 FWHM of Mn Kα's width).
    public var tallestEnergy: Double?
    /// Events within ±0.7 FWHM at the strongest line's mark (±150 eV), over those at the tallest peak.
    public var markRatio: Double?
    /// The best single jump of the strongest line's position inside the batch, if it had enough counts.
    public var step: Step?

    /// A jump of a line's position at one time inside a batch.
    public struct Step: Sendable, Hashable {
        /// Time (s) of the jump.
        public var time: Double
        /// Position after minus before (eV).
        public var shift: Double
        /// χ² of a linear drift minus χ² of the jump, on the line's position in time slices: large
        /// when a jump explains the positions much better than a drift.
        public var significance: Double
    }

    /// Fewest events in a line's window for its offset to be measured.
    public static let minimumLineCounts = 20
    /// Fewest events in the strongest line's window for the step scan.
    public static let minimumStepCounts = 80

    /// Measures a batch from its events' energies under the calibration being judged (each at its
    /// own time) and their times (ascending).
    public static func measure(energies: [Double], times: ArraySlice<Double>, batch: Int, start: Double, end: Double,
                               profile: LineProfile, response: DetectorResponse = DetectorResponse()) -> BatchLineCheck? {
        let ranked = profile.calibrationLinesByYield
        guard let strongest = ranked.first else { return nil }
        var main = [strongest]
        if let second = ranked.first(where: { $0.element != strongest.element }) { main.append(second) }
        let sorted = energies.sorted()
        func count(_ lo: Double, _ hi: Double) -> Int { lowerIndex(sorted, hi.nextUp) - lowerIndex(sorted, lo) }
        func halfWidth(_ e: Double) -> Double { 0.7 * response.fwhm(at: e) }

        var out = BatchLineCheck(line: strongest.id, batch: batch, start: start, end: end, counts: 0)
        // Tallest peak: the window of the strongest line's width holding most events, scanned in 10 eV steps.
        let w = halfWidth(strongest.energy)
        let energiesAll = profile.lines.map(\.energy)
        let lo = Swift.max(500, energiesAll.min()! - 1500), hi = energiesAll.max()! + 1500
        var best = 0, bestE = strongest.energy
        var e = lo
        while e <= hi {
            let n = count(e - w, e + w)
            if n > best { best = n; bestE = e }
            e += 10
        }
        var atMark = 0
        e = strongest.energy - 150
        while e <= strongest.energy + 150 { atMark = Swift.max(atMark, count(e - w, e + w)); e += 10 }
        if best > 0 {
            out.tallestEnergy = bestE
            out.markRatio = Double(atMark) / Double(best)
        }
        // Offsets: the mean of the events within ±0.7 FWHM, re-centred until it settles (from the mark).
        var strongestCentre = strongest.energy
        out.counts = best
        for l in main {
            let hw = halfWidth(l.energy)
            var c = l.energy, n = 0
            for _ in 0..<10 {
                let a = lowerIndex(sorted, c - hw), b = lowerIndex(sorted, (c + hw).nextUp)
                n = b - a
                guard n >= minimumLineCounts else { break }
                let m = sorted[a..<b].reduce(0, +) / Double(n)
                if abs(m - c) < 0.05 { c = m; break }
                c = m
            }
            guard n >= minimumLineCounts else { continue }
            out.offsets[l.id] = c - l.energy
            if l.id == strongest.id { strongestCentre = c }
        }
        out.step = stepScan(energies: energies, times: times, centre: strongestCentre, halfWidth: 3 * response.sigma(at: strongest.energy))
        return out
    }

    /// The best single jump of the mean energy of the events within `halfWidth` of `centre`, over
    /// time slices of equal counts (4–24 slices, ≥ 40 events each), against a linear drift.
    static func stepScan(energies: [Double], times: ArraySlice<Double>, centre: Double, halfWidth: Double) -> Step? {
        var xs: [Double] = [], ts: [Double] = []
        for (k, t) in zip(energies.indices, times) where abs(energies[k] - centre) <= halfWidth { xs.append(energies[k]); ts.append(t) }
        let n = xs.count
        guard n >= minimumStepCounts else { return nil }
        let slices = Swift.min(24, Swift.max(4, n / 40))
        // The variance of all window events: the jump itself inflates it, so a jump is never overstated.
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        guard variance > 0 else { return nil }
        var m = [Double](), wt = [Double](), tm = [Double](), first = [Double](), last = [Double]()
        for s in 0..<slices {
            let a = s * n / slices, b = (s + 1) * n / slices
            guard b > a else { continue }
            m.append(xs[a..<b].reduce(0, +) / Double(b - a))
            wt.append(Double(b - a) / variance)
            tm.append((ts[a] + ts[b - 1]) / 2)
            first.append(ts[a]); last.append(ts[b - 1])
        }
        let k = m.count
        func chi2Constant(_ r: Range<Int>) -> (chi2: Double, mean: Double) {
            let sw = r.reduce(0) { $0 + wt[$1] }
            let mu = r.reduce(0) { $0 + wt[$1] * m[$1] } / sw
            return (r.reduce(0) { $0 + wt[$1] * (m[$1] - mu) * (m[$1] - mu) }, mu)
        }
        // Weighted straight line in time.
        let sw = wt.reduce(0, +)
        let tBar = (0..<k).reduce(0) { $0 + wt[$1] * tm[$1] } / sw, mBar = (0..<k).reduce(0) { $0 + wt[$1] * m[$1] } / sw
        let stt = (0..<k).reduce(0) { $0 + wt[$1] * (tm[$1] - tBar) * (tm[$1] - tBar) }
        let stm = (0..<k).reduce(0) { $0 + wt[$1] * (tm[$1] - tBar) * (m[$1] - mBar) }
        let slope = stt > 0 ? stm / stt : 0
        let chi2Ramp = (0..<k).reduce(0) { acc, i in
            let r = m[i] - mBar - slope * (tm[i] - tBar)
            return acc + wt[i] * r * r
        }
        var bestChi2 = Double.infinity, bestJ = 1, shift = 0.0
        for j in 1..<k {
            let left = chi2Constant(0..<j), right = chi2Constant(j..<k)
            if left.chi2 + right.chi2 < bestChi2 { bestChi2 = left.chi2 + right.chi2; bestJ = j; shift = right.mean - left.mean }
        }
        guard bestChi2.isFinite else { return nil }
        return Step(time: (last[bestJ - 1] + first[bestJ]) / 2, shift: shift, significance: chi2Ramp - bestChi2)
    }

    /// First index of a sorted array whose value is ≥ x.
    static func lowerIndex(_ a: [Double], _ x: Double) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension LineProfile {
    /// The calibration lines, strongest first by typical yield (ties in profile order).
    public var calibrationLinesByYield: [SpectralLine] {
        calibrationLines.enumerated().sorted { a, b in
            let ya = typicalYields[a.element.id] ?? 0, yb = typicalYields[b.element.id] ?? 0
            return ya != yb ? ya > yb : a.offset < b.offset
        }.map(\.element)
    }

    /// The strongest calibration line (by typical yield): the line ``BatchLineCheck`` measures, the
    /// noise (ENC) is judged on and the overview highlights for cell-wide findings.
    public var strongestCalibrationLine: SpectralLine? { calibrationLinesByYield.first }
}
