import Foundation
import SDDCalTestSupport
import XCTest

/// `sddcal validate` as users run it, on a tiny setting.
final class ValidateEndToEndTests: XCTestCase {
    func testValidateOnTinyMonths() throws {
        guard let cmd = try BuiltCommand.locate(for: self) else { return }
        let r = try cmd.run(["validate", "--seeds", "2", "--cells", "2", "--days", "4", "--folds", "2",
                             "--seeds-method", "pattern", "--walk-step", "6h", "--counts-per-knot", "150", "--json"])
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
        XCTAssertEqual(settings["counts_per_knot"], "150")

        // Text output and a bad option.
        let t = try cmd.run(["validate", "--seeds", "1", "--cells", "1", "--days", "2", "--folds", "2", "--seeds-method", "pattern"])
        XCTAssertEqual(t.status, 0, t.err)
        XCTAssertTrue(t.out.contains("held-out"), t.out)
        XCTAssertTrue(t.out.contains("mean ± standard error over 1 seeds"), t.out)
        let bad = try cmd.run(["validate", "--folds", "1"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("--folds"), bad.err)
    }

    /// The demo's table 1: three stages held-out and in-sample, truth, gain and hardware limit.
    func testDemoOutputShape() throws {
        guard let cmd = try BuiltCommand.locate(for: self) else { return }
        let r = try cmd.run(["demo", "--cells", "2", "--days", "4", "--reference", "4d", "--batch", "48h", "--folds", "2", "--json"],
                            in: BuiltCommand.root.path)
        XCTAssertEqual(r.status, 0, r.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let table = try XCTUnwrap(json["table1"] as? [String: Any])
        let rows = try XCTUnwrap(table["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["label"] as? String }, ["reference (4d)", "standard (2d)", "optimized (smooth)"])
        for row in rows {
            for key in ["held_out", "in_sample"] {
                let m = try XCTUnwrap(row[key] as? [String: Any])
                XCTAssertEqual(try XCTUnwrap(m["fwhm_ev"] as? Double), 176, accuracy: 40)
            }
        }
        XCTAssertNotNil(table["truth"] as? [String: Any])
        let gain = try XCTUnwrap(table["gain"] as? [String: Any])
        XCTAssertNotNil(gain["fwhm_gain_ev"] as? Double)
        let hw = try XCTUnwrap(table["hardware_limit"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(hw["fwhm_ev"] as? Double), 176, accuracy: 10)
        XCTAssertEqual(table["folds"] as? Int, 2)
    }

    /// `fit --held-out` and `report --held-out` rerun the files' chains; figures are labelled.
    func testFitAndReportHeldOut() throws {
        guard let cmd = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory(removedAfter: self).path
        for args in [["simulate", "--cells", "2", "--days", "4", "--seed", "3", "--out", "ev.bin", "--truth", "truth.json"],
                     ["calibrate", "ev.bin", "--batch", "48h", "--seeds", "pattern", "--out", "std.json"],
                     ["optimize", "ev.bin", "--calib", "std.json", "--out", "opt.json"]] {
            let r = try cmd.run(args, in: dir)
            XCTAssertEqual(r.status, 0, r.err)
        }
        let fit = try cmd.run(["fit", "ev.bin", "--calib", "std.json", "--held-out", "--folds", "2", "--json"], in: dir)
        XCTAssertEqual(fit.status, 0, fit.err)
        let fj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fit.out.utf8)) as? [String: Any])
        let ho = try XCTUnwrap(fj["held_out"] as? [String: Any])
        XCTAssertEqual(ho["folds"] as? Int, 2)
        // A standard calibration rerun with its own seeds reproduces the file: the rerun's in-sample FWHM is the fit's.
        let rerun = try XCTUnwrap((ho["rerun_in_sample"] as? [String: Any])?["fwhm_ev"] as? Double)
        XCTAssertEqual(rerun, try XCTUnwrap(fj["fwhm_ev"] as? Double), accuracy: 1)
        XCTAssertNotNil(fj["hardware_limit"] as? [String: Any])
        XCTAssertNotNil(fj["warnings"] as? [String])
        let text = try cmd.run(["fit", "ev.bin", "--calib", "std.json"], in: dir)
        XCTAssertTrue(text.out.contains("in-sample"), text.out)
        XCTAssertTrue(text.out.contains("hardware limit"), text.out)

        let rep = try cmd.run(["report", "ev.bin", "--before", "std.json", "--after", "opt.json", "--truth", "truth.json",
                               "--held-out", "--folds", "2"], in: dir)
        XCTAssertEqual(rep.status, 0, rep.err)
        XCTAssertTrue(rep.out.contains("held-out"), rep.out)
        XCTAssertTrue(rep.out.contains("true calibration"), rep.out)
        let bad = try cmd.run(["fit", "ev.bin", "--calib", "std.json", "--held-out", "--line", "MnKa"], in: dir)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("--held-out"), bad.err)
    }

    /// `fit` warns when the Cu Kα FWHM really lies more than 2σ below the hardware limit, and not on an
    /// honest calibration: the same events and calibration, once as calibrated and once with the file's
    /// line widths inflated by 40 % (a limit ~70 eV above the Cu Kα line's real width).
    func testFitWarnsOnlyBelowTheHardwareLimit() throws {
        guard let cmd = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory(removedAfter: self).path
        for args in [["simulate", "--cells", "4", "--days", "4", "--seed", "5", "--out", "ev.bin", "--truth", "truth.json"],
                     ["calibrate", "ev.bin", "--batch", "48h", "--seeds", "pattern", "--out", "std.json"]] {
            let r = try cmd.run(args, in: dir)
            XCTAssertEqual(r.status, 0, r.err)
        }
        func fit(_ calib: String) throws -> (json: [String: Any], text: String) {
            let j = try cmd.run(["fit", "ev.bin", "--calib", calib, "--json"], in: dir)
            XCTAssertEqual(j.status, 0, j.err)
            let t = try cmd.run(["fit", "ev.bin", "--calib", calib], in: dir)
            XCTAssertEqual(t.status, 0, t.err)
            return (try XCTUnwrap(JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any]), t.out)
        }
        let honest = try fit("std.json")
        let limit = try XCTUnwrap((honest.json["hardware_limit"] as? [String: Any])?["fwhm_ev"] as? Double)
        XCTAssertEqual(limit, 176, accuracy: 8)
        XCTAssertEqual((honest.json["warnings"] as? [String])?.count, 0, "\(honest.json["warnings"] ?? "")")
        XCTAssertFalse(honest.text.contains("below the hardware limit"), honest.text)

        var file = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/std.json"))) as? [String: Any])
        var cells = try XCTUnwrap(file["cells"] as? [[String: Any]])
        for ci in cells.indices {
            var batches = try XCTUnwrap(cells[ci]["batches"] as? [[String: Any]])
            for bi in batches.indices {
                var lines = try XCTUnwrap(batches[bi]["lines"] as? [[String: Any]])
                for li in lines.indices { if let s = lines[li]["sigma_adc"] as? Double { lines[li]["sigma_adc"] = 1.4 * s } }
                batches[bi]["lines"] = lines
            }
            cells[ci]["batches"] = batches
        }
        file["cells"] = cells
        try JSONSerialization.data(withJSONObject: file).write(to: URL(fileURLWithPath: dir + "/wide.json"))
        let narrow = try fit("wide.json")
        let wideLimit = try XCTUnwrap((narrow.json["hardware_limit"] as? [String: Any])?["fwhm_ev"] as? Double)
        XCTAssertGreaterThan(wideLimit, limit + 40)
        let warnings = try XCTUnwrap(narrow.json["warnings"] as? [String])
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.contains("in-sample Cu Kα FWHM") ?? false, "\(warnings)")
        XCTAssertTrue(narrow.text.contains("below the hardware limit"), narrow.text)
    }
}
