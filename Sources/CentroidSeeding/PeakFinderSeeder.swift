import LineFitting
import PeakFinding
import SDDCore

/// Seeds from the SciPy-style peak finder (PeakFinding) with line identification at any gain: one
/// parameter set for every batch, as in the paper's figure 4 comparison. Lines without an identified
/// peak get no seed.
public struct PeakFinderSeeder: CentroidSeeder {
    public var name: String { "scipy" }
    public var search: SpectrumPeakSearch

    /// Default: ``SpectrumPeakSearch/adaptive(profile:gainRange:)`` — Gaussian smoothing of half the
    /// measured peak σ (10 ADC on VIP-2's ~50 ADC FWHM), peaks whose prominence reaches 3·√height,
    /// identification over any gain unless `gainRange` narrows it. An explicit `search` with a
    /// `smoothingSigma` gives that σ in ADC.
    public init(search: SpectrumPeakSearch? = nil, profile: LineProfile, gainRange: ClosedRange<Double>? = nil) {
        self.search = search ?? .adaptive(profile: profile, gainRange: gainRange)
    }

    public func seeds(for histogram: Histogram, profile: LineProfile, cell: Int, batch: Int) -> [String: Double] {
        var s = search
        s.profile = profile
        if let sg = s.smoothingSigma { s.smoothingSigma = sg / histogram.binWidth }
        guard let r = try? s.run(histogram), let id = r.identification else { return [:] }
        var out: [String: Double] = [:]
        for (line, k) in id.assignment { out[line] = r.peaks[k].centroidADC }
        return out
    }
}
