import CalibrationRefinement
import Foundation
import LineFitting
import SDDCore

/// `sddcal-bench scale [--events 1e6,1e7,1e8] [--dir DIR] [--json]`: the whole per-batch pipeline
/// (read the binary event file → standard calibration in 48 h batches → refinement of every batch →
/// table 1) on simulated VIP-2 runs of 32 cells of growing length, each size in a fresh process so
/// that its peak resident memory is its own. Prints time per stage, events/s, peak RSS and bytes per
/// event. The events file is made first by another child process (the simulator), not counted.
enum ScaleBenchmark {
    static func main(_ args: [String]) -> Never {
        do {
            if args.first == "--generate", args.count == 3, let n = Double(args[1]) {
                try generate(events: Int(n), to: args[2])
            } else if args.first == "--pipeline", args.count == 2 {
                try pipeline(args[1])
            } else {
                try parent(args)
            }
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("sddcal-bench scale: \(error)\n".utf8))
            exit(1)
        }
    }

    /// A run of 32 cells at the simulator's 10,400 events per cell per day, as long as `n` events need.
    static func generate(events n: Int, to path: String) throws {
        let cfg = SimulationConfig.vip2(cells: 32, days: Double(n) / (32 * SimulationConfig().eventsPerCellPerDay), seed: 11)
        let (events, _) = try VIP2Simulator(config: cfg).run()
        try EventFile.write(events, to: path, overwrite: true)
    }

    /// One pipeline run; prints one JSON object (stage seconds, events, peak RSS bytes).
    static func pipeline(_ path: String) throws {
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let baseline = peakRSS()
        let t0 = now()
        let events = try EventFile.read(path)
        let t1 = now()
        let batched = BatchedEvents(events, spec: .duration(48 * 3600))
        let standard = StandardCalibrator().calibrate(batched, source: "scale")
        let t2 = now()
        let refined = try CalibrationRefiner().refine(events: batched.events, calibration: standard)
        let t3 = now()
        let report = try BeforeAfterReport.make(events: batched.events, before: standard, after: refined.calibration)
        let t4 = now()
        let row: [String: Any] = [
            "events": events.count, "batches": standard.cells.reduce(0) { $0 + $1.batches.count },
            "read_s": t1 - t0, "standard_s": t2 - t1, "refine_s": t3 - t2, "table_s": t4 - t3, "total_s": t4 - t0,
            "peak_rss_bytes": peakRSS(), "baseline_rss_bytes": baseline,
            "fwhm_before_ev": report.before.fwhmEV, "fwhm_after_ev": report.after.fwhmEV,
        ]
        let d = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
        print(String(decoding: d, as: UTF8.self))
    }

    /// Peak resident set size of this process (Linux reports kilobytes).
    static func peakRSS() -> Int {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Int(u.ru_maxrss) * 1024
    }

    static func parent(_ args: [String]) throws {
        var sizes = [1e6, 1e7, 1e8]
        var dir: String?
        let json = args.contains("--json")
        var i = 0
        while i < args.count {
            if args[i] == "--events", i + 1 < args.count {
                sizes = args[i + 1].split(separator: ",").compactMap { Double($0) }
                i += 1
            } else if args[i] == "--dir", i + 1 < args.count {
                dir = args[i + 1]
                i += 1
            }
            i += 1
        }
        let work = dir ?? NSTemporaryDirectory() + "sddcal-bench-scale-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: work) } }
        let me = CommandLine.arguments[0]
        var rows: [[String: Any]] = []
        if !json {
            print("whole pipeline per size (each in a fresh process; files made by the simulator beforehand)")
            print("events      read    standard  refine   table   total     events/s   peak RSS   bytes/event  FWHM before→after")
        }
        for n in sizes {
            let path = work + "/events-\(Int(n)).bin"
            if !FileManager.default.fileExists(atPath: path) {
                _ = try child(me, ["scale", "--generate", String(n), path])
            }
            let out = try child(me, ["scale", "--pipeline", path])
            guard var row = (try JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any] else {
                throw SDDError.failed("pipeline child printed no result for \(Int(n)) events")
            }
            let events = row["events"] as! Int, total = row["total_s"] as! Double, rss = row["peak_rss_bytes"] as! Int
            row["events_per_s"] = Double(events) / total
            row["bytes_per_event"] = Double(rss) / Double(events)
            rows.append(row)
            if dir == nil { try? FileManager.default.removeItem(atPath: path) }
            if !json {
                func s(_ k: String) -> String { String(format: "%7.2f s", row[k] as! Double) }
                print(String(format: "%-10.3g", Double(events)), s("read_s"), s("standard_s"), s("refine_s"), s("table_s"), s("total_s"),
                      String(format: "%10.3g %8.0f MB %9.1f     %.1f → %.1f eV", Double(events) / total, Double(rss) / 1e6,
                             Double(rss) / Double(events), row["fwhm_before_ev"] as! Double, row["fwhm_after_ev"] as! Double))
            }
        }
        if json {
            let d = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: d, as: UTF8.self))
        }
    }

    /// Runs this executable with `args`; its stdout, or an error with its stderr.
    static func child(_ exe: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw SDDError.failed("\(args.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self).prefix(400))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
