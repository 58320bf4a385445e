import XCTest
@testable import SDDCore

final class BatchStatusTests: XCTestCase {
    /// Every status string sddcal writes (standard fit, borrowed calibration, refinement, histogram
    /// files, simulator truth) parses to its case and is written back byte for byte.
    func testEveryWrittenStringParsesAndRoundTrips() {
        let cases: [(String, BatchStatus)] = [
            ("ok", .ok),
            ("partial: missing TiKb (fit stalled)", .partial(reason: "missing TiKb (fit stalled)")),
            ("partial: missing TiKb (not significant (area/error 1.2)), CuKb (moved -14 ADC from its seed)",
             .partial(reason: "missing TiKb (not significant (area/error 1.2)), CuKb (moved -14 ADC from its seed)")),
            ("failed: 1 usable line(s); missing MnKa (not fitted)", .failed(reason: "1 usable line(s); missing MnKa (not fitted)", calibrationOf: nil)),
            ("failed: 0 usable line(s); missing TiKa (fit stalled); calibration of batch 12",
             .failed(reason: "0 usable line(s); missing TiKa (fit stalled)", calibrationOf: 12)),
            ("failed", .failed(reason: "", calibrationOf: nil)),
            ("failed; calibration of batch 2", .failed(reason: "", calibrationOf: 2)),
            ("optimized", .optimized(stop: nil)),
            ("optimized (max-iterations)", .optimized(stop: "max-iterations")),
            ("kept: 12 events in the window (< 100)", .kept(reason: "12 events in the window (< 100)")),
            ("kept: fewer than 2 anchor lines with centroid errors in the calibration",
             .kept(reason: "fewer than 2 anchor lines with centroid errors in the calibration")),
            ("from file", .fromFile),
            ("truth", .truth),
        ]
        for (text, status) in cases {
            XCTAssertEqual(BatchStatus(parsing: text), status, text)
            XCTAssertEqual(status.description, text)
        }
    }

    /// Usable means "its own calibration": everything but a failed standard fit.
    func testUsableComesFromTheCase() {
        XCTAssertTrue(BatchStatus.ok.isUsable)
        XCTAssertTrue(BatchStatus.partial(reason: "missing TiKb").isUsable)
        XCTAssertTrue(BatchStatus.optimized(stop: nil).isUsable)
        XCTAssertTrue(BatchStatus.optimized(stop: "max-iterations").isUsable)
        XCTAssertTrue(BatchStatus.fromFile.isUsable)
        XCTAssertTrue(BatchStatus.truth.isUsable)
        XCTAssertTrue(BatchStatus.kept(reason: "x").isUsable)
        XCTAssertFalse(BatchStatus.failed(reason: "1 usable line(s)", calibrationOf: 2).isUsable)
        XCTAssertTrue(BatchStatus.optimized(stop: nil).isConvergedOptimization)
        XCTAssertFalse(BatchStatus.optimized(stop: "max-iterations").isConvergedOptimization)
    }

    /// Strings no sddcal writes are refused, not guessed at.
    func testUnknownStringsAreRefused() {
        for s in ["", "OK", "good", "optimized (", "optimized ()", "partial:", "failedX", "failed; calibration of batch x", "kept"] {
            XCTAssertNil(BatchStatus(parsing: s), s)
        }
        // A borrowed-batch marker with a non-number stays part of the reason.
        XCTAssertEqual(BatchStatus(parsing: "failed: x; calibration of batch two"),
                       .failed(reason: "x; calibration of batch two", calibrationOf: nil))
    }

    /// A calibration file written by an earlier sddcal (plain strings) loads into typed statuses, is
    /// written back unchanged, and an unknown status names its field in a one-line error.
    func testCalibrationFileStatusesLoadAndUnknownOnesNameTheField() throws {
        func file(_ statuses: [String]) -> String {
            let batches = statuses.enumerated().map { (k, s) in
                """
                {"index": \(k), "start": \(k * 10), "end": \(k * 10 + 10), "events": 100, "status": "\(s)", "lines": [], "missing_lines": [],
                 "calibration": {"p0": -1850, "p1": 3.05, "p2": 0}}
                """
            }
            return """
            {"schema": "sddcal.calibration", "version": 1, "profile": "vip2", "batch": "10s", "method": "standard", "source": "t",
             "cells": [{"cell": 0, "batches": [\(batches.joined(separator: ","))]}]}
            """
        }
        let written = ["ok", "partial: missing CuKb (fit stalled)", "failed: 1 usable line(s); missing CuKa (fit stalled); calibration of batch 0",
                       "optimized", "optimized (max-iterations)", "from file", "truth"]
        let set = try CalibrationSet.decode(Data(file(written).utf8), file: "old.json")
        XCTAssertEqual(set.cells[0].batches.map(\.status.description), written)
        XCTAssertEqual(set.cells[0].batches[2].status, .failed(reason: "1 usable line(s); missing CuKa (fit stalled)", calibrationOf: 0))
        let again = try CalibrationSet.decode(try set.encoded(), file: "again.json")
        XCTAssertEqual(again, set)

        XCTAssertThrowsError(try CalibrationSet.decode(Data(file(["ok", "gut\\u0007"]).utf8), file: "bad.json")) { e in
            let text = (e as? SDDError)?.description ?? "\(e)"
            XCTAssertTrue(text.hasPrefix("bad.json: field 'cells[0].batches[1].status': unknown status 'gut\\x07'"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }
}
