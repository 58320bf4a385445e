import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// `sddcal apply` as users run it: the built binary on simulated events with version-1 and version-2
/// calibrations, every output format read back by an independent path (an in-test `.npy` parser,
/// the CSV text, the binary reader) and checked against the calibration at each event's time.
final class ApplyEndToEndTests: XCTestCase {
    var sddcal: BuiltCommand!
    var dir: TemporaryDirectory!
    var table = EventTable()
    var truth: SimulationTruth!

    override func setUpWithError() throws {
        (sddcal, dir) = try BuiltCommand.locateWithDirectory(for: self)
        var config = SimulationConfig()
        config.cells = 3; config.days = 2; config.seed = 11; config.eventsPerCellPerDay = 1500; config.steps = 1
        (table, truth) = try VIP2Simulator(config: config).run()
        try EventFile.write(table, to: dir.file("ev.bin"), overwrite: false)
        let batched = BatchedEvents(table, spec: .duration(12 * 3600))
        var v1 = truth.calibrationSet(for: batched, source: "truth")
        v1.cells.removeAll { $0.cell == 2 }                       // cell 2 uncalibrated
        try v1.save(dir.file("v1.json"), overwrite: false)
        var v2 = truth.timelineSet(for: batched, source: "truth")
        v2.cells.removeAll { $0.cell == 2 }
        try v2.save(dir.file("v2.json"), overwrite: false)
    }

    func apply(_ args: String...) throws -> (status: Int32, out: String, err: String) {
        try sddcal.run(["apply", "ev.bin"] + args, in: dir.path)
    }

    /// A `.npy` parser written for this test from the NumPy format description: magic, version 1.0,
    /// u16 header length, a Python dict literal, then the raw little-endian data.
    func parseNpy(_ path: String) throws -> (descr: String, shape: [Int], values: [Double]) {
        let b = fileBytes(path)
        XCTAssertEqual(Array(b[0..<6]), [0x93] + Array("NUMPY".utf8))
        XCTAssertEqual(b[6], 1)
        let hl = Int(b[8]) | Int(b[9]) << 8
        let header = String(decoding: b[10..<(10 + hl)], as: UTF8.self)
        XCTAssertEqual((10 + hl) % 64, 0, "data 64-byte aligned")
        func value(after key: String, upTo end: Character) throws -> String {
            let start = try XCTUnwrap(header.range(of: key)).upperBound
            return String(header[start...].prefix { $0 != end })
        }
        let descr = try value(after: "'descr': '", upTo: "'")
        XCTAssertTrue(header.contains("'fortran_order': False"))
        let shape = try value(after: "'shape': (", upTo: ")").split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let data = Array(b[(10 + hl)...])
        let values = stride(from: 0, to: data.count, by: 8).map { o in
            Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[o + $1]) << (8 * UInt64($1)) })
        }
        return (descr, shape, values)
    }

    func rowsFromCSV(_ path: String) throws -> [[Double]] {
        let lines = String(decoding: fileBytes(path), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.first, "sdd,adc,time,energy_ev")
        return try lines.dropFirst().map { l in try l.split(separator: ",").map { try XCTUnwrap(Double(String($0))) } }
    }

    func testEveryFormatHoldsTheSameEventsCalibratedAtTheirTime() throws {
        for calib in ["v1.json", "v2.json"] {
            let set = try CalibrationSet.load(dir.file(calib))
            XCTAssertEqual(set.version, calib == "v1.json" ? 1 : 2)
            let rn = try apply("--calib", calib, "--out", "a-\(calib).npy", "--json", "--seed", "5")
            XCTAssertEqual(rn.status, 0, rn.err)
            let j = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(rn.out.utf8)) as? [String: Any])
            let covered = (0..<table.count).filter { table.cell[$0] != 2 }.count
            XCTAssertEqual(j["events_read"] as? Int, table.count)
            XCTAssertEqual(j["events_written"] as? Int, covered)
            XCTAssertEqual(j["uncalibrated"] as? Int, table.count - covered)
            XCTAssertEqual(j["calibration_version"] as? Int, set.version)
            XCTAssertEqual(j["dithered"] as? Bool, true)
            XCTAssertEqual(try apply("--calib", calib, "--out", "a-\(calib).csv", "--seed", "5").status, 0)
            XCTAssertEqual(try apply("--calib", calib, "--out", "a-\(calib).dat", "--format", "bin", "--seed", "5").status, 0)

            let npy = try parseNpy(dir.file("a-\(calib).npy"))
            XCTAssertEqual(npy.descr, "<f8")
            XCTAssertEqual(npy.shape, [covered, 4])
            let rows = stride(from: 0, to: npy.values.count, by: 4).map { Array(npy.values[$0..<($0 + 4)]) }
            XCTAssertEqual(try rowsFromCSV(dir.file("a-\(calib).csv")), rows)     // shortest round-trip text: exact
            let bin = try CalibratedEventFile.readBinary(dir.file("a-\(calib).dat"))
            XCTAssertEqual(bin.ditherSeed, 5)
            XCTAssertEqual((0..<bin.count).map { [Double(bin.cell[$0]), Double(bin.adc[$0]), bin.time[$0], bin.energy[$0]] }, rows)

            // Same events as the input (cell 2 left out), in (cell, time) order, each energy inside its
            // channel's interval under the calibration at its own time.
            let sorted = table.sortedByCellAndTime()
            let kept = (0..<sorted.count).filter { sorted.cell[$0] != 2 }
            XCTAssertEqual(rows.map { $0[0] }, kept.map { Double(sorted.cell[$0]) })
            XCTAssertEqual(rows.map { $0[1] }, kept.map { Double(sorted.adc[$0]) })
            XCTAssertEqual(rows.map { $0[2] }, kept.map { sorted.time[$0] })
            var uSum = 0.0
            for r in rows {
                let c = try XCTUnwrap(set.calibration(cell: Int(r[0]), time: r[2]))
                let lo = c.energy(r[1] - 0.5), hi = c.energy(r[1] + 0.5)
                XCTAssertTrue(r[3] >= lo - 1e-9 && r[3] < hi + 1e-9, "\(r) outside [\(lo), \(hi))")
                uSum += (r[3] - lo) / (hi - lo)
            }
            // Uniform within the channel: mean ½ with standard error √(1/12n).
            XCTAssertEqual(uSum / Double(rows.count), 0.5, accuracy: 5 * (1 / (12 * Double(rows.count))).squareRoot())
        }
        // The two files differ where the truth drifts within a 12 h batch: the timeline follows it.
        let a1 = try parseNpy(dir.file("a-v1.json.npy")).values, a2 = try parseNpy(dir.file("a-v2.json.npy")).values
        XCTAssertNotEqual(a1, a2)
    }

    func testDitherIsSeededAndCanBeTurnedOff() throws {
        XCTAssertEqual(try apply("--calib", "v2.json", "--out", "s1.npy", "--seed", "7").status, 0)
        XCTAssertEqual(try apply("--calib", "v2.json", "--out", "s1b.npy", "--seed", "7").status, 0)
        XCTAssertEqual(try apply("--calib", "v2.json", "--out", "s2.npy", "--seed", "8").status, 0)
        XCTAssertEqual(fileBytes(dir.file("s1.npy")), fileBytes(dir.file("s1b.npy")))
        XCTAssertNotEqual(fileBytes(dir.file("s1.npy")), fileBytes(dir.file("s2.npy")))
        let r = try apply("--calib", "v2.json", "--out", "c.npy", "--no-dither", "--json")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("\"dithered\" : false"), r.out)
        let set = try CalibrationSet.load(dir.file("v2.json"))
        let v = try parseNpy(dir.file("c.npy")).values
        for i in stride(from: 0, to: v.count, by: 4 * 97) {
            XCTAssertEqual(v[i + 3], set.energy(cell: Int(v[i]), adc: v[i + 1], time: v[i + 2])!, accuracy: 1e-9)
        }
    }

    func testRefusesToOverwriteAndRejectsUnknownFormats() throws {
        try dir.write("out.csv", "precious")
        let r = try apply("--calib", "v1.json", "--out", "out.csv")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "sddcal: error: out.csv: exists; pass --force to overwrite\n")
        XCTAssertEqual(String(decoding: fileBytes(dir.file("out.csv")), as: UTF8.self), "precious")
        XCTAssertEqual(try apply("--calib", "v1.json", "--out", "out.csv", "--force").status, 0)
        XCTAssertTrue(String(decoding: fileBytes(dir.file("out.csv")), as: UTF8.self).hasPrefix("sdd,adc,time,energy_ev\n"))
        let bad = try apply("--calib", "v1.json", "--out", "out.txt")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("--out"), bad.err)
        let badFormat = try apply("--calib", "v1.json", "--out", "x.npy", "--format", "parquet")
        XCTAssertEqual(badFormat.err, "sddcal: error: --format: 'parquet' is not csv, bin or npy\n")
        let same = try apply("--calib", "v1.json", "--out", "v1.json", "--format", "csv", "--force")
        XCTAssertEqual(same.status, 1)
        XCTAssertEqual(try CalibrationSet.load(dir.file("v1.json")).version, 1)   // input untouched
        // No temporary files left behind.
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasPrefix(".") })
    }

    /// The NumPy reader itself (when numpy and xxhash are installed): scripts/check_calibrated_events.py
    /// recomputes every energy from the calibration JSON independently.
    func testNumpyCrossCheck() throws {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import numpy, xxhash"]
        probe.standardError = Pipe()
        try probe.run(); probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { throw XCTSkip("python3 with numpy and xxhash not available") }
        try EventFile.write(table, to: dir.file("ev.csv"), overwrite: false)
        for calib in ["v1.json", "v2.json"] {
            for ext in ["npy", "bin", "csv"] { XCTAssertEqual(try apply("--calib", calib, "--out", "p.\(ext)", "--force").status, 0) }
            let script = BuiltCommand.root.appendingPathComponent("scripts/check_calibrated_events.py").path
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", script, dir.file(calib), dir.file("ev.csv"), dir.file("p.npy"), dir.file("p.bin"), dir.file("p.csv")]
            let out = Pipe()
            p.standardOutput = out; p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, text)
            XCTAssertTrue(text.hasPrefix("ok:"), text)
        }
    }
}
