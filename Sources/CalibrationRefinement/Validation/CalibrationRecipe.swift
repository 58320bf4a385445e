import CentroidNetwork
import CentroidSeeding
import LineFitting
import SDDCore

/// How a calibration file was made, read back from its `method`, `start_method`, `batch` and `source`, so that the
/// chain can be rerun on part of the events (cross-fitting a file that `calibrate`/`optimize` wrote).
///
/// Recognised: "standard (seeds: cnn|scipy|pattern)" with any batch, "optimized" from such a standard
/// calibration (seeds as named in its `start_method`; files written before that field: as named in its
/// source, else cnn when the shipped model is found, else pattern;
/// refined with the given ``RefinementSettings``; options given to `optimize` such as
/// `--start` or `--fwhm` are not recorded in the file and not reproduced), "smooth" (the same standard
/// calibration, then ``SmoothCalibrationRefiner`` with default settings), and "truth" (independent of
/// the events). Seeds "given" or "truth" cannot be rerun.
public struct CalibrationRecipe: Sendable {
    public enum Kind: Sendable, Equatable { case standard, optimized, smooth, eventIndependent }
    public var kind: Kind
    public var seeds: String
    public var batch: BatchSpec

    /// Reads the recipe of `set`; throws naming `file` and the field when it cannot be rerun.
    public init(of set: CalibrationSet, file: String) throws {
        if set.method == "truth" { kind = .eventIndependent; seeds = ""; batch = .all; return }
        func seedsIn(_ text: String) -> String? {
            for marker in ["standard (seeds: ", "--seeds "] {
                if let r = text.range(of: marker) { return String(text[r.upperBound...].prefix { $0 != ")" && $0 != " " }) }
            }
            return nil
        }
        if set.method.hasPrefix("standard") {
            kind = .standard
            guard let s = seedsIn(set.method) else { throw SDDError.badField(file: file, field: "method", message: "no seed method recorded") }
            seeds = s
        } else if set.method == "optimized" || set.method == "smooth" {
            kind = set.method == "smooth" ? .smooth : .optimized
            // The seeds of the standard calibration the refinement started from: recorded in `start_method`
            // (files since that field); older files name them in the source when known, else the default
            // (the shipped CNN when found, else the line pattern) is assumed.
            seeds = set.startMethod.flatMap(seedsIn) ?? seedsIn(set.source) ?? ((try? CentroidPredictor.bundled()) != nil ? "cnn" : "pattern")
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
    public func procedure(name: String, profile: LineProfile,
                          settings: RefinementSettings = RefinementSettings()) throws -> CalibrationProcedure? {
        if kind == .eventIndependent { return nil }
        let seeder: any CentroidSeeder
        switch seeds {
        case "cnn": seeder = try CNNSeeder(predictor: try CentroidPredictor.bundled(), profile: profile)
        case "scipy": seeder = PeakFinderSeeder(profile: profile)
        case "pattern": seeder = PatternSeeder()
        default: throw SDDError.invalidArgument("seeds", "'\(seeds)' cannot be rerun")
        }
        let calibrator = StandardCalibrator(profile: profile, seeder: seeder)
        let batch = batch
        switch kind {
        case .eventIndependent: return nil   // handled above
        case .standard:
            return { e in [CalibrationStage(name: name, calibration: calibrator.calibrate(BatchedEvents(e, spec: batch)))] }
        case .smooth:
            let pipeline = SmoothPipeline(calibrator: calibrator, batch: batch)
            return { e in [CalibrationStage(name: name, calibration: try pipeline.run(e)[1].calibration)] }
        case .optimized:
            let refiner = CalibrationRefiner(settings: settings)
            return { e in
                let s = calibrator.calibrate(BatchedEvents(e, spec: batch))
                return [CalibrationStage(name: name, calibration: try refiner.refine(events: e, calibration: s).calibration)]
            }
        }
    }
}

extension CalibrationRecipe: CustomStringConvertible {
    /// E.g. "standard (seeds: cnn), 2d batches + refinement".
    public var description: String {
        switch kind {
        case .eventIndependent: return "independent of the events"
        case .standard: return "standard (seeds: \(seeds)), \(batch) batches"
        case .optimized: return "standard (seeds: \(seeds)), \(batch) batches + per-batch refinement"
        case .smooth: return "standard (seeds: \(seeds)), \(batch) batches + smooth refinement"
        }
    }
}
