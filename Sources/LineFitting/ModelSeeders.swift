import CentroidNetwork
import Foundation
import PeakFinding
import SDDCore

/// Seeds from the paper's CNN (CentroidNetwork): one prediction per batch histogram, every line of the
/// model's profile. The predictor serialises its passes internally, so one instance serves all threads.
public struct CNNSeeder: CentroidSeeder, @unchecked Sendable {
    public var name: String { "cnn" }
    public let predictor: CentroidPredictor

    /// Wraps a loaded model after checking it predicts the profile's calibration lines.
    public init(predictor: CentroidPredictor, profile: LineProfile) throws {
        try predictor.check(profile: profile)
        self.predictor = predictor
    }

    public func seeds(for histogram: Histogram, profile: LineProfile, cell: Int, batch: Int) -> [String: Double] {
        guard let p = try? predictor.predict(histogram) else { return [:] }
        var out: [String: Double] = [:]
        for (id, x) in zip(predictor.lineIDs, p) where x.isFinite { out[id] = x }
        return out
    }
}

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
