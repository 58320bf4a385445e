import XCTest
@testable import CentroidNetwork

final class ErrorStatisticsTests: XCTestCase {
    func testQuantilesInterpolateLikeNumPy() {
        // numpy.quantile([1, 2, 3, 4], [0.5, 0.99]) = [2.5, 3.97]
        XCTAssertEqual(ValidationSummary.quantile([1, 2, 3, 4], 0.5), 2.5, accuracy: 1e-12)
        XCTAssertEqual(ValidationSummary.quantile([1, 2, 3, 4], 0.99), 3.97, accuracy: 1e-12)
        XCTAssertEqual(ValidationSummary.quantile([7], 0.99), 7)
        XCTAssertTrue(ValidationSummary.quantile([], 0.5).isNaN)
    }

    func testSummaryCountsFoundLinesAndErrors() {
        let truth: [[Double]] = [[100, 200], [100, 200], [100, 200], [100, 200]]
        let predicted: [[Double?]] = [[101, 203], [99, nil], [130, 200], [100, 198]]
        let s = ValidationSummary(totalCounts: 1000, lineIDs: ["A", "B"], predicted: predicted, truth: truth, foundTolerance: 20)
        XCTAssertEqual(s.spectra, 4)
        // Spectrum 2 misses B, spectrum 3 has A 30 ADC off: two of four have both lines.
        XCTAssertEqual(s.allFoundFraction, 0.5)
        XCTAssertEqual(s.lines[0].foundFraction, 0.75)
        XCTAssertEqual(s.lines[1].foundFraction, 0.75)
        XCTAssertEqual(s.lines[1].count, 3)
        XCTAssertEqual(s.lines[0].medianAbsError, 1)            // |err| = 1, 1, 30, 0
        XCTAssertEqual(s.lines[0].meanError, 7.5, accuracy: 1e-12)
        XCTAssertEqual(s.lines[1].medianAbsError, 2)            // |err| = 3, 0, 2
    }
}
