import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// `sddcal convert` as users run it: the built binary, its exit codes, stderr lines and outputs.
/// CI builds the binary before `swift test` (.ci/run); elsewhere the tests skip when it is missing.
final class ConvertEndToEndTests: XCTestCase {
    var sddcal: BuiltCommand!
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { (sddcal, dir) = try BuiltCommand.locateWithDirectory(for: self) }

    /// Runs `sddcal convert args…` in the test directory.
    func convert(_ args: String...) throws -> (status: Int32, out: String, err: String) {
        try sddcal.run(["convert"] + args, in: dir.path)
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testCSVToBinaryToCSVIsIdenticalAndInputsUntouched() throws {
        let table = sampleEventTable(2001)
        try EventFile.write(table, to: dir.file("a.csv"), overwrite: false)
        let before = fileBytes(dir.file("a.csv"))
        let r1 = try convert("a.csv", "b.bin", "--json")
        XCTAssertEqual(r1.status, 0, r1.err)
        let j = try json(r1.out)
        XCTAssertEqual(j["events"] as? Int, 2001)
        XCTAssertEqual(j["rejected"] as? Int, 0)
        XCTAssertEqual(j["bytes_in"] as? Int, before.count)
        XCTAssertEqual(j["bytes_out"] as? Int, EventBinary.fileSize(events: 2001))
        XCTAssertEqual(j["input_format"] as? String, "csv")
        let r2 = try convert("b.bin", "c.csv")
        XCTAssertEqual(r2.status, 0, r2.err)
        XCTAssertTrue(r2.out.hasPrefix("read 2001 events from b.bin (bin"), r2.out)
        XCTAssertEqual(fileBytes(dir.file("c.csv")), before)
        XCTAssertEqual(fileBytes(dir.file("a.csv")), before)
        XCTAssertEqual(try EventFile.read(dir.file("b.bin")), table)
    }

    func testExistingOutputNeedsForceAndInputCannotBeOutput() throws {
        try EventFile.write(sampleEventTable(10), to: dir.file("a.csv"), overwrite: false)
        try dir.write("b.bin", "precious")
        let r = try convert("a.csv", "b.bin")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "sddcal: error: b.bin: exists; pass --force to overwrite\n")
        XCTAssertEqual(String(decoding: fileBytes(dir.file("b.bin")), as: UTF8.self), "precious")
        XCTAssertEqual(try convert("a.csv", "b.bin", "--force").status, 0)
        XCTAssertEqual(try EventFile.read(dir.file("b.bin")).count, 10)
        let same = try convert("a.csv", "a.csv", "--force")
        XCTAssertEqual(same.status, 1)
        XCTAssertEqual(same.err, "sddcal: error: a.csv: is the input file; write to another path\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["a.csv", "b.bin"])
    }

    func testBadRowStopsStrictAndIsCountedLenient() throws {
        try dir.write("bad.csv", "sdd,adc,time\n1,2,3\n1,-2,3\n1,2.5,3\n5,2,nan\n40,7,1\n")
        let strict = try convert("bad.csv", "out.bin")
        XCTAssertEqual(strict.status, 1)
        XCTAssertEqual(strict.err, "sddcal: error: bad.csv:3: adc '-2' is negative\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("out.bin")), "no output on error")
        let lenient = try convert("bad.csv", "out.bin", "--lenient", "--cells", "32", "--json")
        XCTAssertEqual(lenient.status, 0, lenient.err)
        let j = try json(lenient.out)
        XCTAssertEqual(j["rows"] as? Int, 5)
        XCTAssertEqual(j["events"] as? Int, 1)
        XCTAssertEqual(j["rejected"] as? Int, 4)
        XCTAssertEqual(j["rejected_by_reason"] as? [String: Int],
                       ["negative_adc": 1, "non_integer_adc": 1, "non_finite_time": 1, "unknown_cell": 1])
        XCTAssertEqual((j["first_rejection"] as? [String: String])?["unknown_cell"], "bad.csv:6: sdd 40 is not a known cell (0...31)")
        XCTAssertEqual(try EventFile.read(dir.file("out.bin")), EventTable(cell: [1], adc: [2], time: [3]))
    }

    func testSpectraExports() throws {
        // An Amptek file (saved as .txt) to a 1-D .npy, and events to one ADC spectrum per cell.
        let mca = fixture("spectra/amptek-saved.txt")
        let r = try convert(mca, "s.npy", "--json")
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try json(r.out)["input_format"] as? String, "mca")
        XCTAssertEqual(try SpectrumFile.read(dir.file("s.npy")).map(\.histogram.counts), [[0, 0, 4, 17, 35, 12, 3, 1]])
        let events = EventTable(cell: [0, 0, 2, 2, 2], adc: [3, 3, 1, 0, 3], time: [0, 1, 2, 3, 4])
        try EventFile.write(events, to: dir.file("e.bin"), overwrite: false)
        XCTAssertEqual(try convert("e.bin", "cells.npy").status, 0)
        let cells = try SpectrumFile.read(dir.file("cells.npy"))
        XCTAssertEqual(cells.map(\.cell), [0, 1, 2])
        XCTAssertEqual(cells.map(\.histogram.counts), [[0, 0, 0, 2], [0, 0, 0, 0], [1, 1, 0, 1]])
        let bad = try convert(fixture("spectra/negative-i4.npy"), "x.csv")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.hasSuffix("count of cell 1 channel 1 is negative (-5.0)\n"), bad.err)
    }
}
