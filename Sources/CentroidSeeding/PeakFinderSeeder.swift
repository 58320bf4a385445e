import LineFitting
import PeakFinding
import SDDCore

/// Seeds from the SciPy-style peak finder (PeakFinding) with line identification: one fixed parameter
/// set for every batch, as in the paper's figure 4 comparison. Lines without an identified peak get no seed.
public struct PeakFinderSeeder: CentroidSeeder {
    public var name: String { "scipy" }
    public var search: SpectrumPeakSearch

    /// Default: Gaussian smoothing of 10 ADC and peaks whose prominence reaches 3·√height (as `sddcal peaks`).
    public init(search: SpectrumPeakSearch? = nil, profile: LineProfile) {
        self.search = search ?? SpectrumPeakSearch(smoothingSigma: 10, significance: 3, profile: profile)
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
