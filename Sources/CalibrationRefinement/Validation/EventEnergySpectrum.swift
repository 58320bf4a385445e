import Dispatch
import SDDCore

/// Energy spectra of individual events, each calibrated at its own time by a ``TimedCalibration``.
///
/// An event with integer ADC k is placed at E(k − ½) + u·(E(k + ½) − E(k − ½)), u uniform in [0, 1) from a
/// seeded hash of the event's index: the README's dithering convention (Poisson bin contents, no bin
/// beating), and the same u for an event under every calibration, so that spectra of the same events
/// under two calibrations differ by the calibrations only.
public enum EventEnergySpectrum {
    /// The histogram over `range` (eV) in bins of `binWidth` of the events for which `include(index)` is
    /// true (all when nil). Events of uncalibrated cells are skipped. Chunks of events run on all cores.
    public static func histogram(events: EventTable, calibration: any TimedCalibration, range: ClosedRange<Double>,
                                 binWidth: Double, ditherSeed: UInt64 = 0,
                                 include: (@Sendable (Int) -> Bool)? = nil) -> Histogram {
        let bins = Int(((range.upperBound - range.lowerBound) / binWidth).rounded())
        let empty = Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        let n = events.count
        guard n > 0, bins > 0 else { return empty }
        let chunk = 1 << 16
        let chunks = (n + chunk - 1) / chunk
        var parts = [Histogram](repeating: empty, count: chunks)
        let lo = range.lowerBound, hi = empty.upperEdge
        parts.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var h = empty
                var lastCell = -1, lastTime = Double.nan
                var cal: EnergyCalibration? = nil
                for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                    if let include, !include(i) { continue }
                    let cell = Int(events.cell[i]), t = events.time[i]
                    if cell != lastCell || t != lastTime {
                        cal = calibration.calibration(cell: cell, time: t)
                        lastCell = cell; lastTime = t
                    }
                    guard let cal else { continue }
                    let k = Double(events.adc[i])
                    let e1 = cal.energy(k - 0.5), e2 = cal.energy(k + 0.5)
                    let a = Swift.min(e1, e2), b = Swift.max(e1, e2)
                    guard b > lo, a < hi else { continue }
                    h.fill(a + (b - a) * dither(i, seed: ditherSeed))
                }
                out[c] = h
            }
        }
        return parts.dropFirst().reduce(parts[0], +)
    }

    /// u in [0, 1) for event `index`.
    @inlinable static func dither(_ index: Int, seed: UInt64) -> Double {
        Double(FoldAssignment.mix(UInt64(truncatingIfNeeded: index) ^ (seed &* 0xD1B5_4A32_D192_ED03)) >> 11) * 0x1.0p-53
    }
}
