import ArgumentParser
import Foundation
import SDDCore

/// `sddcal summary`: what an event file holds: cells, batches, events and counts per line.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise an event file: cells, time batches, events, and counts per line.",
        discussion: """
        Counts per line need energies: give --calib (a calibration file) or --truth (a simulator truth \
        file). A line's count is the number of events within ±1 FWHM (ENC 11.9 e⁻ model) of its energy.
        """)

    @Argument(help: "Events file (.csv, .bin, file.root:TREE), a ROOT file to list (file.root[:pattern]), or a histogram file (a 2-D .npy, a folder of spectra, a CSV of columns).") var events: String
    @Option(help: "Batch length: 48h, 30d, 90m, a count of events, or all.") var batch = "48h"
    @Option(help: "Calibration file for counts per line.") var calib: String?
    @Option(help: "Simulator truth file for counts per line.") var truth: String?
    @Option(help: "Line profile.") var profile = "vip2"
    @Flag(help: "JSON output.") var json = false
    @OptionGroup var rootInput: ROOTInputOptions

    func run() throws {
        try reportingErrors {
            // A ROOT file is listed, unless its pattern names a tree (then its events are summarised).
            if let selection = ROOTSelection.parse(events), selection.pattern == nil || !ROOTEvents.namesTree(selection) {
                try ROOTListing.run(selection, json: json)
                return
            }
            let spec = try BatchSpec(parsing: batch)
            guard let prof = LineProfile.named(profile) else { throw SDDError.invalidArgument("--profile", "unknown profile '\(profile)'") }
            let calibration = try calib.map(CalibrationSet.load)
            if try !EventFile.holdsEvents(events) {
                return try summariseHistograms(profile: prof, calibration: calibration)
            }
            let truthSet = try truth.map(SimulationTruth.load)
            let bar = TerminalProgressBar("read")
            let read = try EventFile.read(events, options: rootInput.readOptions(), progress: bar)
            bar.finish()
            let batched = BatchedEvents(read.events, spec: spec)
            let response = DetectorResponse(enc: 11.9)
            // Cells in parallel on all cores (SIDDHARTA-2 has 384), rows in cell order.
            let cellList = batched.events.cells
            var rows = [CellSummary?](repeating: nil, count: cellList.count)
            rows.withUnsafeMutableBufferPointer { out in
                DispatchQueue.concurrentPerform(iterations: cellList.count) { ci in
                    let c = cellList[ci]
                    let bs = batched.batches(ofCell: c)
                    let range = bs.first!.range.lowerBound..<bs.last!.range.upperBound
                    var perLine: [String: Int]? = nil
                    if calibration != nil || truthSet != nil {
                        var counts = [String: Int]()
                        for l in prof.lines { counts[l.id] = 0 }
                        let cellTruth = truthSet?.cell(c)
                        let windows = prof.lines.map { ($0.id, $0.energy, response.fwhm(at: $0.energy)) }
                        var perWindow = [Int](repeating: 0, count: windows.count)
                        // The calibration at each event's time (the truth per minute): events of a cell are time-ordered.
                        var cursor = cellTruth == nil ? calibration?.cursor(cell: c) : nil
                        var cal: EnergyCalibration? = nil
                        var validUntil = -Double.infinity
                        for i in range {
                            let t = batched.events.time[i]
                            if let ct = cellTruth {
                                if t >= validUntil || cal == nil { cal = ct.calibration(at: t); validUntil = t + 60 }
                            } else if cursor != nil {
                                cal = cursor!.calibration(at: t)
                            }
                            guard let cal else { continue }
                            let e = cal.energy(Double(batched.events.adc[i]))
                            for (k, w) in windows.enumerated() where abs(e - w.1) < w.2 { perWindow[k] += 1 }
                        }
                        for (k, w) in windows.enumerated() { counts[w.0] = perWindow[k] }
                        perLine = counts
                    }
                    let ev = range.count
                    out[ci] = CellSummary(cell: c, events: ev, batches: bs.count,
                                          medianBatchEvents: bs.map(\.count).sorted()[bs.count / 2], linesCounts: perLine)
                }
            }
            let cells = rows.map { $0! }
            let tr = batched.events.timeRange
            let report = SummaryReport(file: events, events: batched.events.count, cells: cells.count, batch: spec.description,
                                       batches: batched.batches.count, start: tr?.lowerBound ?? 0, end: tr?.upperBound ?? 0,
                                       rejected: read.rejected.total, perCell: cells)
            if json { try printJSON(report); return }
            print("\(events): \(report.events) events, \(report.cells) cells, \(String(format: "%.2f", (report.end - report.start) / 86400)) days")
            print("batches of \(spec): \(report.batches) in all")
            let lineIDs = prof.lines.map(\.id)
            var header = "cell  events   batches  ev/batch"
            if calibration != nil || truthSet != nil { header += " " + lineIDs.map { pad($0, 8) }.joined() }
            print(header)
            for c in cells {
                var row = pad(String(c.cell), 4) + "  " + pad(String(c.events), 9) + pad(String(c.batches), 9) + pad(String(c.medianBatchEvents), 9)
                if let lc = c.linesCounts { row += " " + lineIDs.map { pad(String(lc[$0] ?? 0), 8) }.joined() }
                print(row)
            }
            if calibration == nil && truthSet == nil { print("(give --calib or --truth for counts per line)") }
        }
    }

    /// Histogram input (a 2-D .npy, a folder of spectra, a CSV of columns; ROOT files are listed):
    /// per cell its label, channels and counts, and with --calib the counts within ±1 FWHM of each
    /// line (channel centres under the cell's calibration), cells in parallel.
    func summariseHistograms(profile prof: LineProfile, calibration: CalibrationSet?) throws {
        if truth != nil { throw SDDError.invalidArgument("--truth", "needs an events file; histogram input takes --calib for counts per line") }
        let spectra = try Calibrate.cellSpectra(SpectrumFile.read(events))
        let response = DetectorResponse(enc: 11.9)
        let windows = prof.lines.map { ($0.id, $0.energy, response.fwhm(at: $0.energy)) }
        var rows = [HistogramCellSummary?](repeating: nil, count: spectra.count)
        rows.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: spectra.count) { i in
                let s = spectra[i]
                var perLine: [String: Double]? = nil
                if let cal = calibration?.histogramCalibration(cell: s.cell) {
                    var counts = [String: Double]()
                    for (id, e, w) in windows {
                        var n = 0.0
                        for k in s.histogram.counts.indices where s.histogram.counts[k] > 0 && abs(cal.energy(s.histogram.center(k)) - e) < w {
                            n += s.histogram.counts[k]
                        }
                        counts[id] = n
                    }
                    perLine = counts
                }
                out[i] = HistogramCellSummary(cell: s.cell, label: s.label, channels: s.histogram.binCount,
                                              counts: s.histogram.total, linesCounts: perLine)
            }
        }
        let cells = rows.map { $0! }
        let report = HistogramSummaryReport(file: events, cells: cells.count, counts: cells.reduce(0) { $0 + $1.counts }, perCell: cells)
        if json { try printJSON(report); return }
        print("\(events): \(cells.count) spectra (one cell each), \(Int(report.counts)) counts")
        let lineIDs = prof.lines.map(\.id)
        let width = Swift.min(CellLabel.maxLength, cells.map { ($0.label ?? "").count }.max() ?? 0)
        var header = "cell  " + (width > 0 ? pad("label", width + 1) : "") + "channels  counts      "
        if calibration != nil { header += " " + lineIDs.map { pad($0, 10) }.joined() }
        print(header)
        for c in cells {
            var row = pad(String(c.cell), 4) + "  " + (width > 0 ? pad(c.label ?? "", width + 1) : "")
            row += pad(String(c.channels), 10) + pad(countText(c.counts), 12)
            if let lc = c.linesCounts { row += " " + lineIDs.map { pad(countText(lc[$0] ?? 0), 10) }.joined() }
            print(row)
        }
        if calibration == nil { print("(give --calib for counts per line)") }
    }

    /// Whole counts without a fraction.
    private func countText(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.1f", v) }

    struct HistogramCellSummary: Encodable {
        let cell: Int
        let label: String?
        let channels: Int
        let counts: Double
        let linesCounts: [String: Double]?
        enum CodingKeys: String, CodingKey { case cell, label, channels, counts, linesCounts = "line_counts" }
    }
    struct HistogramSummaryReport: Encodable {
        let file: String; let cells: Int; let counts: Double; let perCell: [HistogramCellSummary]
        enum CodingKeys: String, CodingKey { case file, cells, counts, perCell = "per_cell" }
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    struct CellSummary: Encodable {
        let cell, events, batches, medianBatchEvents: Int
        let linesCounts: [String: Int]?
        enum CodingKeys: String, CodingKey {
            case cell, events, batches, medianBatchEvents = "median_batch_events", linesCounts = "line_counts"
        }
    }
    struct SummaryReport: Encodable {
        let file: String; let events, cells: Int; let batch: String; let batches: Int
        let start, end: Double; let rejected: Int; let perCell: [CellSummary]
        enum CodingKeys: String, CodingKey { case file, events, cells, batch, batches, start, end, rejected, perCell = "per_cell" }
    }
}
