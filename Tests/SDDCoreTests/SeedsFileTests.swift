import XCTest
@testable import SDDCore

/// `sddcal.seeds` files: merge rule, round trip, and one-line errors naming the field.
final class SeedsFileTests: XCTestCase {
    let file = SeedsFile(profile: "vip2", batch: "48h", source: "e.bin", entries: [
        .init(cell: 3, batch: 2, seeds: ["MnKa": 2610]),
        .init(cell: 3, batch: nil, seeds: ["MnKa": 2600, "TiKa": 2130]),
    ])

    func testBatchSeedsOverrideTheCellsLineByLine() throws {
        XCTAssertEqual(file.seeds(cell: 3, batch: 2), ["MnKa": 2610, "TiKa": 2130])
        XCTAssertEqual(file.seeds(cell: 3, batch: 0), ["MnKa": 2600, "TiKa": 2130])
        XCTAssertEqual(file.seeds(cell: 3, batch: nil), ["MnKa": 2600, "TiKa": 2130])
        XCTAssertEqual(file.seeds(cell: 4, batch: 2), [:])
        XCTAssertTrue(file.hasBatchEntries)
        XCTAssertEqual(file.entries.map(\.batch), [nil, 2], "sorted: cell-wide entry first")
        XCTAssertEqual(try SeedsFile.decode(file.encoded(), file: "s.json"), file)
    }

    func testBadFilesNameTheField() {
        func error(_ json: String) -> String {
            do { _ = try SeedsFile.decode(Data(json.utf8), file: "s.json"); return "no error" } catch { return "\(error)" }
        }
        let head = #""profile": "vip2", "batch": "48h", "source": "x""#
        XCTAssertEqual(error(#"{"schema": "sddcal.calibration", "version": 1, \#(head), "entries": []}"#),
                       "s.json: field 'schema': 'sddcal.calibration' is not sddcal.seeds")
        XCTAssertEqual(error(#"{"schema": "sddcal.seeds", "version": 2, \#(head), "entries": []}"#),
                       "s.json: field 'version': version 2 not supported (this sddcal reads 1)")
        XCTAssertEqual(error(#"{"schema": "sddcal.seeds", "version": 1, \#(head)}"#), "s.json: field 'entries': missing")
        XCTAssertEqual(error(#"{"schema": "sddcal.seeds", "version": 1, \#(head), "entries": [{"cell": 1, "seeds": {"XxKa": 5}}]}"#),
                       "s.json: field 'entries[0].seeds': unknown line 'XxKa'")
        XCTAssertEqual(error(#"{"schema": "sddcal.seeds", "version": 1, \#(head), "entries": [{"cell": 1, "seeds": {"CuKa": -5}}]}"#),
                       "s.json: field 'entries[0].seeds.CuKa': seed -5.0 is not an ADC value")
        XCTAssertEqual(error(#"{"schema": "sddcal.seeds", "version": 1, \#(head), "entries": [{"cell": -1, "seeds": {}}]}"#),
                       "s.json: field 'entries[0].cell': negative cell -1")
        XCTAssertEqual(error(#"{"schema": "sddcal.seeds", "version": 1, \#(head), "entries": [{"cell": 1, "batch": 0, "seeds": {}}, {"cell": 1, "batch": 0, "seeds": {}}]}"#),
                       "s.json: field 'entries[1]': a second entry for cell 1 batch 0")
        XCTAssertTrue(error(#"{"schema": "sddcal.seeds", "version": 1, \#(head), "entries": [{"cell": "one", "seeds": {}}]}"#)
                        .hasPrefix("s.json: field 'entries[0].cell': "))
        XCTAssertEqual(error("{"), "s.json: not a seeds file (not valid JSON)")
    }
}
