import Foundation
import SDDCore

/// Gives starting centroids (ADC) for the calibration lines of one batch's ADC histogram.
///
/// The standard calibration only needs seeds near the lines; the CNN (CentroidNetwork) and the
/// SciPy-style peak finder (PeakFinding) are two such sources, the line-pattern search here a third
/// that needs no trained model, and `GivenSeeds` takes them from the user or the inspector.
public protocol CentroidSeeder: Sendable {
    /// Short name written to the calibration file's provenance ("pattern", "cnn", "scipy", "given").
    var name: String { get }
    /// Seeds by line id for the calibration lines found; lines not found are absent.
    /// - Parameter histogram: the batch's ADC histogram, one channel per bin.
    func seeds(for histogram: Histogram, profile: LineProfile, cell: Int, batch: Int) -> [String: Double]
}

/// Seeds given explicitly, per cell and batch (e.g. from a file, the truth, or the inspector's nudges);
/// batches without an entry get none, so their lines are reported as not found.
public struct GivenSeeds: CentroidSeeder {
    public var name: String { "given" }
    /// seeds[cell][batch][line id] = ADC.
    public var table: [Int: [Int: [String: Double]]]
    public init(_ table: [Int: [Int: [String: Double]]]) { self.table = table }
    public func seeds(for histogram: Histogram, profile: LineProfile, cell: Int, batch: Int) -> [String: Double] {
        table[cell]?[batch] ?? [:]
    }
}

/// Seeds from the known line pattern: the tabulated energies of the profile's lines, matched to the
/// strongest peaks of the smoothed spectrum under a gain prior (2.5–3.7 eV/ADC, docs/physics.md §6: 2.92–3.25),
/// then refined one line at a time from the strongest, each local centroid updating the linear scale
/// used to place the weaker lines.
public struct PatternSeeder: CentroidSeeder {
    public var name: String { "pattern" }
    /// Allowed gains (eV per ADC channel).
    public var gainRange: ClosedRange<Double> = 2.5...3.7
    /// Allowed ADC of zero energy.
    public var zeroRange: ClosedRange<Double> = -500...2000
    public init() {}

    public func seeds(for h: Histogram, profile: LineProfile, cell: Int = 0, batch: Int = 0) -> [String: Double] {
        let lines = profile.calibrationLines
        guard lines.count >= 2, h.binCount > 40, h.total > 0 else { return [:] }
        // Coarse view: 4 channels per bin, smoothed with a Gaussian of 2 bins.
        let coarse = h.rebinned(by: 4)
        let s = Self.smooth(coarse.counts, sigma: 2)
        var peaks: [Int] = []
        for i in 1..<(s.count - 1) where s[i] > s[i - 1] && s[i] >= s[i + 1] && s[i] > 0 { peaks.append(i) }
        peaks.sort { s[$0] > s[$1] }
        peaks = Array(peaks.prefix(8)).sorted()
        guard peaks.count >= 2 else { return [:] }
        func level(_ x: Double) -> Double {
            let b = Int(((x - coarse.lowerEdge) / coarse.binWidth).rounded(.down))
            var m = 0.0
            for k in (b - 2)...(b + 2) where k >= 0 && k < s.count { m = Swift.max(m, s[k]) }
            return m
        }
        let yields = lines.map { (profile.typicalYields[$0.id] ?? 0.1).squareRoot() }
        var best: (score: Double, gain: Double, zero: Double)? = nil
        for i in 0..<peaks.count {
            for j in (i + 1)..<peaks.count {
                let xi = coarse.center(peaks[i]), xj = coarse.center(peaks[j])
                for a in 0..<lines.count {
                    for b in (a + 1)..<lines.count {
                        let gain = (lines[b].energy - lines[a].energy) / (xj - xi)
                        guard gainRange.contains(gain) else { continue }
                        let zero = xi - lines[a].energy / gain
                        guard zeroRange.contains(zero) else { continue }
                        var score = 0.0
                        for (l, line) in lines.enumerated() { score += yields[l] * level(zero + line.energy / gain) }
                        if score > best?.score ?? -1 { best = (score, gain, zero) }
                    }
                }
            }
        }
        guard let b = best else { return [:] }
        // Refine from the strongest line down, re-fitting a straight line E(ADC) through refined seeds.
        var refined: [(e: Double, x: Double)] = []
        var out: [String: Double] = [:]
        let order = lines.indices.sorted { yields[$0] > yields[$1] }
        var gain = b.gain, zero = b.zero
        let fine = Self.smooth(h.counts, sigma: 2)
        for l in order {
            let line = lines[l]
            let guess = zero + line.energy / gain
            let sigmaADC = DetectorResponse().sigma(at: line.energy) / gain
            guard let x = Self.localCentroid(fine, h, around: guess, halfWidth: sigmaADC) else { continue }
            out[line.id] = x
            refined.append((line.energy, x))
            if refined.count >= 2 {
                // Least-squares line through the refined points.
                let n = Double(refined.count)
                let mx = refined.reduce(0) { $0 + $1.x } / n, me = refined.reduce(0) { $0 + $1.e } / n
                var sxx = 0.0, sxe = 0.0
                for p in refined { sxx += (p.x - mx) * (p.x - mx); sxe += (p.x - mx) * (p.e - me) }
                if sxx > 0, gainRange.contains(sxe / sxx) {
                    gain = sxe / sxx
                    zero = mx - me / gain
                }
            }
        }
        return out
    }

    /// Centroid of the counts above the window's edge level within ±halfWidth of the highest smoothed
    /// point near `guess` (searched within ±halfWidth), iterated twice.
    static func localCentroid(_ smoothed: [Double], _ h: Histogram, around guess: Double, halfWidth: Double) -> Double? {
        func bin(_ x: Double) -> Int { Int(((x - h.lowerEdge) / h.binWidth).rounded(.down)) }
        var lo = Swift.max(0, bin(guess - halfWidth)), hi = Swift.min(h.binCount - 1, bin(guess + halfWidth))
        guard lo < hi else { return nil }
        var top = lo
        for i in lo...hi where smoothed[i] > smoothed[top] { top = i }
        var c = h.center(top)
        for _ in 0..<2 {
            lo = Swift.max(0, bin(c - halfWidth)); hi = Swift.min(h.binCount - 1, bin(c + halfWidth))
            guard lo < hi else { return nil }
            let base = Swift.min(smoothed[lo], smoothed[hi])
            var sw = 0.0, swx = 0.0
            for i in lo...hi {
                let w = Swift.max(0, h.counts[i] - base)
                sw += w; swx += w * h.center(i)
            }
            guard sw > 0 else { return nil }
            c = swx / sw
        }
        return c
    }

    /// Gaussian smoothing (kernel truncated at 4σ, edges renormalised).
    static func smooth(_ x: [Double], sigma: Double) -> [Double] {
        let r = Int((4 * sigma).rounded(.up))
        let k = (-r...r).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        var out = [Double](repeating: 0, count: x.count)
        for i in x.indices {
            var s = 0.0, w = 0.0
            for j in -r...r where i + j >= 0 && i + j < x.count { s += k[j + r] * x[i + j]; w += k[j + r] }
            out[i] = s / w
        }
        return out
    }
}
