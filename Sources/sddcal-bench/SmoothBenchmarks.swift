import CalibrationRefinement
import Foundation
import SDDCore

/// Suite "smooth": the smooth-in-time refinement (issue 11) of a whole simulated month — 32 cells,
/// 30 days — from a per-batch (48 h) calibration; all lines, hourly knots, prior strengths
/// estimated. Two sizes: the simulator's default rate (10 400 events per cell and day, 1.0·10⁷
/// events) and the 1.4·10⁷ events (14 600 per cell and day). Target: ≤ 2 s on the 2-core machine.
///
/// A month is simulated (before the timed runs) only when its benchmark runs (`SDDCAL_BENCH_FILTER=14600` runs the issue's
/// size alone). Every timed run prints its wall-clock and CPU seconds (all threads, getrusage) on
/// stderr: on a machine shared with other processes the CPU figure is the one that load does not
/// inflate, and comparing two builds needs both.
///
/// `SDDCAL_BENCH_SMOOTH_DUMP=FILE` writes the first run's calibration (JSON) to FILE, so that two
/// builds (before and after a change to the kernels) can be compared coefficient by coefficient
/// (scripts/compare_smooth_dumps.py).
func smoothBenchmarks() -> [Benchmark] {
    smoothMonthBenchmark(rate: nil, dump: "SDDCAL_BENCH_SMOOTH_DUMP") + smoothMonthBenchmark(rate: 14_600, dump: "SDDCAL_BENCH_SMOOTH_DUMP_14600")
}

/// CPU seconds of the process (all threads, user + system).
private func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
}

private func smoothMonthBenchmark(rate: Double?, dump: String) -> [Benchmark] {
    let refiner = SmoothCalibrationRefiner()
    var first = true
    let label = rate.map { "\(Int($0))/cell/day" } ?? "default rate"
    let name = "optimize smooth 32 cells x 30 days (\(label))"
    // Simulated before the timed runs, and only when this benchmark runs.
    guard BenchmarkHarness.filter.map({ name.contains($0) }) ?? true else { return [] }
    let month = simulatedMonth(rate: rate)
    var b = Benchmark(name: name, inner: 1) {
        let (events, standard) = month
        let cpu0 = cpuSeconds(), wall0 = DispatchTime.now().uptimeNanoseconds
        let r = try? refiner.refine(events: events, initial: standard)
        let cpu = cpuSeconds() - cpu0, wall = Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e9
        FileHandle.standardError.write(Data(String(format: "smooth run of %d events (%@): %.3f CPU s (all threads), %.3f s wall\n",
                                                   events.count, label, cpu, wall).utf8))
        if first, let r {
            first = false
            // One run's phases (wall clock): where the time goes.
            let phases = r.timings.map { "\($0.phase) " + String(format: "%.3f s", $0.seconds) }.joined(separator: ", ")
            let iterations = r.cells.map(\.iterations).reduce(0, +)
            FileHandle.standardError.write(Data("smooth phases: \(phases); Newton iterations \(iterations) over \(r.cells.count) cells; prior \(r.calibration.prior)\n".utf8))
            if let path = ProcessInfo.processInfo.environment[dump] {
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                if let d = try? enc.encode(r.calibration) { FileManager.default.createFile(atPath: path, contents: d) }
            }
        }
        return Double(r?.cells.filter { $0.status.isOptimized }.count ?? -1)
    }
    b.samples = 5
    return [b]
}
