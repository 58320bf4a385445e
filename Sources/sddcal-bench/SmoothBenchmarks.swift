import CalibrationRefinement
import Foundation
import SDDCore

/// Suite "smooth": the smooth-in-time refinement (issue 11) of a whole simulated month — 32 cells,
/// 30 days — from a per-batch (48 h) calibration; all lines, hourly knots, prior strengths
/// estimated. Two sizes: the simulator's default rate (10 400 events per cell and day, 1.0·10⁷
/// events) and the 1.4·10⁷ events (14 600 per cell and day). Target: ≤ 2 s on the 2-core machine.
///
/// `SDDCAL_BENCH_SMOOTH_DUMP=FILE` writes the first run's calibration (JSON) to FILE, so that two
/// builds (before and after a change to the kernels) can be compared coefficient by coefficient
/// (scripts/compare_smooth_dumps.py).
func smoothBenchmarks() -> [Benchmark] {
    smoothMonthBenchmark(rate: nil, dump: "SDDCAL_BENCH_SMOOTH_DUMP") + smoothMonthBenchmark(rate: 14_600, dump: nil)
}

private func smoothMonthBenchmark(rate: Double?, dump: String?) -> [Benchmark] {
    let (events, standard) = simulatedMonth(rate: rate)
    let refiner = SmoothCalibrationRefiner()
    // One run's phases (wall clock) on stderr: where the time goes.
    // CPU seconds of the process (all threads) around the run: a figure that a machine loaded by
    // other processes does not inflate the way it inflates wall-clock time.
    func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
    }
    let cpu0 = cpuSeconds()
    if let r = try? refiner.refine(events: events, initial: standard) {
        FileHandle.standardError.write(Data(String(format: "smooth run of %d events: %.3f CPU s (all threads)\n", events.count, cpuSeconds() - cpu0).utf8))
        let phases = r.timings.map { "\($0.phase) " + String(format: "%.3f s", $0.seconds) }.joined(separator: ", ")
        let iterations = r.cells.map(\.iterations).reduce(0, +)
        FileHandle.standardError.write(Data("smooth phases: \(phases); Newton iterations \(iterations) over \(r.cells.count) cells; prior \(r.calibration.prior)\n".utf8))
        if let dump, let path = ProcessInfo.processInfo.environment[dump] {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            if let d = try? enc.encode(r.calibration) { FileManager.default.createFile(atPath: path, contents: d) }
        }
    }
    var b = Benchmark(name: "optimize smooth 32 cells x 30 days (\(events.count) events)", inner: 1) {
        (try? refiner.refine(events: events, initial: standard))?.cells.filter { $0.status.isOptimized }.count.doubleValue ?? .nan
    }
    b.samples = 5
    return [b]
}

private extension Int { var doubleValue: Double { Double(self) } }
