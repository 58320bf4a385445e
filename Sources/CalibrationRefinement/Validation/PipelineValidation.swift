import Foundation
import LineFitting
import SDDCore

/// The figures of one simulated month: Cu Kα under the simulator's true calibration, and for every
/// stage of the chain its held-out and in-sample Cu Kα fit and its energy-scale error against truth.
public struct SeedValidation: Sendable, Codable {
    /// A Cu Kα fit reduced to what the validation compares.
    public struct Measurement: Sendable, Codable {
        public var fwhm: Double
        public var fwhmError: Double
        public var position: Double
        public var positionError: Double
        public var counts: Double
        public var status: String
        public init(_ r: LineFitResult) {
            fwhm = r.fwhm; fwhmError = r.fwhmError; position = r.position; positionError = r.positionError
            counts = r.area; status = r.status.rawValue
        }
        enum CodingKeys: String, CodingKey {
            case status, counts = "cu_counts", fwhm = "fwhm_ev", fwhmError = "fwhm_err_ev"
            case position = "position_ev", positionError = "position_err_ev"
        }
    }

    public struct Stage: Sendable, Codable {
        public var name: String
        public var heldOut: Measurement
        public var inSample: Measurement
        /// RMS over cells and windows of the mean Cu Kα energy error against truth (eV), for windows of
        /// the batch length and of one day (calibration from all events).
        public var batchErrorRMS: Double
        public var dayErrorRMS: Double
        enum CodingKeys: String, CodingKey {
            case name, heldOut = "held_out", inSample = "in_sample"
            case batchErrorRMS = "batch_error_rms_ev", dayErrorRMS = "day_error_rms_ev"
        }
    }

    public var seed: UInt64
    public var events: Int
    /// The same events under the true calibration at each event's time: the best any calibration can do.
    public var truth: Measurement
    /// Intrinsic Cu Kα FWHM of the simulator (cells weighted by their Cu rate).
    public var intrinsicFWHM: Double
    /// The hardware limit the CLI's warning uses (ENC and Fano from the strong lines' widths,
    /// ``HardwareLimit/cuKalpha(preferringTimelines:cells:profile:)``) of the stages run on all events:
    /// the last stage whose file has timelines (the smooth refinement's, which measure the drift within
    /// the batches), else the first (the standard calibration); nil when no stage is a calibration
    /// file. Compared with `intrinsicFWHM` it measures the estimate's bias.
    public var hardwareLimit: HardwareLimit?
    public var stages: [Stage]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case seed, events, truth, stages, seconds
        case intrinsicFWHM = "intrinsic_fwhm_ev", hardwareLimit = "hardware_limit"
    }

    public func stage(_ name: String) -> Stage? { stages.first { $0.name == name } }
}

/// Simulates seeded months with truth, runs a calibration procedure with cross-fitting on each, and
/// compares with the truth: the measurement that says whether a method recovers the resolution.
public struct PipelineValidation: Sendable {
    /// Simulation settings; the seed is replaced per run.
    public var simulation: SimulationConfig
    public var crossFitting: CrossFitting
    /// Window (s) of the per-batch energy error (the batch length).
    public var batchWindow: Double

    public init(simulation: SimulationConfig, crossFitting: CrossFitting, batchWindow: Double) {
        self.simulation = simulation; self.crossFitting = crossFitting; self.batchWindow = batchWindow
    }

    /// One seeded month: simulate, cross-fit the procedure, compare with truth.
    public func run(seed: UInt64, procedure: CalibrationProcedure, progress: ((String) -> Void)? = nil) throws -> SeedValidation {
        let start = Date()
        var cfg = simulation
        cfg.seed = seed
        progress?("seed \(seed): simulating")
        let (events, truth) = try VIP2Simulator(config: cfg).run()
        var cf = crossFitting
        cf.ditherSeed = seed
        // A fold assignment of its own per seed, so seeds are independent in every respect.
        cf.assignment = FoldAssignment(folds: crossFitting.assignment.folds, seed: crossFitting.assignment.seed ^ (seed &* 0x9E37_79B9))
        let result = try cf.evaluate(events: events, procedure: procedure) { progress?("seed \(seed): \($0)") }
        let cu = CuKalphaLineFit.line
        let truthFit = cf.measure(cf.spectrum(events: events, calibration: truth))
        let stages = zip(result.stages, result.fullCalibration).map { r, full in
            SeedValidation.Stage(name: r.name, heldOut: .init(r.heldOut), inSample: .init(r.inSample),
                                 batchErrorRMS: EnergyScaleError.rms(calibration: full.calibration, truth: truth, energy: cu.energy, window: batchWindow),
                                 dayErrorRMS: EnergyScaleError.rms(calibration: full.calibration, truth: truth, energy: cu.energy, window: 86400))
        }
        let w = truth.cells.map { $0.ratePerDay[cu.id] ?? 0 }
        let intrinsic = zip(truth.cells, w).reduce(0) { $0 + ($1.0.lineFWHM[cu.id] ?? 0) * $1.1 } / Swift.max(w.reduce(0, +), 1e-300)
        let sets = result.fullCalibration.compactMap { $0.calibration as? CalibrationSet }
        let limit = sets.first.flatMap { LineProfile.named($0.profile) }.flatMap {
            HardwareLimit.cuKalpha(preferringTimelines: sets.filter { $0.version >= 2 }.reversed() + sets, profile: $0)
        }
        return SeedValidation(seed: seed, events: events.count, truth: .init(truthFit), intrinsicFWHM: intrinsic,
                              hardwareLimit: limit, stages: stages, seconds: Date().timeIntervalSince(start))
    }
}

/// Mean ± standard error over seeds of the validation's differences.
public struct ValidationStatistics: Sendable, Codable {
    /// A mean over seeds and its standard error (sample standard deviation / √n; nan for one seed).
    public struct Estimate: Sendable, Codable, Hashable {
        public var mean: Double
        public var standardError: Double
        public var n: Int
        public init(_ values: [Double]) {
            let v = values.filter(\.isFinite)
            n = v.count
            mean = v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
            if v.count > 1 {
                let m = mean
                standardError = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1) / Double(v.count)).squareRoot()
            } else { standardError = .nan }
        }
        enum CodingKeys: String, CodingKey { case mean, n, standardError = "standard_error" }
    }

    public struct Stage: Sendable, Codable {
        public var name: String
        /// (stage − truth-calibrated) Cu Kα FWHM and position (eV), held-out and in-sample.
        public var heldOutFWHMDelta: Estimate
        public var inSampleFWHMDelta: Estimate
        public var heldOutPositionDelta: Estimate
        public var inSamplePositionDelta: Estimate
        public var batchErrorRMS: Estimate
        public var dayErrorRMS: Estimate
        enum CodingKeys: String, CodingKey {
            case name
            case heldOutFWHMDelta = "held_out_fwhm_minus_truth_ev", inSampleFWHMDelta = "in_sample_fwhm_minus_truth_ev"
            case heldOutPositionDelta = "held_out_position_minus_truth_ev", inSamplePositionDelta = "in_sample_position_minus_truth_ev"
            case batchErrorRMS = "batch_error_rms_ev", dayErrorRMS = "day_error_rms_ev"
        }
    }

    public var truthFWHM: Estimate
    public var truthPosition: Estimate
    public var intrinsicFWHM: Estimate
    /// (hardware limit − intrinsic FWHM) and the hardware limit's stated error, over seeds that have one.
    public var hardwareLimitBias: Estimate
    public var hardwareLimitError: Estimate
    public var stages: [Stage]

    enum CodingKeys: String, CodingKey {
        case stages, truthFWHM = "truth_fwhm_ev", truthPosition = "truth_position_ev", intrinsicFWHM = "intrinsic_fwhm_ev"
        case hardwareLimitBias = "hardware_limit_minus_intrinsic_ev", hardwareLimitError = "hardware_limit_err_ev"
    }

    public init(_ seeds: [SeedValidation]) {
        truthFWHM = Estimate(seeds.map(\.truth.fwhm))
        truthPosition = Estimate(seeds.map(\.truth.position))
        intrinsicFWHM = Estimate(seeds.map(\.intrinsicFWHM))
        hardwareLimitBias = Estimate(seeds.compactMap { s in s.hardwareLimit.map { $0.fwhm - s.intrinsicFWHM } })
        hardwareLimitError = Estimate(seeds.compactMap { $0.hardwareLimit?.error })
        let names = seeds.first?.stages.map(\.name) ?? []
        stages = names.map { name in
            let pairs = seeds.compactMap { s in s.stage(name).map { (s.truth, $0) } }
            return Stage(name: name,
                         heldOutFWHMDelta: Estimate(pairs.map { $1.heldOut.fwhm - $0.fwhm }),
                         inSampleFWHMDelta: Estimate(pairs.map { $1.inSample.fwhm - $0.fwhm }),
                         heldOutPositionDelta: Estimate(pairs.map { $1.heldOut.position - $0.position }),
                         inSamplePositionDelta: Estimate(pairs.map { $1.inSample.position - $0.position }),
                         batchErrorRMS: Estimate(pairs.map { $1.batchErrorRMS }),
                         dayErrorRMS: Estimate(pairs.map { $1.dayErrorRMS }))
        }
    }
}
