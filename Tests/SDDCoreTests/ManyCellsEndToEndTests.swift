import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// Many spectra as cells through the built `sddcal`: the same three simulated SDD spectra (a ROOT
/// file written by uproot, `scripts/make_histogram_bench.py`, with their true calibrations) as ROOT
/// histograms, a 2-D .npy, a folder of text files and a CSV of columns; each kind calibrates, keeps its
/// labels in the calibration file and the JSON output, and works with inspect, fit, summary and apply.
final class ManyCellsEndToEndTests: XCTestCase {
    var sddcal: BuiltCommand!
    var dir: TemporaryDirectory!
    let labels = ["bus1_sdd1", "bus1_sdd2", "bus1_sdd3"]
    var optionalLabels: [String?] { labels.map { Optional($0) } }
    let noLabels: [String?] = [nil, nil, nil]

    override func setUpWithError() throws {
        (sddcal, dir) = try BuiltCommand.locateWithDirectory(for: self)
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    /// The inputs: the ROOT file, and the same spectra written as the other kinds (labels where the kind has names).
    func inputs() throws -> [(name: String, path: String, labelled: Bool)] {
        let root = fixture("root/cells-vip2.root")
        let records = try SpectrumFile.read(root)
        XCTAssertEqual(records.map(\.label), optionalLabels)
        let npy = dir.file("cells.npy")
        try SpectrumFile.write(records, to: npy, overwrite: false)
        let channels = records[0].histogram.binCount
        var csv = "channel," + labels.joined(separator: ",") + "\n"
        for k in 0..<channels { csv += "\(k)," + records.map { String(Int($0.histogram.counts[k])) }.joined(separator: ",") + "\n" }
        try dir.write("cells.csv", csv)
        try FileManager.default.createDirectory(atPath: dir.file("folder"), withIntermediateDirectories: true)
        for (r, l) in zip(records, labels) {
            try dir.write("folder/\(l).txt", r.histogram.counts.map { String(Int($0)) }.joined(separator: "\n") + "\n")
        }
        return [("root", root + ":bus1_*", true), ("npy", npy, false), ("csv", dir.file("cells.csv"), true), ("folder", dir.file("folder"), true)]
    }

    /// An events CSV as `simulate` writes it (a "# sddcal generation" comment line before the header)
    /// is events, not a CSV of spectrum columns (regression: it was calibrated as cells "sdd", "adc", "time").
    func testSimulatedEventsCSVIsCalibratedAsEvents() throws {
        guard sddcal != nil else { return }
        let events = dir.file("ev.csv")
        let sim = try sddcal.run(["simulate", "--cells", "2", "--days", "4", "--seed", "3", "--out", events,
                                  "--truth", dir.file("ev.truth.json")], in: dir.path)
        XCTAssertEqual(sim.status, 0, sim.err)
        XCTAssertTrue(try String(contentsOfFile: events, encoding: .utf8).hasPrefix("# sddcal generation"))
        let r = try sddcal.run(["calibrate", events, "--seeds", "pattern", "--out", dir.file("ev.cal.json"), "--json"], in: dir.path)
        XCTAssertEqual(r.status, 0, r.err)
        let report = try json(r.out)
        XCTAssertEqual(report["cells"] as? Int, 2)
        XCTAssertNil(report["labels"] as? [String: String])
        XCTAssertEqual(try CalibrationSet.load(dir.file("ev.cal.json")).cells.map(\.cell), [0, 1])
    }

    func testEveryKindCalibratesWithLabels() throws {
        guard sddcal != nil else { return }
        let truthText = try String(contentsOfFile: fixture("root/cells-vip2.root.truth.json"), encoding: .utf8)
        let truth = try json(truthText) as! [String: [Double]]
        for input in try inputs() {
            let cal = dir.file("\(input.name).json")
            let r = try sddcal.run(["calibrate", input.path, "--seeds", "pattern", "--out", cal, "--json"], in: dir.path)
            XCTAssertEqual(r.status, 0, "\(input.name): \(r.err)")
            let report = try json(r.out)
            XCTAssertEqual(report["cells"] as? Int, 3, input.name)
            XCTAssertEqual(report["ok"] as? Int, 3, "\(input.name): \(report["problems"] ?? "")")
            let set = try CalibrationSet.load(cal)
            XCTAssertEqual(set.cells.map(\.cell), [0, 1, 2])
            XCTAssertEqual(set.cells.map(\.label), input.labelled ? optionalLabels : noLabels, input.name)
            XCTAssertEqual(report["labels"] as? [String: String], input.labelled ? ["0": labels[0], "1": labels[1], "2": labels[2]] : nil)
            // Each cell's energy at its Mn Kα position within 3 eV of the truth (the spectra have ~3·10⁵ counts).
            for (c, l) in labels.enumerated() {
                let t = truth[l]!, p = set.calibration(cell: c, time: 0)!
                let adc = (5895.9 - t[0]) / t[1]
                XCTAssertEqual(p.energy(adc), 5895.9, accuracy: 3, "\(input.name) \(l)")
            }
            // The inspector's overview names the cells.
            let o = try sddcal.run(["inspect", input.path, "--calib", cal, "--json"], in: dir.path)
            XCTAssertEqual(o.status, 0, o.err)
            let rows = try json(o.out)["cells"] as! [[String: Any]]
            XCTAssertEqual(rows.map { $0["label"] as? String }, input.labelled ? optionalLabels : noLabels, input.name)
            // fit sums the calibrated histograms (O(channels)) and fits Mn Kα near its energy.
            let f = try sddcal.run(["fit", input.path, "--calib", cal, "--line", "MnKa", "--json"], in: dir.path)
            XCTAssertEqual(f.status, 0, f.err)
            XCTAssertEqual(try json(f.out)["centroid_ev"] as? Double ?? 0, 5895, accuracy: 8, "\(input.name): \(f.out.prefix(400))")
        }
    }

    func testApplyWritesCalibratedSpectraAndSummaryListsLabels() throws {
        guard sddcal != nil else { return }
        let input = try inputs()[2]
        let cal = dir.file("c.json")
        XCTAssertEqual(try sddcal.run(["calibrate", input.path, "--seeds", "pattern", "--out", cal], in: dir.path).status, 0)
        let a = try sddcal.run(["apply", input.path, "--calib", cal, "--out", "s.csv", "--json"], in: dir.path)
        XCTAssertEqual(a.status, 0, a.err)
        let lines = try String(contentsOfFile: dir.file("s.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines[0], "sdd,label,channel,counts,energy_low_ev,energy_high_ev")
        let records = try SpectrumFile.read(input.path)
        XCTAssertEqual(lines.count - 1, 3 * records[0].histogram.binCount)
        // Row of cell 1, channel 2000: its count and its edges E(1999.5), E(2000.5) under cell 1's calibration.
        let set = try CalibrationSet.load(cal)
        let row = lines[1 + records[0].histogram.binCount + 2000].split(separator: ",")
        XCTAssertEqual(row[0], "1"); XCTAssertEqual(row[1], "bus1_sdd2"); XCTAssertEqual(row[2], "2000.0")
        XCTAssertEqual(Double(row[3]), records[1].histogram.counts[2000])
        let p = set.calibration(cell: 1, time: 0)!
        XCTAssertEqual(Double(row[4])!, p.energy(1999.5), accuracy: 1e-9)
        XCTAssertEqual(Double(row[5])!, p.energy(2000.5), accuracy: 1e-9)
        let npy = try sddcal.run(["apply", input.path, "--calib", cal, "--out", "s.npy"], in: dir.path)
        XCTAssertEqual(npy.status, 0, npy.err)
        let bin = try sddcal.run(["apply", input.path, "--calib", cal, "--out", "s.bin"], in: dir.path)
        XCTAssertEqual(bin.status, 1)
        XCTAssertTrue(bin.err.contains("calibrated spectra (histogram input) are written as .csv or .npy"), bin.err)
        let s = try sddcal.run(["summary", input.path, "--calib", cal, "--json"], in: dir.path)
        XCTAssertEqual(s.status, 0, s.err)
        let per = try json(s.out)["per_cell"] as! [[String: Any]]
        XCTAssertEqual(per.map { $0["label"] as? String }, optionalLabels)
        XCTAssertEqual(per[0]["counts"] as? Double, records[0].histogram.total)
        let report = try sddcal.run(["report", input.path, "--before", cal, "--after", cal], in: dir.path)
        XCTAssertEqual(report.status, 1)
        XCTAssertTrue(report.err.contains("holds histograms"), report.err)
    }

    /// `calibrate` on a 2-D .npy used to print the binary header as if it were a CSV line.
    func testNumpyIsNotReadAsCSV() throws {
        guard sddcal != nil else { return }
        try SpectrumFile.write([SpectrumRecord(cell: 0, counts: [1, 2, 3]), SpectrumRecord(cell: 1, counts: [4, 5, 6])],
                               to: dir.file("tiny.npy"), overwrite: false)
        let r = try sddcal.run(["calibrate", "tiny.npy", "--seeds", "pattern", "--out", "t.json", "--json"], in: dir.path)
        XCTAssertFalse(r.err.contains("NUMPY"), r.err)
        XCTAssertFalse(r.err.contains("\\x93"), r.err)
    }
}
