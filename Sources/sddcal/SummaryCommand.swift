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

    @Argument(help: "Events file (.csv, .bin, file.root:TREE), or a ROOT file to list (file.root[:pattern]).") var events: String
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
            let truthSet = try truth.map(SimulationTruth.load)
            let bar = TerminalProgressBar("read")
            let read = try EventFile.read(events, options: rootInput.readOptions(), progress: bar)
            bar.finish()
            let batched = BatchedEvents(read.events, spec: spec)
            let response = DetectorResponse(enc: 11.9)
            var cells: [CellSummary] = []
            for c in batched.events.cells {
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
                cells.append(CellSummary(cell: c, events: ev, batches: bs.count,
                                         medianBatchEvents: bs.map(\.count).sorted()[bs.count / 2], linesCounts: perLine))
            }
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
