import SDDCore

extension Dataset {
    /// A dataset from histogram files (.mca, .Spe, text/CSV, .npy, ROOT, a folder): one cell per record
    /// (its cell number, else its position) with the record's label, one batch holding the whole
    /// spectrum, no events. Calibrations the
    /// file carries become the dataset's calibration (status from file) when every record has one.
    public init(name: String, records: [SpectrumRecord], profile: LineProfile) {
        var cells: [CellInfo] = []
        var calCells: [CalibrationSet.Cell] = []
        for (i, r) in records.enumerated() {
            let c = r.cell ?? i
            let h = r.histogram
            let total = Int(h.total.rounded())
            cells.append(CellInfo(cell: c, events: total,
                                  batches: [BatchInfo(index: 0, start: 0, end: 0, events: total, histogram: h)], spectrum: h,
                                  label: r.label))
            if let cal = r.calibration {
                calCells.append(CalibrationSet.Cell(cell: c, batches: [
                    CalibrationSet.Batch(index: 0, start: 0, end: 0, events: total, calibration: cal, status: .fromFile,
                                         lines: [], missingLines: []),
                ], label: r.label))
            }
        }
        self.init(name: name, profile: profile, cells: cells, batchSpec: "all")
        if !records.isEmpty && calCells.count == records.count {
            calibration = CalibrationSet(profile: profile.name, batch: "all", method: "from file", source: name, cells: calCells)
        }
    }
}
