import ArgumentParser
import CalibrationRefinement
import Foundation
import LineFitting
import SDDCore

/// `sddcal demo`: the whole pipeline on the sample, non-interactively, ending with table 1.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole pipeline on the sample (read, standard calibration, refinement) and print table 1.",
        discussion: """
        Steps: read the events; standard calibration per cell and batch (line-pattern seeds, line fits, \
        E = p0 + p1·ADC + p2·ADC²); gradient refinement of every batch on the unbinned Cu Kα likelihood; \
        table 1 (Cu Kα position, FWHM and χ²/ndf on the spectrum summed over all cells, before and after). \
        Nothing is written unless --out-dir is given. To look at the same data interactively: \
        `sddcal inspect Sample/events.bin`.
        """)

    @Argument(help: "Events file.") var events = "Sample/events.bin"
    @Option(help: "Batch length: 48h, 30d, 90m, a count of events, or all.") var batch = "48h"
    @Option(help: "Write standard.json and optimized.json (calibrations) into this directory.") var outDir: String?
    @OptionGroup var output: OutputOptions
    @Flag(help: "JSON output.") var json = false

    struct Step: Encodable { var step: String; var seconds: Double; var detail: String }
    struct DemoReport: Encodable { var steps: [Step]; var table1: BeforeAfterReport }

    func run() throws {
        try reportingErrors {
            let spec = try BatchSpec(parsing: batch)
            var steps: [Step] = []
            func timed<T>(_ name: String, _ body: () throws -> (T, String)) rethrows -> T {
                let t0 = Date()
                let (v, detail) = try body()
                let s = Step(step: name, seconds: Date().timeIntervalSince(t0), detail: detail)
                steps.append(s)
                if !json { print(name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%7.2f s  ", s.seconds) + detail) }
                return v
            }
            let table = try timed("read events") { () -> (EventTable, String) in
                let r = try EventFile.read(events, options: .strict, progress: nil)
                guard !r.events.isEmpty else { throw SDDError.badFile(file: events, message: "no events") }
                return (r.events, "\(r.events.count) events, \(r.events.cells.count) cells")
            }
            let batched = BatchedEvents(table, spec: spec)
            let standard = timed("standard calibration") { () -> (CalibrationSet, String) in
                let set = StandardCalibrator(profile: .vip2).calibrate(batched, source: "sddcal demo \(events) --batch \(batch)")
                let all = set.cells.flatMap(\.batches)
                return (set, "\(all.count) batches, \(all.filter { $0.status == .ok }.count) ok")
            }
            let refined = try timed("refinement") { () -> (RefinementResult, String) in
                let r = try CalibrationRefiner().refine(events: table, calibration: standard)
                return (r, "\(r.batches.filter { $0.status.isOptimized }.count) of \(r.batches.count) batches optimized")
            }
            if let dir = outDir {
                try standard.save((dir as NSString).appendingPathComponent("standard.json"), overwrite: output.force)
                try refined.calibration.save((dir as NSString).appendingPathComponent("optimized.json"), overwrite: output.force)
            }
            let report = try timed("table 1") { () -> (BeforeAfterReport, String) in
                (try BeforeAfterReport.make(events: table, before: standard, after: refined.calibration), "Cu Kα fits before and after")
            }
            if json { try printJSON(DemoReport(steps: steps, table1: report)); return }
            print("")
            print(report.tableText, terminator: "")
            print("\nInspect it: sddcal inspect \(events)   (q quits, ? lists keys)")
        }
    }
}
