import LineFitting
import SDDCore

/// The paper's chain as a ``CalibrationProcedure``: seeds in short batches → standard calibration →
/// refinement of every batch on its own events (per-batch constants). Stages "standard" and "refined".
public struct PerBatchPipeline: Sendable {
    public var calibrator: StandardCalibrator
    public var batch: BatchSpec
    public var refiner: CalibrationRefiner

    public init(calibrator: StandardCalibrator, batch: BatchSpec, refiner: CalibrationRefiner = CalibrationRefiner()) {
        self.calibrator = calibrator; self.batch = batch; self.refiner = refiner
    }

    /// The chain on `events`.
    public func run(_ events: EventTable) throws -> [CalibrationStage] {
        let standard = calibrator.calibrate(BatchedEvents(events, spec: batch), source: "per-batch pipeline")
        let refined = try refiner.refine(events: events, calibration: standard)
        return [CalibrationStage(name: "standard", calibration: standard),
                CalibrationStage(name: "refined", calibration: refined.calibration)]
    }

    public var procedure: CalibrationProcedure { { try run($0) } }
}
