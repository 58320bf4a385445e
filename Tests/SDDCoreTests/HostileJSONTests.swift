import Foundation
import XCTest
@testable import SDDCore

/// Truth and calibration files that parse as JSON but are not valid: each must be refused with the
/// JSON path of the bad field (issue 16: short logGain arrays were read out of bounds).
final class HostileJSONTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(removedAfter: self) }

    func smallTruth() throws -> SimulationTruth {
        var cfg = SimulationConfig.vip2(cells: 2, days: 2, seed: 5)
        cfg.eventsPerCellPerDay = 200
        return try VIP2Simulator(config: cfg).run().truth
    }

    /// Saves `object` after `edit` changed its JSON tree, and returns the load error.
    func editedError<T: Encodable>(_ object: T, _ name: String, load: (String) throws -> Void,
                                   edit: (inout [String: Any]) -> Void) throws -> String {
        let enc = JSONEncoder()
        var tree = try JSONSerialization.jsonObject(with: enc.encode(object)) as! [String: Any]
        edit(&tree)
        let p = dir.file(name)
        try JSONSerialization.data(withJSONObject: tree).write(to: URL(fileURLWithPath: p))
        return errorLine { try load(p) }
    }

    func testTruthWithShortOrNonFiniteArraysIsRefused() throws {
        let truth = try smallTruth()
        func cellEdit(_ f: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { tree in var cells = tree["cells"] as! [[String: Any]]; f(&cells[1]); tree["cells"] = cells }
        }
        let load: (String) throws -> Void = { _ = try SimulationTruth.load($0) }
        var m = try editedError(truth, "short.json", load: load, edit: cellEdit { $0["logGain"] = [0.0] })
        XCTAssertTrue(m.hasSuffix("field 'cells[1].logGain': holds 1 values for 3 knot times"), m)
        m = try editedError(truth, "nooffset.json", load: load, edit: cellEdit { $0["offset"] = [Double]() })
        XCTAssertTrue(m.contains("field 'cells[1].offset'"), m)
        m = try editedError(truth, "noknots.json", load: load, edit: cellEdit { $0["knotTimes"] = [Double](); $0["logGain"] = [Double](); $0["offset"] = [Double]() })
        XCTAssertTrue(m.contains("field 'cells[1].knotTimes': holds no knot"), m)
        m = try editedError(truth, "order.json", load: load, edit: cellEdit { $0["knotTimes"] = [0.0, 0.0, 1.0] })
        XCTAssertTrue(m.contains("field 'cells[1].knotTimes[1]'"), m)
        m = try editedError(truth, "cell.json", load: load, edit: cellEdit { $0["cell"] = 70000 })
        XCTAssertTrue(m.contains("field 'cells[1].cell'"), m)
        m = try editedError(truth, "dup.json", load: load, edit: cellEdit { $0["cell"] = 0 })
        XCTAssertTrue(m.contains("appears twice"), m)
        m = try editedError(truth, "type.json", load: load, edit: cellEdit { var b = $0["base"] as! [String: Any]; b["p1"] = "x"; $0["base"] = b })
        XCTAssertTrue(m.contains("field 'cells[1].base.p1'"), m)
        m = try editedError(truth, "missing.json", load: load, edit: cellEdit { $0.removeValue(forKey: "offset") })
        XCTAssertTrue(m.contains("field 'cells[1].offset': missing"), m)
        m = try editedError(truth, "step.json", load: load, edit: cellEdit { $0["steps"] = [["time": 5.0, "gainFactor": -1.0]] })
        XCTAssertTrue(m.contains("field 'cells[1].steps[0].gainFactor'"), m)

        // The valid file, with a UTF-8 byte order mark, loads.
        let enc = JSONEncoder()
        let p = dir.file("bom.json")
        try (Data([0xEF, 0xBB, 0xBF]) + enc.encode(truth)).write(to: URL(fileURLWithPath: p))
        XCTAssertEqual(try SimulationTruth.load(p).cells.count, 2)
    }

    func testCalibrationWithBadFieldsIsRefusedWithItsPath() throws {
        let cal = CalibrationSet(profile: "vip2", batch: "48h", method: "standard", source: "test", cells: [
            .init(cell: 0, batches: [.init(index: 0, start: 0, end: 172_800, events: 10, calibration: EnergyCalibration(p0: 1, p1: 2, p2: 0),
                                           lines: [.init(line: "CuKa", centroidADC: 4000, centroidError: 0.5, energy: 8040)])]),
            .init(cell: 3, batches: [.init(index: 0, start: 0, end: 172_800, events: 10, calibration: EnergyCalibration(p0: 1, p1: 2, p2: 0))]),
        ])
        let load: (String) throws -> Void = { _ = try CalibrationSet.load($0) }
        func batchEdit(_ cell: Int, _ f: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { tree in
                var cells = tree["cells"] as! [[String: Any]]
                var batches = cells[cell]["batches"] as! [[String: Any]]
                f(&batches[0]); cells[cell]["batches"] = batches; tree["cells"] = cells
            }
        }
        var m = try editedError(cal, "end.json", load: load, edit: batchEdit(1) { $0["end"] = -5.0 })
        XCTAssertTrue(m.hasSuffix("field 'cells[1].batches[0].end': -5.0 is before start 0.0"), m)
        m = try editedError(cal, "cov.json", load: load, edit: batchEdit(0) { var c = $0["calibration"] as! [String: Any]; c["covariance"] = [1.0, 2.0]; $0["calibration"] = c })
        XCTAssertTrue(m.contains("field 'cells[0].batches[0].calibration.covariance'"), m)
        m = try editedError(cal, "cell.json", load: load, edit: { tree in var cells = tree["cells"] as! [[String: Any]]; cells[1]["cell"] = -1; tree["cells"] = cells })
        XCTAssertTrue(m.contains("field 'cells[1].cell'"), m)
        m = try editedError(cal, "dup.json", load: load, edit: { tree in var cells = tree["cells"] as! [[String: Any]]; cells[1]["cell"] = 0; tree["cells"] = cells })
        XCTAssertTrue(m.contains("appears twice"), m)
        let p = dir.file("bom.json")
        try (Data([0xEF, 0xBB, 0xBF]) + cal.encoded()).write(to: URL(fileURLWithPath: p))
        XCTAssertEqual(try CalibrationSet.load(p).cells.count, 2)
    }

    /// Fuzzing found a calibration file whose schema held an escaped carriage return ("sddcal.cali\\ration")
    /// echoed raw into the error; JSON strings and dictionary keys are input and are escaped.
    func testControlCharactersInSchemaAndKeysAreEscaped() throws {
        let cal = try dir.write("cr.json", #"{"schema": "sddcal.cali\ration", "version": 1}"#)
        var m = errorLine { _ = try CalibrationSet.load(cal) }
        XCTAssertEqual(m, cal + #": field 'schema': 'sddcal.cali\x0dation' is not sddcal.calibration"#)
        m = try editedError(try smallTruth(), "esc.json", load: { _ = try SimulationTruth.load($0) }, edit: { $0["schema"] = "\u{1B}[2J" })
        XCTAssertFalse(m.contains("\u{1B}"), m)
        XCTAssertTrue(m.hasSuffix(#"field 'schema': '\x1b[2J' is not sddcal.truth"#), m)
        let seeds = try dir.write("key.json", #"{"schema": "sddcal.seeds", "version": 1, "profile": "vip2", "batch": "48h", "source": "x", "entries": [{"cell": 0, "seeds": {"Cu\rKa": "x"}}]}"#)
        m = errorLine { _ = try SeedsFile.load(seeds) }
        XCTAssertTrue(m.contains(#"entries[0].seeds.Cu\x0dKa"#), m)
        XCTAssertFalse(m.contains("\r"), m)
    }

    /// Fuzzing found FileManager.contents leaking on these inputs; reads are now bounded FileInput reads.
    func testEmptyOrUnreadableJSONFilesGiveOneLine() throws {
        let empty = try dir.write("empty.json", "")
        XCTAssertTrue(errorLine { _ = try CalibrationSet.load(empty) }.hasPrefix(empty + ": "))
        XCTAssertTrue(errorLine { _ = try SimulationTruth.load(empty) }.hasPrefix(empty + ": "))
        XCTAssertEqual(errorLine { _ = try CalibrationSet.load(dir.path) }, dir.path + ": is a directory")
        XCTAssertTrue(errorLine { _ = try SimulationTruth.load(dir.file("missing.json")) }.contains("cannot open"))
    }

    func testSimulationSizeIsBoundedBeforeAllocating() {
        var cfg = SimulationConfig.vip2(cells: 32, days: 1e9, seed: 1)
        XCTAssertTrue(errorLine { _ = try VIP2Simulator(config: cfg) }.hasPrefix("--days: "))
        cfg.days = 30
        cfg.eventsPerCellPerDay = 1e12
        XCTAssertTrue(errorLine { _ = try VIP2Simulator(config: cfg) }.contains("SDDCAL_MAX_EVENTS"))
    }
}
