import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SDDCore
@testable import CalibrationRefinement

final class ReportTests: XCTestCase {
    func testReportComparesBeforeAndAfterAndWritesValidSVG() throws {
        let s = try RefinerTests.setup()
        let refined = try CalibrationRefiner().refine(events: s.events, calibration: s.standard)
        let r = try BeforeAfterReport.make(events: s.events, before: s.standard, after: refined.calibration, truth: s.truth)
        // Table 1: both fits ran on the same events (up to the ROI edges); the planted 40 eV errors widen or shift the reference line.
        XCTAssertEqual(r.before.counts, r.after.counts, accuracy: 0.01 * r.before.counts)   // only the ROI edges differ
        XCTAssertGreaterThan(r.before.counts, 500)
        let truthFWHM = s.truth.cells.map { $0.lineFWHM["CuKa"]! }.reduce(0, +) / Double(s.truth.cells.count)
        XCTAssertEqual(r.after.fwhmEV, truthFWHM, accuracy: 4 * r.after.fwhmErrorEV + 3)
        XCTAssertEqual(r.after.positionEV, SpectralLine(id: "CuKa")!.components[0].energy, accuracy: 4 * r.after.positionErrorEV + 2)
        XCTAssertGreaterThan(r.before.fwhmEV + abs(r.before.positionEV - 8047.8), r.after.fwhmEV + abs(r.after.positionEV - 8047.8))
        // Against the truth: the planted 40 eV batches are found and recovered, the others do not move.
        let t = try XCTUnwrap(r.truth)
        XCTAssertEqual(t.batches.count, 9)
        XCTAssertEqual(t.miscalibrated, s.planted.count)
        XCTAssertEqual(t.recovered, t.miscalibrated)
        XCTAssertEqual(t.movedBy2Sigma, 0)
        XCTAssertLessThan(t.rmsAfter, t.rmsBefore)
        XCTAssertEqual(t.truthRow.fwhmEV, truthFWHM, accuracy: 3 * t.truthRow.fwhmErrorEV + 2)
        // Figure 6: one pull per batch, and they are the centroid shifts in units of the reference error.
        XCTAssertEqual(r.pulls.count, 9)
        XCTAssertEqual(r.batchesWithoutCuCentroid, 0)
        for p in r.pulls { XCTAssertEqual(p.pull, (p.muRef - p.muOpt) / p.sigmaRef, accuracy: 1e-12) }
        // Figure 5: Newton's summed log-likelihood rises to its maximum.
        XCTAssertGreaterThan(r.logLikelihoodCurve.count, 1)
        XCTAssertGreaterThan(r.logLikelihoodCurve.last!, r.logLikelihoodCurve.first!)
        XCTAssertTrue(r.text.contains("Table 1"))
        XCTAssertTrue(r.pullHistogramText.contains("9 batches"))

        let dir = NSTemporaryDirectory() + "sddcal-report-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = try SVGFigures.write(r, to: dir, overwrite: false)
        XCTAssertEqual(paths.count, 3)
        for p in paths {
            let data = try XCTUnwrap(FileManager.default.contents(atPath: p))
            let parser = XMLParser(data: data)
            XCTAssertTrue(parser.parse(), "\(p) is not well-formed XML: \(String(describing: parser.parserError))")
            XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("<polyline"))
        }
        // Existing figures are not overwritten without being asked.
        XCTAssertThrowsError(try SVGFigures.write(r, to: dir, overwrite: false))
    }
}
