/// One spectrum read from a histogram file: counts per ADC channel, the cell it belongs to when the
/// file says so, the energy calibration the file carries, and the file's other header fields.
public struct SpectrumRecord: Sendable, Equatable {
    /// Cell number (row of a 2-D `.npy`), or nil for single-detector files (.mca, .Spe, text).
    public var cell: Int?
    /// The spectrum's name in its file, kept as the cell's label (`CellLabel`): a ROOT key path, a
    /// CSV column header, a file name within a folder; nil when the file names none (a `.npy` row).
    public var label: String?
    /// Counts per ADC channel: channel k is the bin [k − ½, k + ½) (see `Histogram.adc`), so a
    /// spectrum starting at channel 0 has `lowerEdge` −0.5 and `binWidth` 1.
    public var histogram: Histogram
    /// Energy calibration (eV per channel) stored in the file, if any.
    public var calibration: EnergyCalibration?
    /// Other header fields by name (e.g. "LIVE_TIME", "REAL_TIME", "START_TIME", "DP5.TPEA", "STATUS.TEC Temp").
    public var metadata: [String: String]

    public init(cell: Int? = nil, histogram: Histogram, calibration: EnergyCalibration? = nil,
                metadata: [String: String] = [:]) {
        self.cell = cell
        self.histogram = histogram
        self.calibration = calibration
        self.metadata = metadata
    }

    /// A spectrum of consecutive channels `firstChannel, firstChannel + 1, …`.
    public init(cell: Int? = nil, firstChannel: Int = 0, counts: [Double], calibration: EnergyCalibration? = nil,
                metadata: [String: String] = [:]) {
        self.init(cell: cell, histogram: Histogram(lowerEdge: Double(firstChannel) - 0.5, binWidth: 1, counts: counts),
                  calibration: calibration, metadata: metadata)
    }

    /// The first channel when the histogram holds whole ADC channels (bin width 1, edges at k − ½), else nil.
    public var firstChannel: Int? {
        let k = histogram.lowerEdge + 0.5
        guard histogram.binWidth == 1, k == k.rounded(), k >= 0, k < 1e9 else { return nil }
        return Int(k)
    }
}
