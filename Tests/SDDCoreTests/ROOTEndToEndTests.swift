import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// ROOT files through the built `sddcal`: listing, a histogram as a spectrum, a tree as events.
final class ROOTEndToEndTests: XCTestCase {
    var sddcal: BuiltCommand!
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { (sddcal, dir) = try BuiltCommand.locateWithDirectory(for: self) }

    func testSummaryListsEveryObject() throws {
        let r = try sddcal.run(["summary", fixture("root/fixture-zlib.root")], in: dir.path)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("7 histograms, 1 trees, 2 directories, 10 keys"), r.out)
        XCTAssertTrue(r.out.contains("sub/deeper/bus3_sdd7  TH1D  10 bins [-1, 1)"), r.out)
        XCTAssertTrue(r.out.contains("events  TTree  60 entries  branches sdd:int32 adc:uint16 time:float64"), r.out)
    }

    func testHistogramAndTreeConvert() throws {
        let h = try sddcal.run(["convert", fixture("root/fixture-lz4.root") + ":sub/bus2_sdd6", "h.npy", "--json"], in: dir.path)
        XCTAssertEqual(h.status, 0, h.err)
        let spectrum = try SpectrumFile.read(dir.file("h.npy"))[0]
        // Unit bins [k, k + 1) are ADC channels k = 0…15.
        XCTAssertEqual(spectrum.histogram.counts, (0..<16).map { Double($0) * 1.5 })
        let t = try sddcal.run(["convert", fixture("root/fixture-zstd.root") + ":events", "e.csv"], in: dir.path)
        XCTAssertEqual(t.status, 0, t.err)
        let events = try EventFile.read(dir.file("e.csv"))
        let f = try ROOTFile(path: fixture("root/fixture-zstd.root"))
        let tree = try f.tree(f.entry("events")!)
        XCTAssertEqual(events.count, 60)
        XCTAssertEqual(events.adc.map { Int64($0) }, try f.integers(tree.branch("adc")!, tree: tree))
        XCTAssertEqual(Array(events.time), try f.doubles(tree.branch("time")!, tree: tree))
        let bad = try sddcal.run(["convert", fixture("root/fixture-zstd.root") + ":events", "x.csv", "--branches", "sdd,nope,time"], in: dir.path)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("no flat numeric branch 'nope'"), bad.err)
        XCTAssertEqual(bad.err.filter { $0 == "\n" }.count, 1, bad.err)
    }
}
