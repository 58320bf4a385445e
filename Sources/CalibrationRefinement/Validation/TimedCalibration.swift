import SDDCore

/// Anything that gives a cell's energy calibration at a time: a calibration file (constant per batch), the
/// simulator's truth (exact at every instant), or a calibration that is a smooth function of time.
/// Cross-fitting and the validation apply calibrations through it, event by event at each event's time.
public protocol TimedCalibration: Sendable {
    /// The calibration of `cell` at `time` (s), nil when the cell is not calibrated.
    func calibration(cell: Int, time: Double) -> EnergyCalibration?
}

extension CalibrationSet: TimedCalibration {}

extension SimulationTruth: TimedCalibration {}
