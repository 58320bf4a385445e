import CentroidNetwork
import LineFitting
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
