import XCTest
@testable import SDDCore

/// The batch checks behind the overview's flags, on batches drawn from the lines with known faults:
/// each fault gives its own finding, a clean batch (and a slow drift) none.
final class BatchLineCheckTests: XCTestCase {
    let profile = LineProfile.vip2
    let day = 86400.0

    /// A 48 h batch of `n` events of the profile's lines (typical yields, nominal resolution) and 5 %
    /// continuum, times uniform; `observed` maps (true energy, time) to the energy under the calibration judged.
    func batch(n: Int = 20_000, seed: UInt64 = 1, observed: (Double, Double) -> Double = { e, _ in e }) -> (energies: [Double], times: [Double]) {
        var rng = SeededGenerator(seed: seed)
        let response = DetectorResponse()
        let lines = profile.lines
        let total = lines.reduce(0) { $0 + (profile.typicalYields[$1.id] ?? 0) }
        let times = (0..<n).map { _ in rng.uniform() * 2 * day }.sorted()
        var energies: [Double] = []
        for t in times {
            var e: Double
            if rng.uniform() < 0.05 { e = rng.uniform(1000, 10000) } else {
                var u = rng.uniform() * total
                var line = lines[0]
                for l in lines { u -= profile.typicalYields[l.id] ?? 0; if u <= 0 { line = l; break } }
                e = line.energy + response.sigma(at: line.energy) * rng.normal()
            }
            energies.append(observed(e, t))
        }
        return (energies, times)
    }

    func check(_ b: (energies: [Double], times: [Double]), batch: Int = 3) -> BatchLineCheck {
        BatchLineCheck.measure(energies: b.energies, times: b.times[...], batch: batch, start: 0, end: 2 * day, profile: profile)!
    }

    /// Findings of a batch among three clean ones (so the expected counts come from its neighbours).
    func findings(_ b: BatchLineCheck) -> [CalibrationQuality.Finding] {
        let clean = (0..<3).map { check(batch(seed: 100 + UInt64($0)), batch: $0) }
        return CalibrationQuality().findings(lineChecks: clean + [b]).filter { $0.location.batch == b.batch }
    }

    func testCleanBatchHasNoFinding() {
        let c = check(batch())
        XCTAssertEqual(c.line, "MnKa")
        XCTAssertEqual(c.offsets["MnKa"] ?? 99, 0, accuracy: 4)
        XCTAssertEqual(c.offsets["TiKa"] ?? 99, 0, accuracy: 4)
        XCTAssertGreaterThan(c.markRatio ?? 0, 0.95)
        XCTAssertLessThan(c.step?.significance ?? 0, 30)
        XCTAssertEqual(findings(c), [])
    }

    func testSlowDriftIsNoStep() {
        // The gain drifts by 0.4 % over the batch (24 eV at Mn Kα, 2σ of the default walk): no finding.
        let c = check(batch { e, t in e * (1 - 0.002 + 0.004 * t / (2 * self.day)) })
        XCTAssertEqual(findings(c), [], "\(findings(c).map(\.description))")
    }

    func testGainStepIsFound() {
        // +2 % from 13.2 h on: Mn Kα doubled.
        let c = check(batch { e, t in t < 13.2 * 3600 ? e : e * 1.02 })
        let f = findings(c)
        guard case .gainStep(let b, let h, let line, let shift)? = f.first else { return XCTFail("\(f.map(\.description))") }
        XCTAssertEqual(b, 3)
        XCTAssertEqual(h, 13.2, accuracy: 2.5)
        XCTAssertEqual(line, "MnKa")
        XCTAssertGreaterThan(shift, 60)
        XCTAssertTrue(f.first!.description.hasPrefix("gain step at "), f.first!.description)
    }

    func testKBetaTakenForKAlphaIsFound() {
        // The calibration through Ti Kβ → Ti Kα, Mn Kβ → Mn Kα: a plausible gain, 11 % low.
        let tb = SpectralLine(id: "TiKb")!.energy, mb = SpectralLine(id: "MnKb")!.energy
        let ta = SpectralLine(id: "TiKa")!.energy, ma = SpectralLine(id: "MnKa")!.energy
        let gain = (ma - ta) / (mb - tb)
        let c = check(batch { e, _ in ta + gain * (e - tb) })
        let f = findings(c)
        guard case .wrongIdentification(_, _, let tallest, let ratio)? = f.first else { return XCTFail("\(f.map(\.description))") }
        XCTAssertEqual(tallest, ta + gain * (ma - tb), accuracy: 30, "the real Mn Kα")
        XCTAssertLessThan(ratio, 0.25, "Mn Kβ on the Mn Kα mark, 0.13× as high")
    }

    func testShiftedOffsetIsFound() {
        let c = check(batch { e, _ in e - 60 })
        let f = findings(c)
        guard case .offsetShift(_, let o)? = f.first else { return XCTFail("\(f.map(\.description))") }
        XCTAssertEqual(o["TiKa"] ?? 0, -60, accuracy: 6)
        XCTAssertEqual(o["MnKa"] ?? 0, -60, accuracy: 6)
        XCTAssertTrue(f.first!.description.hasPrefix("offset shifted in batch 3: Ti and Mn both −"), f.first!.description)
    }

    func testWrongGainIsLinesOffTheMarks() {
        let c = check(batch { e, _ in e * 1.015 })
        let f = findings(c)
        guard case .linesOffMarks? = f.first else { return XCTFail("\(f.map(\.description))") }
    }

    func testTooFewCountsIsFound() {
        let c = check(batch(n: 300, seed: 9))
        let f = findings(c)
        guard case .fewCounts(_, let line, let n, let expected)? = f.first else { return XCTFail("\(f.map(\.description))") }
        XCTAssertEqual(line, "MnKa")
        XCTAssertLessThan(Double(n), 0.05 * expected)
        XCTAssertTrue(f.first!.description.hasPrefix("only \(n) Mn Kα counts in batch 3"), f.first!.description)
    }

    func testDeadAndNoisyCells() {
        let q = CalibrationQuality()
        XCTAssertNotNil(q.deadCell(events: 40, arrayEvents: 300_000))
        XCTAssertNil(q.deadCell(events: 250_000, arrayEvents: 300_000))
        XCTAssertEqual(q.deadCell(events: 0, arrayEvents: 300_000)?.description, "no events: dead cell")
        XCTAssertNotNil(q.noisy(enc: 23.8, arrayENC: 11.9))
        XCTAssertNil(q.noisy(enc: 12.6, arrayENC: 11.9))
        XCTAssertTrue(q.noisy(enc: 23.8, arrayENC: 11.9)!.description.hasPrefix("resolution 2.0× the array's"))
        // A dead cell's other findings follow from it: only the dead cell is named.
        XCTAssertEqual(CalibrationQuality.ordered([.failedFits(batches: 4), .deadCell(events: 3, arrayEvents: 1000)]).count, 1)
    }
}
