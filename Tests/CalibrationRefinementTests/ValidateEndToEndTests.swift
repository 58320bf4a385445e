import Foundation
import SDDCalTestSupport
import XCTest

/// `sddcal validate` as users run it, on a tiny setting.
final class ValidateEndToEndTests: XCTestCase {
    func testValidateOnTinyMonths() throws {
        guard let cmd = try BuiltCommand.locate(for: self) else { return }
        let r = try cmd.run(["validate", "--seeds", "2", "--cells", "2", "--days", "4", "--folds", "2",
                             "--seeds-method", "pattern", "--walk-step", "6h", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let seeds = try XCTUnwrap(json["seeds"] as? [[String: Any]])
        XCTAssertEqual(seeds.map { $0["seed"] as? Int }, [1, 2])
        let summary = try XCTUnwrap(json["summary"] as? [String: Any])
        let stages = try XCTUnwrap(summary["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.compactMap { $0["name"] as? String }, ["standard", "refined"])
        for s in stages {
            let ho = try XCTUnwrap(s["held_out_fwhm_minus_truth_ev"] as? [String: Any])
            XCTAssertEqual(ho["n"] as? Int, 2)
            XCTAssertLessThan(abs(try XCTUnwrap(ho["mean"] as? Double)), 60)
        }
        let truthFWHM = try XCTUnwrap((summary["truth_fwhm_ev"] as? [String: Any])?["mean"] as? Double)
        XCTAssertEqual(truthFWHM, 176, accuracy: 20)
        let settings = try XCTUnwrap(json["settings"] as? [String: String])
        XCTAssertEqual(settings["walk_step_s"], "21600.0")

        // Text output and a bad option.
        let t = try cmd.run(["validate", "--seeds", "1", "--cells", "1", "--days", "2", "--folds", "2", "--seeds-method", "pattern"])
        XCTAssertEqual(t.status, 0, t.err)
        XCTAssertTrue(t.out.contains("held-out"), t.out)
        XCTAssertTrue(t.out.contains("mean ± standard error over 1 seeds"), t.out)
        let bad = try cmd.run(["validate", "--folds", "1"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("--folds"), bad.err)
    }
}
