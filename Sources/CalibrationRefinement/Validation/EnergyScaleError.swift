import SDDCore

/// How far a calibration's energy scale is from the simulator's truth at a line, window by window.
public enum EnergyScaleError {
    /// The mean energy error (eV) at `energy` of each cell in each time window of length `window` (s),
    /// aligned to t = 0: at `samples` evenly spaced times in the window, the calibration's energy at the
    /// ADC where the truth puts the line, minus the line energy, averaged (the error of the window's
    /// mean event, which arrives uniformly in time). Windows past the run's end are left out.
    public static func windowErrors(calibration: any TimedCalibration, truth: SimulationTruth, energy: Double,
                                    window: Double, samples: Int = 24) -> [Double] {
        let duration = truth.config.days * 86400
        let windows = Int((duration / window).rounded(.up))
        var out: [Double] = []
        for cell in truth.cells {
            for j in 0..<windows {
                let lo = Double(j) * window, hi = Swift.min(duration, lo + window)
                var sum = 0.0, n = 0
                for k in 0..<samples {
                    let t = lo + (Double(k) + 0.5) / Double(samples) * (hi - lo)
                    guard let x = cell.calibration(at: t).adc(forEnergy: energy),
                          let c = calibration.calibration(cell: cell.cell, time: t) else { continue }
                    sum += c.energy(x) - energy; n += 1
                }
                if n > 0 { out.append(sum / Double(n)) }
            }
        }
        return out
    }

    /// Root mean square of ``windowErrors(calibration:truth:energy:window:samples:)``.
    public static func rms(calibration: any TimedCalibration, truth: SimulationTruth, energy: Double,
                           window: Double, samples: Int = 24) -> Double {
        let e = windowErrors(calibration: calibration, truth: truth, energy: energy, window: window, samples: samples)
        guard !e.isEmpty else { return .nan }
        return (e.reduce(0) { $0 + $1 * $1 } / Double(e.count)).squareRoot()
    }
}
