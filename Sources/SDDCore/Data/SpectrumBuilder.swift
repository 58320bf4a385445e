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
    /// batches of `cells` (all when nil) that the calibration covers. Each ADC channel is spread over
    /// its energy interval (no bin beating, `physics.md`). Batches without a calibration are skipped
    /// and returned in `uncalibrated`.
    public static func energySpectrum(_ batched: BatchedEvents, calibration: CalibrationSet, cells: Set<Int>? = nil,
                                      range: ClosedRange<Double>, binWidth: Double)
        -> (histogram: Histogram, uncalibrated: [EventBatch]) {
        let bins = Int(((range.upperBound - range.lowerBound) / binWidth).rounded())
        var h = Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        var skipped: [EventBatch] = []
        var lookup: [Int: [CalibrationSet.Batch]] = [:]
        for c in calibration.cells { lookup[c.cell] = c.batches }
        for b in batched.batches where cells?.contains(b.cell) ?? true {
            guard let cal = calibrationFor(b, in: lookup[b.cell] ?? []) else { skipped.append(b); continue }
            h = h + Histogram.energy(batched.adc(of: b), calibration: cal, lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        }
        return (h, skipped)
    }

    /// The calibration of the batch window that contains the event batch's midpoint, else the batch
    /// with the same index, else the nearest in time; nil when the cell has none.
    static func calibrationFor(_ b: EventBatch, in batches: [CalibrationSet.Batch]) -> EnergyCalibration? {
        let mid = (b.start + b.end) / 2
        if let c = batches.first(where: { mid >= $0.start && mid < $0.end }) { return c.calibration }
        if let c = batches.first(where: { $0.index == b.index }) { return c.calibration }
        return batches.min { abs(($0.start + $0.end) / 2 - mid) < abs(($1.start + $1.end) / 2 - mid) }?.calibration
    }
}
