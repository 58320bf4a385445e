/// Builds the spectra users look at from batched events: ADC spectra of one batch or cell, and
/// calibrated energy spectra summed over cells and batches, each batch with its own calibration.
public enum SpectrumBuilder {
    /// The ADC spectrum of the given batches (e.g. one batch, or every batch of a cell).
    public static func adcSpectrum(_ batched: BatchedEvents, batches: [EventBatch],
                                   firstChannel: Int = 0, channelsPerBin: Int = 1, bins: Int = 8192) -> Histogram {
        var h = Histogram(lowerEdge: Double(firstChannel) - 0.5, binWidth: Double(channelsPerBin), bins: bins)
        for b in batches {
            h = h + Histogram.adc(batched.adc(of: b), firstChannel: firstChannel, channelsPerBin: channelsPerBin, bins: bins)
        }
        return h
    }

    /// The calibrated energy spectrum over `range` (eV) in bins of `binWidth` (eV), summed over the
    /// batches of `cells` (all when nil) whose cell the calibration covers, every event under the
    /// calibration at its own time (`EventEnergies.addSpectrum`: a version-2 timeline, else the batch
    /// whose window holds the event). Each ADC channel is spread over its energy interval (no bin
    /// beating, docs/physics.md §8). Batches of uncalibrated cells are skipped and returned in `uncalibrated`.
    public static func energySpectrum(_ batched: BatchedEvents, calibration: CalibrationSet, cells: Set<Int>? = nil,
                                      range: ClosedRange<Double>, binWidth: Double)
        -> (histogram: Histogram, uncalibrated: [EventBatch]) {
        let bins = Int(((range.upperBound - range.lowerBound) / binWidth).rounded())
        var h = Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        var skipped: [EventBatch] = []
        var cursor: CellCalibrationCursor? = nil
        let events = batched.events
        for b in batched.batches where cells?.contains(b.cell) ?? true {
            if cursor?.cell != b.cell { cursor = calibration.cursor(cell: b.cell) }   // batches come cell by cell
            guard cursor != nil else { skipped.append(b); continue }
            EventEnergies.addSpectrum(into: &h, adc: events.adc[b.range], time: events.time[b.range], cursor: &cursor!,
                                      seed: ditherSeed(cell: b.cell, batch: b.index))
        }
        return (h, skipped)
    }

    /// The dither seed of one event batch's energies under a timeline (reproducible spectra).
    public static func ditherSeed(cell: Int, batch: Int) -> UInt64 {
        0x5DDC_A1B0_0000_0000 ^ (UInt64(truncatingIfNeeded: cell) << 24) ^ UInt64(truncatingIfNeeded: batch)
    }
}
