import Foundation
import XCTest
@testable import SDDCore

/// Many spectra as cells: each input kind gives one record per cell with its name as the label, and
/// the label survives the calibration file (old files without labels still load).
final class CellLabelTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(removedAfter: self) }

    func testCSVWithOneColumnPerCell() throws {
        let p = try dir.write("cells.csv", "channel,bus1_sdd1,bus1_sdd2,bus2_sdd1\n10,1,2,3\n11,4,5,6\n")
        let r = try SpectrumFile.read(p)
        XCTAssertEqual(r.map(\.cell), [0, 1, 2])
        XCTAssertEqual(r.map(\.label), ["bus1_sdd1", "bus1_sdd2", "bus2_sdd1"])
        XCTAssertEqual(r.map(\.firstChannel), [10, 10, 10])
        XCTAssertEqual(r[1].histogram.counts, [2, 5])
        // Without a channel column every column is a cell; two named columns without a channel or
        // counts name are two cells; "channel,counts" and "x,counts" stay one spectrum.
        let q = try SpectrumFile.read(try dir.write("q.csv", "left;right\n1;2\n3;4\n"))
        XCTAssertEqual(q.map(\.label), ["left", "right"])
        XCTAssertEqual(q[1].histogram.counts, [2, 4])
        XCTAssertEqual(q[0].firstChannel, 0)
        for header in ["channel,counts", "x,counts", "ADC,whatever"] {
            let one = try SpectrumFile.read(try dir.write("one.csv", "\(header)\n5,7\n6,8\n"))
            XCTAssertEqual(one.count, 1, header)
            XCTAssertNil(one[0].cell); XCTAssertNil(one[0].label)
            XCTAssertEqual(one[0].firstChannel, 5)
        }
        // A hostile header byte is escaped in the label.
        let h = try SpectrumFile.read(try dir.write("h.csv", "a\u{1B}[2J,b\n1,2\n"))
        XCTAssertEqual(h[0].label, "a\\x1b[2J")
    }

    func testFolderOfSpectrumFiles() throws {
        try FileManager.default.createDirectory(atPath: dir.file("run"), withIntermediateDirectories: true)
        try dir.write("run/b.txt", "1\n2\n3\n")
        try dir.write("run/a.mca", "<<PMCA SPECTRUM>>\n<<DATA>>\n4\n5\n<<END>>\n")
        try dir.write("run/.hidden.txt", "9\n")
        try dir.write("run/notes.md", "not a spectrum\n")
        let r = try SpectrumFile.read(dir.file("run"))
        XCTAssertEqual(r.map(\.label), ["a", "b"], "file names without extension")
        XCTAssertEqual(r.map(\.cell), [0, 1])
        XCTAssertEqual(r[0].histogram.counts, [4, 5])
        try dir.write("run/c.csv", "channel,x,y\n0,1,2\n")
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(dir.file("run")) }.hasSuffix("c.csv: holds 2 spectra; a folder's files hold one spectrum (one cell) each"))
        try FileManager.default.createDirectory(atPath: dir.file("none"), withIntermediateDirectories: true)
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(dir.file("none")) }.contains("folder holds no spectrum file"))
    }

    func testROOTHistogramsAndNumpyRows() throws {
        let r = try SpectrumFile.read(fixture("root/fixture-zlib.root") + ":**bus?_sdd[1367]")
        XCTAssertEqual(r.map(\.label), ["bus1_sdd1", "bus1_sdd3", "sub/bus2_sdd6", "sub/deeper/bus3_sdd7"])
        XCTAssertEqual(r.map(\.cell), [0, 1, 2, 3])
        let sub = try SpectrumFile.read(fixture("root/fixture-zlib.root") + ":sub/*")
        XCTAssertEqual(sub.map(\.label), ["sub/bus2_sdd6"])
        XCTAssertNil(sub[0].cell, "one histogram is a single spectrum, labelled still")
        let npy = dir.file("rows.npy")
        try SpectrumFile.write([SpectrumRecord(cell: 0, counts: [1, 2]), SpectrumRecord(cell: 1, counts: [3, 4])], to: npy, overwrite: false)
        let rows = try SpectrumFile.read(npy)
        XCTAssertEqual(rows.map(\.cell), [0, 1])
        XCTAssertEqual(rows.map(\.label), [nil, nil])
    }

    func testCalibrationFileKeepsLabelsAndLoadsOldFiles() throws {
        let b = CalibrationSet.Batch(index: 0, start: 0, end: 0, events: 10, calibration: EnergyCalibration(p0: -1800, p1: 3.1))
        var set = CalibrationSet(profile: "vip2", batch: "all", method: "standard", source: "t",
                                 cells: [CalibrationSet.Cell(cell: 0, batches: [b]), CalibrationSet.Cell(cell: 1, batches: [b])])
        set.setLabels([1: "bus1_sdd2", 7: "not calibrated"])
        XCTAssertEqual(set.cells.map(\.label), [nil, "bus1_sdd2"])
        let path = dir.file("cal.json")
        try set.save(path, overwrite: false)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("\"label\" : \"bus1_sdd2\""), text)
        XCTAssertEqual(try CalibrationSet.load(path), set)
        XCTAssertEqual(try CalibrationSet.load(path).label(ofCell: 1), "bus1_sdd2")
        XCTAssertEqual(try CalibrationSet.load(path).version, 1, "a label does not need version 2")
        // A file without labels (every file before labels) loads with none.
        var json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        json["cells"] = (json["cells"] as! [[String: Any]]).map { c in c.filter { $0.key != "label" } }
        let old = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        XCTAssertFalse(old.contains("label"))
        let oldPath = try dir.write("old.json", old)
        XCTAssertNil(try CalibrationSet.load(oldPath).label(ofCell: 1))
        // A label that is not printable ASCII is refused by field.
        let bad = try dir.write("bad.json", text.replacingOccurrences(of: "bus1_sdd2", with: "bus\\u001b"))
        XCTAssertTrue(errorLine { _ = try CalibrationSet.load(bad) }.contains("field 'cells[1].label': must be 1 to"), errorLine { _ = try CalibrationSet.load(bad) })
    }
}
