/// Turns events into energies with the calibration at each event's own time: the one place where an
/// event's ADC value meets a calibration (energy spectra of `fit`, `report`, `demo`, the inspector, and
/// `apply`'s per-event energies).
///
/// ADC convention (README, "Data model"): the integer ADC value k stands for [k − ½, k + ½). A
/// dithered event is placed uniformly at random in its channel's energy interval [E(k − ½), E(k + ½))
/// under the calibration at its time.
public enum EventEnergies {
    /// Adds the energy spectrum of one cell's time-ordered events (`adc[i]` at `time[i]`) to `h`,
    /// each channel dithered within its energy interval (`Histogram.ChannelSpreading.dithered`).
    ///
    /// Piecewise-constant (version-1) calibrations go through `Histogram.energy` once per run of events
    /// under one batch calibration, so a run that is a whole event batch gives exactly the histogram of
    /// the batch-by-batch code before per-event evaluation. Under a timeline each event is evaluated at
    /// its time, dithered with a generator seeded by `seed` (reproducible).
    public static func addSpectrum(into h: inout Histogram, adc: ArraySlice<UInt16>, time: ArraySlice<Double>,
                                   cursor: inout CellCalibrationCursor, seed: UInt64) {
        precondition(adc.count == time.count)
        guard !adc.isEmpty else { return }
        let a0 = adc.startIndex, t0 = time.startIndex, n = adc.count
        if cursor.isPiecewiseConstant {
            var runStart = 0
            var pos = cursor.batchPosition(at: time[t0])
            for i in 1...n {
                let p = i < n ? cursor.batchPosition(at: time[t0 + i]) : -1
                if p != pos {
                    let part = Histogram.energy(adc[(a0 + runStart)..<(a0 + i)], calibration: cursor.batchCalibration(pos),
                                                lowerEdge: h.lowerEdge, binWidth: h.binWidth, bins: h.binCount)
                    for k in h.counts.indices { h.counts[k] += part.counts[k] }
                    runStart = i; pos = p
                }
            }
            return
        }
        var rng = SeededGenerator(seed: seed)
        let lower = h.lowerEdge, upper = h.upperEdge
        for i in 0..<n {
            let c = cursor.calibration(at: time[t0 + i])
            let k = Double(adc[a0 + i])
            let e1 = c.energy(k - 0.5), e2 = c.energy(k + 0.5)
            let a = Swift.min(e1, e2), b = Swift.max(e1, e2)
            guard b > lower, a < upper else { continue }
            // As `Histogram.energy`: a channel inside one bin needs no random number.
            if let ia = h.bin(of: a), ia == h.bin(of: b) { h.counts[ia] += 1; continue }
            h.fill(a + (b - a) * rng.uniform())
        }
    }

    /// The energy (eV) of one event with ADC value `adc` under calibration `c`: uniformly within the
    /// channel's energy interval [E(adc − ½), E(adc + ½)) for `u` ∈ [0, 1), or E(adc) when `u` is nil.
    @inline(__always) public static func energy(adc: UInt16, calibration c: EnergyCalibration, uniform u: Double?) -> Double {
        let k = Double(adc)
        guard let u else { return c.energy(k) }
        let e1 = c.energy(k - 0.5), e2 = c.energy(k + 0.5)
        return Swift.min(e1, e2) + abs(e2 - e1) * u
    }

    /// Per-event energies of a (cell, time)-sorted event table under `calibration`: `energies[i]` for
    /// event i, NaN for events of cells the calibration does not cover (counted in `uncalibrated`).
    /// With `ditherSeed` each energy is dithered within its channel (one generator over the table, in
    /// order, so the same seed gives the same energies); without it the channel centre's energy.
    public static func energies(of events: EventTable, calibration: CalibrationSet, ditherSeed: UInt64?)
        -> (energies: [Double], uncalibrated: Int) {
        precondition(events.isSortedByCellAndTime, "events must be sorted by cell and time")
        var out = [Double](repeating: .nan, count: events.count)
        var rng = SeededGenerator(seed: ditherSeed ?? 0)
        var uncalibrated = 0
        var i = 0
        while i < events.count {
            let c = events.cell[i]
            var j = i
            while j < events.count && events.cell[j] == c { j += 1 }
            if var cursor = calibration.cursor(cell: Int(c)) {
                for k in i..<j {
                    let cal = cursor.calibration(at: events.time[k])
                    out[k] = energy(adc: events.adc[k], calibration: cal, uniform: ditherSeed == nil ? nil : rng.uniform())
                }
            } else {
                uncalibrated += j - i
            }
            i = j
        }
        return (out, uncalibrated)
    }
}
