import CalibrationRefinement
import Foundation
import SDDCore

/// Suite "smooth": the smooth-in-time refinement (issue 11) of a whole simulated month — 32 cells,
/// 30 days, ~10⁷ events at the simulator's default rate — from a per-batch (48 h) calibration; all
/// lines, hourly knots, prior strengths estimated. Target: ≤ 2 s on the 2-core machine.
func smoothBenchmarks() -> [Benchmark] {
    let (events, standard) = simulatedMonth()
    let refiner = SmoothCalibrationRefiner()
    // One run's phases (wall clock) on stderr: where the time goes.
    if let r = try? refiner.refine(events: events, initial: standard) {
        let phases = r.timings.map { "\($0.phase) " + String(format: "%.3f s", $0.seconds) }.joined(separator: ", ")
        FileHandle.standardError.write(Data("smooth phases: \(phases); prior \(r.calibration.prior)\n".utf8))
    }
    var b = Benchmark(name: "optimize smooth 32 cells x 30 days (\(events.count) events)", inner: 1) {
        (try? refiner.refine(events: events, initial: standard))?.cells.filter { $0.status.isOptimized }.count.doubleValue ?? .nan
    }
    b.samples = 5
    return [b]
}

private extension Int { var doubleValue: Double { Double(self) } }
