import Foundation

/// Calibrated spectra (`sddcal apply` on histogram input): every channel of every calibrated cell
/// with its count and its energy interval, the channel's bin edges E(k − ½) and E(k + ½) in eV under
/// the cell's calibration, so that other tools plot or refit the spectra in energy without sddcal
/// and without re-binning (which would need a choice of bins and a dither). Rows come cell by cell,
/// channels ascending; uncalibrated cells are left out and counted.
///
/// Formats: `.csv` with header `sdd,label,channel,counts,energy_low_ev,energy_high_ev` (the label
/// empty when the cell has none), or `.npy`, float64 of shape (N, 5): cell, channel, counts,
/// energy_low_ev, energy_high_ev.
public enum CalibratedSpectrumFile {
    public enum Format: String, Sendable { case csv, npy }

    /// One calibrated cell: its histogram in ADC channels and its calibration.
    public struct Cell: Sendable {
        public var cell: Int
        public var label: String?
        public var histogram: Histogram
        public var calibration: EnergyCalibration
        public init(cell: Int, label: String?, histogram: Histogram, calibration: EnergyCalibration) {
            self.cell = cell; self.label = label; self.histogram = histogram; self.calibration = calibration
        }
    }

    /// The cells of histogram input that `calibration` covers (`CalibrationSet.histogramCalibration`),
    /// and the cells it does not.
    public static func cells(_ spectra: [(cell: Int, label: String?, histogram: Histogram)], calibration: CalibrationSet)
        -> (calibrated: [Cell], uncalibrated: [Int]) {
        var out: [Cell] = [], missing: [Int] = []
        for s in spectra {
            guard let cal = calibration.histogramCalibration(cell: s.cell) else { missing.append(s.cell); continue }
            out.append(Cell(cell: s.cell, label: s.label ?? calibration.label(ofCell: s.cell), histogram: s.histogram, calibration: cal))
        }
        return (out, missing)
    }

    /// Writes the rows through a temporary file and a rename; returns the bytes written.
    @discardableResult
    public static func write(_ cells: [Cell], to path: String, format: Format, overwrite: Bool) throws -> Int {
        switch format {
        case .csv:
            return try AtomicFile.stream(to: path, overwrite: overwrite) { out in
                try out.write(Array("sdd,label,channel,counts,energy_low_ev,energy_high_ev\n".utf8))
                for c in cells {
                    var text = ""
                    let label = csvField(c.label ?? "")
                    forEachChannel(c) { ch, n, lo, hi in
                        text += "\(c.cell),\(label),\(ch),\(formatCount(n)),\(lo),\(hi)\n"
                    }
                    try out.write(Array(text.utf8))
                }
            }
        case .npy:
            var values: [Double] = []
            values.reserveCapacity(5 * cells.reduce(0) { $0 + $1.histogram.binCount })
            for c in cells {
                forEachChannel(c) { ch, n, lo, hi in values += [Double(c.cell), ch, n, lo, hi] }
            }
            let array = NumpyArray(shape: [values.count / 5, 5], values: values)
            return try AtomicFile.stream(to: path, overwrite: overwrite) { try $0.write(array.encode()) }
        }
    }

    /// Each bin's centre channel, count and energy edges (in increasing order) under the cell's calibration.
    static func forEachChannel(_ c: Cell, _ body: (Double, Double, Double, Double) -> Void) {
        let h = c.histogram
        for k in h.counts.indices {
            let a = c.calibration.energy(h.lowerEdge + Double(k) * h.binWidth)
            let b = c.calibration.energy(h.lowerEdge + Double(k + 1) * h.binWidth)
            body(h.center(k), h.counts[k], Swift.min(a, b), Swift.max(a, b))
        }
    }

    static func formatCount(_ v: Double) -> String {
        v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int64(v)) : v.description
    }

    /// A label as one CSV field: quoted when it holds a comma or a quote (labels are printable ASCII).
    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
