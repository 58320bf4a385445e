import CalibrationRefinement
import Foundation
import SDDCore
import XCTest

/// What `optimize` records about the chain (`start_method`) and how ``CalibrationRecipe`` reads it back,
/// including files written before the field existed.
final class CalibrationRecipeTests: XCTestCase {
    func set(method: String, source: String, startMethod: String?) -> CalibrationSet {
        let b = CalibrationSet.Batch(index: 0, start: 0, end: 86400, events: 10, calibration: .init(p0: -1800, p1: 3), status: .ok)
        var s = CalibrationSet(profile: "vip2", batch: "48h", method: method, source: source, cells: [.init(cell: 0, batches: [b])])
        s.startMethod = startMethod
        return s
    }

    func tempFile(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("recipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.appendingPathComponent(name).path
    }

    func testStartMethodRoundTripsAndNamesTheSeeds() throws {
        let s = set(method: "smooth", source: "sddcal optimize ev.bin --calib c.json --method smooth", startMethod: "standard (seeds: pattern)")
        let path = try tempFile("smooth.json")
        try s.save(path, overwrite: false)
        XCTAssertTrue(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).contains("\"start_method\" : \"standard (seeds: pattern)\""))
        let back = try CalibrationSet.load(path)
        XCTAssertEqual(back, s)
        XCTAssertEqual(back.startMethod, "standard (seeds: pattern)")
        let r = try CalibrationRecipe(of: back, file: path)
        XCTAssertEqual(r.kind, .smooth)
        XCTAssertEqual(r.seeds, "pattern")
        // A refinement of a refinement still names the standard calibration at the chain's start.
        XCTAssertEqual(back.chainStartMethod, "standard (seeds: pattern)")
        XCTAssertEqual(set(method: "standard (seeds: scipy)", source: "", startMethod: nil).chainStartMethod, "standard (seeds: scipy)")
    }

    /// A file written before `start_method` existed loads (the field is optional); the seeds come from
    /// the source text when it names them.
    func testOlderFilesWithoutStartMethodLoad() throws {
        let s = set(method: "optimized", source: "optimized (window loss, newton) from standard (seeds: scipy): x", startMethod: nil)
        let path = try tempFile("old.json")
        try s.save(path, overwrite: false)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        XCTAssertFalse(text.contains("start_method"))
        let back = try CalibrationSet.load(path)
        XCTAssertNil(back.startMethod)
        let r = try CalibrationRecipe(of: back, file: path)
        XCTAssertEqual(r.kind, .optimized)
        XCTAssertEqual(r.seeds, "scipy")
        // Seeds that cannot be rerun are named as such.
        let given = set(method: "smooth", source: "", startMethod: "standard (seeds: given)")
        XCTAssertThrowsError(try CalibrationRecipe(of: given, file: "g.json")) { e in
            XCTAssertTrue("\(e)".contains("given"), "\(e)")
        }
    }
}
