import LineFitting
import SDDCore

/// The product's chain as a ``CalibrationProcedure``: seeds in short batches → standard calibration →
/// smooth refinement in time on all lines (``SmoothCalibrationRefiner``), evaluated as the version-2
/// calibration file that `optimize` writes. Stages "standard" and "refined".
public struct SmoothPipeline: Sendable {
    public var calibrator: StandardCalibrator
    public var batch: BatchSpec
    public var settings: SmoothRefinementSettings

    public init(calibrator: StandardCalibrator, batch: BatchSpec, settings: SmoothRefinementSettings = SmoothRefinementSettings()) {
        self.calibrator = calibrator; self.batch = batch; self.settings = settings
    }

    /// The chain on `events` (any order).
    public func run(_ events: EventTable) throws -> [CalibrationStage] {
        let batched = BatchedEvents(events, spec: batch)
        let standard = calibrator.calibrate(batched, source: "smooth pipeline")
        let result = try SmoothCalibrationRefiner(settings).refine(events: batched.events, initial: standard)
        return [CalibrationStage(name: "standard", calibration: standard),
                CalibrationStage(name: "refined", calibration: result.calibration.calibrationSet(like: standard))]
    }

    public var procedure: CalibrationProcedure { { try run($0) } }
}
