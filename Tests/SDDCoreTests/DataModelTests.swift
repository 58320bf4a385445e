import XCTest
@testable import SDDCore

final class DataModelTests: XCTestCase {
    func testADCHistogramConvention() {
        let h = Histogram.adc([1500, 1509, 1510, 4499, 4500, 1499] as [UInt16], firstChannel: 1500, channelsPerBin: 10, bins: 300)
        XCTAssertEqual(h.counts[0], 2)
        XCTAssertEqual(h.counts[1], 1)
        XCTAssertEqual(h.counts[299], 1)
        XCTAssertEqual(h.total, 4)
        XCTAssertEqual(h.lowerEdge, 1499.5)
        XCTAssertEqual(h.center(0), 1504.5)   // mean of channels 1500…1509
    }

    func testIntervalFillConservesAndSharesByOverlap() {
        var h = Histogram(lowerEdge: 0, binWidth: 5, bins: 4)
        h.fillInterval(2, 12, weight: 10)
        XCTAssertEqual(h.counts, [3, 5, 2, 0])
        h.fillInterval(-10, 100, weight: 11)   // 20 of 110 units fall inside
        XCTAssertEqual(h.total, 12, accuracy: 1e-12)
    }

    func testEnergyHistogramSpreadsChannelsWithoutBeating() {
        // A flat ADC spectrum must stay flat in 5 eV bins at 3.1 eV/ADC (physics.md pitfall).
        let values = (1000..<3000).flatMap { Array(repeating: UInt16($0), count: 100) }
        let cal = EnergyCalibration(p0: -1860, p1: 3.1)
        let mean = 100 * 5 / 3.1
        let frac = Histogram.energy(values, calibration: cal, lowerEdge: 2000, binWidth: 5, bins: 600, spreading: .fractional)
        for c in frac.counts { XCTAssertEqual(c, mean, accuracy: 1e-6 * mean) }
        // Dithered: integer contents whose scatter around the flat mean is (nearly) Poisson: the
        // χ²/ndf of the flat truth is ≈ 1, where fractional sharing makes it ≈ 0 here.
        let dith = Histogram.energy(values, calibration: cal, lowerEdge: 2000, binWidth: 5, bins: 600)
        // Channels straddling the range edges put a random share inside.
        XCTAssertEqual(dith.total, frac.total, accuracy: 200)
        XCTAssertTrue(dith.counts.allSatisfy { $0 == $0.rounded() })
        let chi2 = dith.counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) / mean } / Double(dith.counts.count)
        // Within-channel multinomial splitting has variance below Poisson; a flat ADC spectrum with
        // exactly 100 per channel has none of its own, so χ²/ndf lands well between 0 and 1.
        XCTAssert((0.1...0.6).contains(chi2), "χ²/ndf \(chi2)")
        XCTAssertEqual(Histogram.energy(values, calibration: cal, lowerEdge: 2000, binWidth: 5, bins: 600), dith)
        // Naive point filling beats: the same data filled at channel centres is not flat.
        var naive = Histogram(lowerEdge: 2000, binWidth: 5, bins: 600)
        for v in values { naive.fill(cal.energy(Double(v))) }
        XCTAssertGreaterThan(naive.counts.max()! - naive.counts.min()!, 50)
    }

    func testDitheredEnergyHistogramGivesPoissonChiSquare() {
        // Poisson events from a flat spectrum: dithered bins score χ²/ndf ≈ 1, fractional ones < 1.
        var rng = SeededGenerator(seed: 5)
        var values: [UInt16] = []
        for ch in 1000..<3000 { values += Array(repeating: UInt16(ch), count: rng.poisson(40)) }
        let cal = EnergyCalibration(p0: -1860, p1: 3.1)
        let mean = 40 * 5 / 3.1
        func chi2(_ h: Histogram) -> Double { h.counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) / mean } / Double(h.counts.count) }
        let d = chi2(Histogram.energy(values, calibration: cal, lowerEdge: 2000, binWidth: 5, bins: 600))
        let f = chi2(Histogram.energy(values, calibration: cal, lowerEdge: 2000, binWidth: 5, bins: 600, spreading: .fractional))
        XCTAssertEqual(d, 1, accuracy: 0.2)
        XCTAssertLessThan(f, 0.85)
    }

    func testRebinResampleAndSum() {
        let h = Histogram(lowerEdge: 0, binWidth: 1, counts: [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(h.rebinned(by: 3).counts, [6, 15])
        let r = h.resampled(lowerEdge: 0.5, binWidth: 2, bins: 3)
        XCTAssertEqual(r.counts, [0.5 + 2 + 1.5, 1.5 + 4 + 2.5, 2.5 + 6 + 3.5])
        XCTAssertEqual((h + h).counts, h.counts.map { 2 * $0 })
        XCTAssertEqual(h.slice(2...4).counts, [3, 4])
    }

    func testBatchSpecParsing() throws {
        XCTAssertEqual(try BatchSpec(parsing: "48h"), .duration(172_800))
        XCTAssertEqual(try BatchSpec(parsing: "30d"), .duration(2_592_000))
        XCTAssertEqual(try BatchSpec(parsing: "90m"), .duration(5400))
        XCTAssertEqual(try BatchSpec(parsing: "20000"), .count(20000))
        XCTAssertEqual(try BatchSpec(parsing: "all"), .all)
        XCTAssertEqual(BatchSpec.duration(172_800).description, "2d")
        for bad in ["", "-3h", "h", "0", "3x", "nan d"] {
            XCTAssertThrowsError(try BatchSpec(parsing: bad), bad)
        }
    }

    func testBatchingByDurationAndCount() {
        // Two cells, unsorted input, events every 10 h for 5 days.
        var t = EventTable()
        for k in stride(from: 11, through: 0, by: -1) {
            t.append(cell: 1, adc: UInt16(100 + k), time: Double(k) * 36000)
            t.append(cell: 0, adc: UInt16(200 + k), time: Double(k) * 36000 + 5)
        }
        let b = BatchedEvents(t, spec: .duration(86400))
        XCTAssertTrue(b.events.isSortedByCellAndTime)
        let c0 = b.batches(ofCell: 0)
        XCTAssertEqual(c0.map(\.count).reduce(0, +), 12)
        XCTAssertEqual(c0.map(\.index), Array(0..<c0.count))
        for batch in c0 {
            for i in batch.range { XCTAssert(b.events.time[i] >= batch.start && b.events.time[i] < batch.end) }
        }
        XCTAssertEqual(c0[0].count, 3)    // 5 s, 10 h 5 s, 20 h 5 s
        let byCount = BatchedEvents(t, spec: .count(5))
        XCTAssertEqual(byCount.batches(ofCell: 1).map(\.count), [5, 5, 2])
        XCTAssertEqual(Array(byCount.adc(of: byCount.batches(ofCell: 1)[2])), [110, 111])
        XCTAssertEqual(BatchedEvents(t, spec: .all).batches.count, 2)
    }

    func testCalibrationFileRoundTripAndErrors() throws {
        let cal = EnergyCalibration(p0: -1860, p1: 3.1, p2: 1e-6, covariance: Array(repeating: 0.5, count: 9))
        let set = CalibrationSet(profile: "vip2", batch: "2d", method: "standard", source: "x.bin", cells: [
            .init(cell: 3, batches: [.init(index: 0, start: 0, end: 172_800, events: 1000, calibration: cal,
                                           lines: [.init(line: "CuKa", centroidADC: 3200.5, centroidError: 0.4, energy: 8041, residual: 0.3)])]),
        ])
        let dir = URL(fileURLWithPath: try TemporaryDirectory(removedAfter: self).path)
        let path = dir.appendingPathComponent("c.json").path
        try set.save(path, overwrite: false)
        XCTAssertEqual(try CalibrationSet.load(path), set)
        XCTAssertThrowsError(try set.save(path, overwrite: false)) { XCTAssertEqual($0 as? SDDError, .outputExists(path)) }
        XCTAssertEqual(set.calibration(cell: 3, time: 5)!, cal)
        XCTAssertEqual(set.calibration(cell: 3, time: 1e7)!, cal)     // nearest batch
        XCTAssertNil(set.calibration(cell: 4, time: 5))

        var text = String(decoding: try set.encoded(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"p1\"", with: "\"q1\"")
        let bad = dir.appendingPathComponent("bad.json").path
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CalibrationSet.load(bad)) { e in
            XCTAssertEqual((e as? SDDError)?.description, "\(bad): field 'cells[0].batches[0].calibration.p1': missing")
        }
        let v3 = String(decoding: try set.encoded(), as: UTF8.self).replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 3")
        try v3.write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CalibrationSet.load(bad)) { e in
            XCTAssertTrue((e as? SDDError)!.description.contains("field 'version'"))
        }
    }
}

final class SpectrumBuilderTests: XCTestCase {
    func testSummedEnergySpectrumUsesEachBatchCalibration() {
        // Two batches of one cell, with different gains, each putting a line at the same energy.
        var t = EventTable()
        for _ in 0..<100 { t.append(cell: 0, adc: 1000, time: 10) }      // batch 0: E = 2·1000 = 2000
        for _ in 0..<100 { t.append(cell: 0, adc: 500, time: 100) }      // batch 1: E = 4·500 = 2000
        for _ in 0..<50 { t.append(cell: 1, adc: 1000, time: 10) }       // cell 1: not calibrated
        let batched = BatchedEvents(t, spec: .duration(50))   // windows [10, 60), [60, 110)
        let set = CalibrationSet(profile: "vip2", batch: "50s", method: "test", source: "", cells: [
            .init(cell: 0, batches: [
                .init(index: 0, start: 10, end: 60, events: 100, calibration: .init(p0: 0, p1: 2)),
                .init(index: 1, start: 60, end: 110, events: 100, calibration: .init(p0: 0, p1: 4)),
            ]),
        ])
        let (h, skipped) = SpectrumBuilder.energySpectrum(batched, calibration: set, range: 1900...2100, binWidth: 10)
        XCTAssertEqual(h.total, 200, accuracy: 1e-9)
        // Channel 1000 at 2 eV/ADC spans 1999–2001 eV, and so does channel 500 at 4 eV/ADC: the 200
        // events are dithered over bins [1990, 2000) and [2000, 2010), half each on average (binomial σ ≈ 7).
        XCTAssertEqual(h.counts[9], 100, accuracy: 30)
        XCTAssertEqual(h.counts[9] + h.counts[10], 200)
        XCTAssertEqual(skipped.map(\.cell), [1])
        let only1 = SpectrumBuilder.energySpectrum(batched, calibration: set, cells: [1], range: 1900...2100, binWidth: 10)
        XCTAssertEqual(only1.histogram.total, 0)
        let adc = SpectrumBuilder.adcSpectrum(batched, batches: batched.batches(ofCell: 0), bins: 2048)
        XCTAssertEqual(adc.counts[1000], 100)
        XCTAssertEqual(adc.counts[500], 100)
    }
}
