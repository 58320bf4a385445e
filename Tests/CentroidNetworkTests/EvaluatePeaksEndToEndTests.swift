import Foundation
import SDDCalTestSupport
import XCTest

/// `sddcal evaluate-peaks` as users run it: the built binary on held-out simulated spectra with
/// the shipped model (see `BuiltCommand` for where the binary comes from).
final class EvaluatePeaksEndToEndTests: XCTestCase {
    var sddcal: BuiltCommand!

    override func setUpWithError() throws {
        sddcal = try BuiltCommand.locate(for: self)
    }

    private func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try sddcal.run(["evaluate-peaks"] + args)
    }

    func testTheShippedModelFindsEveryLineWhereTheFixedFinderDoesNot() throws {
        let args = ["--counts", "1000,3000,100000", "--spectra", "40", "--seed", "11", "--json"]
        let r = try run(args)
        XCTAssertEqual(r.status, 0, r.err)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        XCTAssertEqual(report["spectraPerLevel"] as? Int, 40)
        let levels = try XCTUnwrap(report["levels"] as? [[String: Any]])
        XCTAssertEqual(levels.count, 3)
        // Median |error| bounds with room over the measured ones (at 3,000 counts the worst line's
        // median is 1.5 ADC over 2,000 spectra; 40 spectra scatter more).
        let bound: [Double: Double] = [1000: 4, 3000: 3, 100_000: 1.5]
        for level in levels {
            let counts = try XCTUnwrap(level["totalCounts"] as? Double)
            let cnn = try XCTUnwrap(level["cnn"] as? [String: Any])
            let finder = try XCTUnwrap(level["finder"] as? [String: Any])
            let cnnFound = try XCTUnwrap(cnn["allFoundFraction"] as? Double)
            let finderFound = try XCTUnwrap(finder["allFoundFraction"] as? Double)
            XCTAssertGreaterThanOrEqual(cnnFound, 0.95, "CNN at \(counts) counts")
            XCTAssertGreaterThanOrEqual(cnnFound, finderFound, "at \(counts) counts")
            let lines = try XCTUnwrap(cnn["lines"] as? [[String: Any]])
            XCTAssertEqual(lines.compactMap { $0["line"] as? String }, ["TiKa", "TiKb", "MnKa", "MnKb", "CuKa"])
            for line in lines {
                let median = try XCTUnwrap(line["medianAbsError"] as? Double)
                XCTAssertLessThan(median, try XCTUnwrap(bound[counts]), "\(line["line"] ?? "?") at \(counts) counts")
            }
        }
        // At 1,000 counts one fixed parameter set misses lines in most spectra (the paper's point).
        let low = try XCTUnwrap(levels.first?["finder"] as? [String: Any])
        XCTAssertLessThan(try XCTUnwrap(low["allFoundFraction"] as? Double), 0.5)
        // The same seed gives the same report.
        XCTAssertEqual(try run(args).out, r.out)
    }

    func testBadArgumentsAreOneLineErrors() throws {
        for (args, name) in [(["--counts", "5"], "--counts"), (["--spectra", "3"], "--spectra"),
                             (["--population", "lab"], "--population"), (["--truth", "t.json"], "--truth")] {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            let lines = r.err.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, r.err)
            XCTAssertTrue(r.err.contains(name), r.err)
            XCTAssertTrue(r.out.isEmpty, r.out)
        }
    }
}
