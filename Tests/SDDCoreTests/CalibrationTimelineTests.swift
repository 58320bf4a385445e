import XCTest
@testable import SDDCore

final class CalibrationTimelineTests: XCTestCase {
    private let day = 86_400.0

    private func threeKnots(covariance: Bool = false, cross: Bool = false) throws -> CalibrationTimeline {
        let c0: [Double] = [4, 0.01, 0, 0.01, 1e-4, 0, 0, 0, 1e-14]
        let c1: [Double] = [9, 0.02, 0, 0.02, 4e-4, 0, 0, 0, 4e-14]
        let c2: [Double] = [1, 0, 0, 0, 1e-4, 0, 0, 0, 1e-14]
        let x0: [Double] = [3, 0, 0, 0, 1e-4, 0, 0, 0, 1e-14]
        let x1: [Double] = [1, 0, 0, 0, 1e-4, 0, 0, 0, 1e-14]
        return try CalibrationTimeline(knots: [0, day, 3 * day], p0: [-1800, -1810, -1790], p1: [3.0, 3.3, 3.1],
                                       p2: [1e-6, 2e-6, 0], covariance: covariance ? [c0, c1, c2] : nil,
                                       intervalCovariance: cross ? [x0, x1] : nil)
    }

    func testExactAtKnotsAndClampedOutside() throws {
        let tl = try threeKnots(covariance: true)
        for k in 0..<3 {
            let c = tl.calibration(at: tl.knots[k])
            XCTAssertEqual(c, tl.knot(k))          // bit-exact coefficients and covariance
        }
        XCTAssertEqual(tl.calibration(at: -5 * day), tl.knot(0))
        XCTAssertEqual(tl.calibration(at: 100 * day), tl.knot(2))
        XCTAssertEqual(tl.calibration(at: .nan), tl.knot(0))
        let one = try CalibrationTimeline(constant: .init(p0: 1, p1: 2, p2: 3), at: 50)
        XCTAssertEqual(one.calibration(at: -1e9), .init(p0: 1, p1: 2, p2: 3))
        XCTAssertEqual(one.calibration(at: 1e9), .init(p0: 1, p1: 2, p2: 3))
    }

    /// Histogram input has no times: a timeline stands for its cell by its middle, a batch by itself
    /// (the calibration `fit`, `apply` and `summary` use for histogram input).
    func testHistogramCalibrationIsTheTimelinesMiddle() throws {
        let tl = try threeKnots()
        let batch = CalibrationSet.Batch(index: 0, start: 0, end: 1, events: 10,
                                         calibration: .init(p0: -1000, p1: 4, p2: 0), status: .ok)
        let set = CalibrationSet(profile: "vip2", batch: "all", method: "test", source: "test",
                                 cells: [.init(cell: 0, batches: [batch], timeline: tl), .init(cell: 1, batches: [batch])])
        XCTAssertEqual(set.histogramCalibration(cell: 0), tl.calibration(at: 1.5 * day))
        XCTAssertNotEqual(set.histogramCalibration(cell: 0), tl.calibration(at: 0))
        XCTAssertEqual(set.histogramCalibration(cell: 1), batch.calibration)
        XCTAssertNil(set.histogramCalibration(cell: 2))
    }

    func testLinearOffsetAndGeometricGainBetweenKnots() throws {
        let tl = try threeKnots()
        for w in stride(from: 0.05, to: 1, by: 0.1) {
            let t = day + w * 2 * day
            let c = tl.calibration(at: t)
            XCTAssertEqual(c.p0, -1810 + w * 20, accuracy: 1e-9)
            XCTAssertEqual(c.p2, 2e-6 * (1 - w), accuracy: 1e-18)
            // log-gain linear: p1(t) = 3.3^(1-w) · 3.1^w, analytically.
            XCTAssertEqual(c.p1, pow(3.3, 1 - w) * pow(3.1, w), accuracy: 1e-12)
            XCTAssertEqual(tl.energy(adc: 3000, time: t), c.p0 + 3000 * c.p1 + 9e6 * c.p2, accuracy: 1e-9)
        }
        // Half way the gain is the geometric mean, not the arithmetic one.
        XCTAssertEqual(tl.calibration(at: 0.5 * day).p1, (3.0 * 3.3).squareRoot(), accuracy: 1e-12)
    }

    func testCovarianceBetweenKnots() throws {
        // Without the interval covariance: variances interpolated linearly (an upper bound).
        let tl = try threeKnots(covariance: true)
        let w = 0.25
        let c = tl.calibration(at: w * day)
        let cov = try XCTUnwrap(c.covariance)
        XCTAssertEqual(cov[0], 0.75 * 4 + 0.25 * 9, accuracy: 1e-12)
        // Var ln p1 = Var p1 / p1², interpolated, then back: Var p1(t) = p1(t)² · ((1−w)·1e-4/9 + w·4e-4/3.3²).
        let p1t = c.p1
        XCTAssertEqual(cov[4], p1t * p1t * (0.75 * 1e-4 / 9 + 0.25 * 4e-4 / (3.3 * 3.3)), accuracy: 1e-15)
        XCTAssertEqual(cov[1], p1t * (0.75 * 0.01 / 3 + 0.25 * 0.02 / 3.3), accuracy: 1e-14)
        XCTAssertEqual(cov[1], cov[3])
        // With it: (1−w)²A + w²B + w(1−w)(X + Xᵀ), checked on p0 (no Jacobian): 0.5625·4 + 0.0625·9 + 0.375·3.
        let tx = try threeKnots(covariance: true, cross: true)
        let cx = try XCTUnwrap(tx.calibration(at: w * day).covariance)
        XCTAssertEqual(cx[0], 0.5625 * 4 + 0.0625 * 9 + 0.1875 * 2 * 3, accuracy: 1e-12)
        // Perfectly correlated knots (X = sqrt(A B)) give the linear interpolation of the standard error.
        XCTAssertLessThanOrEqual(cx[0], cov[0] + 1e-12)
        // The energy error at a reference ADC follows from it.
        XCTAssertNotNil(tx.calibration(at: w * day).energyError(3000))
    }

    func testCursorMatchesDirectEvaluationInAnyOrder() throws {
        let tl = try threeKnots()
        var cursor = CalibrationTimeline.Cursor(tl)
        var rng = SeededGenerator(seed: 7)
        var times = (0..<2000).map { _ in -day + 5 * day * rng.uniform() }
        times += [0, day, 3 * day, day, 0, -1, 4 * day]
        times.sort()
        times += [2 * day, 0.5 * day, 2.5 * day, 0.1 * day]   // jumps back
        for t in times {
            XCTAssertEqual(cursor.calibration(at: t), tl.calibration(at: t).withoutCovariance, "t = \(t)")
        }
    }

    func testRejectsInconsistentTimelines() {
        func problem(_ knots: [Double], _ p0: [Double], _ p1: [Double], _ p2: [Double], cov: [[Double]]? = nil) -> String? {
            CalibrationTimeline.problem(knots: knots, p0: p0, p1: p1, p2: p2, covariance: cov, intervalCovariance: nil)?.field
        }
        XCTAssertEqual(problem([], [], [], []), "knots")
        XCTAssertEqual(problem([0, 1, 1], [0, 0, 0], [1, 1, 1], [0, 0, 0]), "knots[2]")
        XCTAssertEqual(problem([0, 2, 1], [0, 0, 0], [1, 1, 1], [0, 0, 0]), "knots[2]")
        XCTAssertEqual(problem([0, .infinity], [0, 0], [1, 1], [0, 0]), "knots[1]")
        XCTAssertEqual(problem([0, 1], [0], [1, 1], [0, 0]), "p0")
        XCTAssertEqual(problem([0, 1], [0, .nan], [1, 1], [0, 0]), "p0[1]")
        XCTAssertEqual(problem([0, 1], [0, 0], [1, -1], [0, 0]), "p1[1]")
        XCTAssertEqual(problem([0, 1], [0, 0], [1, 1], [0, 0], cov: [[0]]), "covariance")
        XCTAssertEqual(problem([0, 1], [0, 0], [1, 1], [0, 0], cov: [Array(repeating: 0, count: 9), [1]]), "covariance[1]")
        XCTAssertNil(problem([0, 1], [0, 0], [1, 1], [0, 0]))
        XCTAssertThrowsError(try CalibrationTimeline(knots: [1, 0], p0: [0, 0], p1: [1, 1], p2: [0, 0]))
    }
}

final class CalibrationFileVersionTests: XCTestCase {
    /// A fresh directory, removed when the test ends.
    private func tempDir() throws -> URL {
        URL(fileURLWithPath: try TemporaryDirectory(removedAfter: self).path)
    }

    private func batchSet() -> CalibrationSet {
        CalibrationSet(profile: "vip2", batch: "1d", method: "standard", source: "x.bin", cells: [
            .init(cell: 0, batches: [
                .init(index: 0, start: 0, end: 86_400, events: 10, calibration: .init(p0: -1800, p1: 3)),
                .init(index: 1, start: 86_400, end: 172_800, events: 10, calibration: .init(p0: -1810, p1: 3.1), status: .partial(reason: "CuKa")),
            ]),
            .init(cell: 2, batches: [
                .init(index: 0, start: 0, end: 86_400, events: 10, calibration: .init(p0: -1700, p1: 2.9)),
            ]),
        ])
    }

    func testVersion1RoundTripAndPiecewiseConstantEvaluation() throws {
        let set = batchSet()
        XCTAssertEqual(set.version, 1)
        let dir = try tempDir()
        let path = dir.appendingPathComponent("v1.json").path
        try set.save(path, overwrite: false)
        XCTAssertTrue(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).contains("\"version\" : 1"))
        let back = try CalibrationSet.load(path)
        XCTAssertEqual(back, set)
        XCTAssertEqual(back.readVersion, 1)
        XCTAssertEqual(back.calibration(cell: 0, time: 100), .init(p0: -1800, p1: 3))
        XCTAssertEqual(back.calibration(cell: 0, time: 100_000), .init(p0: -1810, p1: 3.1))
        XCTAssertEqual(back.energy(cell: 0, adc: 1000, time: 100_000)!, -1810 + 3100, accuracy: 1e-9)
        XCTAssertNil(back.energy(cell: 1, adc: 1000, time: 0))
    }

    func testVersion2RoundTripAndTimelineTakesPrecedence() throws {
        var set = batchSet()
        let tl = try CalibrationTimeline(knots: [0, 86_400, 172_800], p0: [-1800, -1805, -1810], p1: [3, 3.05, 3.1],
                                         p2: [1e-6, 1e-6, 1e-6],
                                         covariance: Array(repeating: [1, 0, 0, 0, 1e-6, 0, 0, 0, 1e-16], count: 3),
                                         intervalCovariance: Array(repeating: [0.5, 0, 0, 0, 0, 0, 0, 0, 0], count: 2))
        set.cells[0].timeline = tl
        XCTAssertEqual(set.version, 2)
        let dir = try tempDir()
        let path = dir.appendingPathComponent("v2.json").path
        try set.save(path, overwrite: false)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        XCTAssertTrue(text.contains("\"version\" : 2"))
        XCTAssertTrue(text.contains("\"interval_covariance\""))
        let back = try CalibrationSet.load(path)
        XCTAssertEqual(back, set)
        XCTAssertEqual(back.cells[0].timeline, tl)
        // Cell 0 follows its timeline, cell 2 (no timeline) its batch.
        XCTAssertEqual(back.calibration(cell: 0, time: 43_200)!.p0, -1802.5, accuracy: 1e-9)
        XCTAssertEqual(back.calibration(cell: 0, time: 43_200)!.p1, (3 * 3.05).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(back.calibration(cell: 2, time: 43_200), .init(p0: -1700, p1: 2.9))
        // The cursor agrees with the set, event by event.
        var cur = try XCTUnwrap(back.cursor(cell: 0))
        XCTAssertFalse(cur.isPiecewiseConstant)
        for t in stride(from: -1000.0, to: 200_000, by: 777) {
            XCTAssertEqual(cur.calibration(at: t), back.calibration(cell: 0, time: t)!.withoutCovariance)
        }
    }

    func testPiecewiseConstantViewAveragesTheTimelineOverEachBatch() throws {
        var set = batchSet()
        set.cells[0].batches[0].lines = [.init(line: "MnKa", centroidADC: 2000, centroidError: 0.1, energy: 5895)]
        let tl = try CalibrationTimeline(knots: [0, 172_800], p0: [-1800, -1820], p1: [3, 3.3], p2: [1e-6, 3e-6],
                                         covariance: [[1, 0, 0, 0, 1e-6, 0, 0, 0, 0], [4, 0, 0, 0, 1e-6, 0, 0, 0, 0]])
        set.cells[0].timeline = tl
        let flat = set.piecewiseConstant()
        XCTAssertEqual(flat.version, 1)
        XCTAssertNil(flat.cells[0].timeline)
        XCTAssertEqual(flat.cells[1], set.cells[1])                  // no timeline: unchanged
        for (k, b) in flat.cells[0].batches.enumerated() {
            // p0, p2 linear: the average is the mid-time value; p1 = 3·1.1^(t/T): its mean ∫ analytically.
            let mid = (b.start + b.end) / 2
            XCTAssertEqual(b.calibration.p0, tl.calibration(at: mid).p0, accuracy: 1e-9)
            XCTAssertEqual(b.calibration.p2, tl.calibration(at: mid).p2, accuracy: 1e-18)
            let w0 = b.start / 172_800, w1 = b.end / 172_800, r = log(1.1)
            XCTAssertEqual(b.calibration.p1, 3 * (exp(r * w1) - exp(r * w0)) / (r * (w1 - w0)), accuracy: 1e-6, "batch \(k)")   // 48-point midpoint rule: ~1e-7
            XCTAssertNotNil(b.calibration.covariance)
        }
        let mn = flat.cells[0].batches[0]
        XCTAssertEqual(mn.lines[0].residual!, mn.calibration.energy(2000) - 5895, accuracy: 1e-9)
    }

    func testBatchCursorFollowsVersion1Rule() throws {
        // Gaps, a batch before and after, unequal lengths: the cursor equals the linear-scan rule everywhere.
        let bs: [CalibrationSet.Batch] = [(10.0, 20.0), (20, 35), (50, 60), (61, 62), (100, 200)].enumerated().map { i, w in
            .init(index: i, start: w.0, end: w.1, events: 1, calibration: .init(p0: Double(i), p1: 1))
        }
        let set = CalibrationSet(profile: "vip2", batch: "x", method: "t", source: "", cells: [.init(cell: 5, batches: bs)])
        var cur = try XCTUnwrap(set.cursor(cell: 5))
        XCTAssertTrue(cur.isPiecewiseConstant)
        var times = Array(stride(from: 0.0, to: 230, by: 0.25)) + [42.5, 60.5, 80.5]   // ties in gaps
        times.sort()
        for t in times {
            XCTAssertEqual(cur.calibration(at: t), set.calibration(cell: 5, time: t), "t = \(t)")
        }
        XCTAssertEqual(set.calibration(cell: 5, time: 42.5)!.p0, 1)       // tie: the earlier
        XCTAssertEqual(set.calibration(cell: 5, time: 42.6)!.p0, 2)
        // Overlapping (unordered) batches use the general rule too.
        let odd = CalibrationSet(profile: "vip2", batch: "x", method: "t", source: "", cells: [.init(cell: 1, batches: [bs[2], bs[0], bs[1]])])
        var oc = try XCTUnwrap(odd.cursor(cell: 1))
        for t in times { XCTAssertEqual(oc.calibration(at: t), odd.calibration(cell: 1, time: t)) }
    }

    func testBadVersion2FilesNameTheField() throws {
        var set = batchSet()
        set.cells[0].batches[1].status = .ok      // no spaces inside strings: the test edits compacted JSON
        set.cells[1].timeline = try CalibrationTimeline(knots: [0, 10, 20], p0: [1, 2, 3], p1: [3, 3, 3], p2: [0, 0, 0])
        let good = String(decoding: try set.encoded(), as: UTF8.self)
        let dir = try tempDir()
        let bad = dir.appendingPathComponent("bad.json").path
        func expect(_ text: String, field: String, _ line: UInt = #line) throws {
            try text.write(toFile: bad, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try CalibrationSet.load(bad), line: line) { e in
                let d = (e as? SDDError)?.description ?? "\(e)"
                XCTAssertTrue(d.hasPrefix("\(bad): field '\(field)'"), d, line: line)
            }
        }
        func compact(_ s: String) -> String { s.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "") }
        let c = compact(good)
        XCTAssertTrue(c.contains("\"knots\":[0,10,20]"), c)
        try expect(c.replacingOccurrences(of: "\"knots\":[0,10,20]", with: "\"knots\":[0,20,10]"), field: "cells[1].timeline.knots[2]")
        try expect(c.replacingOccurrences(of: "\"knots\":[0,10,20]", with: "\"knots\":[0,10]"), field: "cells[1].timeline.p0")
        try expect(c.replacingOccurrences(of: "\"p1\":[3,3,3]", with: "\"p1\":[3,0,3]"), field: "cells[1].timeline.p1[1]")
        try expect(c.replacingOccurrences(of: "\"p0\":[1,2,3]", with: "\"p0\":[1,2,null]"), field: "cells[1].timeline.p0[2]")
        try expect(c.replacingOccurrences(of: "\"p2\":[0,0,0]", with: "\"p2\":[0,0]"), field: "cells[1].timeline.p2")
        try expect(c.replacingOccurrences(of: "\"p2\":[0,0,0]", with: "\"p2\":[0,0,0],\"covariance\":[[1,2]]"), field: "cells[1].timeline.covariance")
        try expect(c.replacingOccurrences(of: "\"version\":2", with: "\"version\":1"), field: "cells[1].timeline")
        try expect(c.replacingOccurrences(of: "\"knots\":[0,10,20],", with: ""), field: "cells[1].timeline.knots")
    }
}

extension EnergyCalibration {
    var withoutCovariance: EnergyCalibration { EnergyCalibration(p0: p0, p1: p1, p2: p2) }
}
