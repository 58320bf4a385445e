import CentroidNetwork
import LineFitting
import SDDCore

/// How a calibration file was made, read back from its `method`, `batch` and `source`, so that the
/// chain can be rerun on part of the events (cross-fitting a file that `calibrate`/`optimize` wrote).
///
/// Recognised: "standard (seeds: cnn|scipy|pattern)" with any batch, "optimized" from such a standard
/// calibration (refined with default ``RefinementSettings``; options given to `optimize` such as
/// `--start` or `--fwhm` are not recorded in the file and not reproduced), and "truth" (independent of
/// the events). Seeds "given" or "truth" cannot be rerun.
public struct CalibrationRecipe: Sendable {
    public enum Kind: Sendable, Equatable { case standard, optimized, eventIndependent }
    public var kind: Kind
    public var seeds: String
    public var batch: BatchSpec

    /// Reads the recipe of `set`; throws naming `file` and the field when it cannot be rerun.
    public init(of set: CalibrationSet, file: String) throws {
        if set.method == "truth" { kind = .eventIndependent; seeds = ""; batch = .all; return }
        func seedsIn(_ text: String) -> String? {
            guard let r = text.range(of: "standard (seeds: ") else { return nil }
            return String(text[r.upperBound...].prefix { $0 != ")" })
        }
        if set.method.hasPrefix("standard") {
            kind = .standard
            guard let s = seedsIn(set.method) else { throw SDDError.badField(file: file, field: "method", message: "no seed method recorded") }
            seeds = s
        } else if set.method == "optimized" {
            kind = .optimized
            guard let s = seedsIn(set.source) else {
                throw SDDError.badField(file: file, field: "source", message: "does not say which standard calibration was optimized")
            }
            seeds = s
        } else {
            throw SDDError.badField(file: file, field: "method", message: "'\(set.method)' cannot be rerun for held-out figures")
        }
        guard ["cnn", "scipy", "pattern"].contains(seeds) else {
            throw SDDError.badField(file: file, field: "method", message: "seeds '\(seeds)' cannot be rerun for held-out figures (cnn, scipy or pattern can)")
        }
        guard let b = try? BatchSpec(parsing: set.batch) else {
            throw SDDError.badField(file: file, field: "batch", message: "'\(set.batch)' is not a batch length")
        }
        batch = b
    }

    /// The chain as a procedure with one stage named `name`, or nil when the calibration does not depend
    /// on the events (then its held-out and in-sample figures coincide).
    public func procedure(name: String, original: CalibrationSet, profile: LineProfile,
                          settings: RefinementSettings = RefinementSettings()) throws -> CalibrationProcedure? {
        let seeder: any CentroidSeeder
        switch seeds {
        case "cnn": seeder = try CNNSeeder(predictor: try CentroidPredictor.bundled(), profile: profile)
        case "scipy": seeder = PeakFinderSeeder(profile: profile)
        case "pattern": seeder = PatternSeeder()
        default: return { _ in [CalibrationStage(name: name, calibration: original)] }
        }
        let calibrator = StandardCalibrator(profile: profile, seeder: seeder)
        let batch = batch
        switch kind {
        case .eventIndependent: return nil
        case .standard:
            return { e in [CalibrationStage(name: name, calibration: calibrator.calibrate(BatchedEvents(e, spec: batch)))] }
        case .optimized:
            let refiner = CalibrationRefiner(settings: settings)
            return { e in
                let s = calibrator.calibrate(BatchedEvents(e, spec: batch))
                return [CalibrationStage(name: name, calibration: try refiner.refine(events: e, calibration: s).calibration)]
            }
        }
    }
}
