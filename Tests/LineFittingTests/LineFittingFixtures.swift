import SDDCore

/// The column of central differences of `f` in parameter k at theta (step 1e-6·max(1, |θ_k|)), that
/// an analytic Jacobian is checked against.
func centralDifference(_ f: ([Double]) -> [Double], at theta: [Double], parameter k: Int) -> [Double] {
    let h = 1e-6 * Swift.max(1, abs(theta[k]))
    var a = theta, b = theta
    a[k] += h; b[k] -= h
    return zip(f(a), f(b)).map { ($0 - $1) / (2 * h) }
}

/// The summed energy spectrum of a simulated VIP-2 run without gain steps under its true calibration
/// (hourly batches), and the run's truth.
func trueCalibrationSpectrum(cells: Int, days: Double, seed: UInt64, range: ClosedRange<Double>,
                             binWidth: Double) throws -> (Histogram, SimulationTruth) {
    var c = SimulationConfig.vip2(cells: cells, days: days, seed: seed)
    c.steps = 0
    let (ev, truth) = try VIP2Simulator(config: c).run()
    let batched = BatchedEvents(ev, spec: .duration(3600))
    let set = truth.calibrationSet(for: batched, source: "truth")
    return (SpectrumBuilder.energySpectrum(batched, calibration: set, range: range, binWidth: binWidth).histogram, truth)
}
