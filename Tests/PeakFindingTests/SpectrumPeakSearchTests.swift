import Foundation
import PeakFinding
import SDDCore
import XCTest

/// Sub-bin centroids, line identification and the spectrum-level search, against analytic shapes
/// and the simulator's truth.
final class SpectrumPeakSearchTests: XCTestCase {
    /// Bin contents of a Gaussian integrated over bins [i − ½, i + ½).
    func binnedGaussian(bins: Int, mu: Double, sigma: Double, area: Double) -> [Double] {
        func cdf(_ x: Double) -> Double { 0.5 * erfc(-(x - mu) / (sigma * 2.0.squareRoot())) }
        return (0..<bins).map { area * (cdf(Double($0) + 0.5) - cdf(Double($0) - 0.5)) }
    }

    func testCentroidOfSampledGaussianIsExact() {
        // Point samples of a Gaussian: ln y is exactly a parabola, so the vertex is exact.
        let mu = 41.37, s = 2.3
        let y = (0..<90).map { 1000 * exp(-0.5 * pow((Double($0) - mu) / s, 2)) }
        XCTAssertEqual(SubBinCentroid.centroid(y, index: 41), mu, accuracy: 1e-9)
    }

    func testCentroidOfBinnedGaussian() {
        for mu in stride(from: 50.0, through: 51.0, by: 0.125) {
            for s in [0.8, 1.5, 3.0] {
                let y = binnedGaussian(bins: 100, mu: mu, sigma: s, area: 1e5)
                let top = y.indices.max { y[$0] < y[$1] }!
                XCTAssertEqual(SubBinCentroid.centroid(y, index: top), mu, accuracy: 0.03, "μ \(mu) σ \(s)")
            }
        }
    }

    func testCentroidFallbacksStayNearThePeak() {
        XCTAssertEqual(SubBinCentroid.centroid([0, 5, 0], index: 1), 1)           // zero neighbours
        XCTAssertEqual(SubBinCentroid.centroid([0, 4, 4, 0], index: 1), 1.5, accuracy: 1e-12)   // flat top
        XCTAssertEqual(SubBinCentroid.centroid([7, 3, 1], index: 0), 0)           // edge
        XCTAssertEqual(SubBinCentroid.centroid([], index: 0), 0)
        XCTAssertEqual(SubBinCentroid.centroid([0, 0, 0], index: 1), 1)
    }

    func testCentroidScatterWithPoissonNoiseIsStatistical() {
        // 2000 counts, σ = 2 bins: the centroid's spread should be near σ/√N·(a few), far below a bin.
        var rng = SeededGenerator(seed: 7)
        var errors: [Double] = []
        for _ in 0..<200 {
            let mu = 60 + rng.uniform()
            let lam = binnedGaussian(bins: 120, mu: mu, sigma: 2, area: 2000)
            let y = lam.map { Double(rng.poisson($0)) }
            let top = y.indices.max { y[$0] < y[$1] }!
            errors.append(SubBinCentroid.centroid(y, index: top) - mu)
        }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let rms = (errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot()
        XCTAssertLessThan(abs(mean), 0.03)
        XCTAssertLessThan(rms, 0.15)      // σ/√N = 0.045 bins; a top-bins estimate loses a factor ~2
    }

    /// A simulated VIP-2 cell histogrammed in the vip2 window.
    func simulatedCell(days: Double, seed: UInt64) throws -> (Histogram, SimulationTruth, Double) {
        var cfg = SimulationConfig.vip2(cells: 1, days: days, seed: seed)
        cfg.steps = 0
        let (events, truth) = try VIP2Simulator(config: cfg).run()
        let w = LineProfile.vip2.adcWindow
        let h = Histogram.adc(events.adc, firstChannel: Int(w.lowerBound), channelsPerBin: 10,
                              bins: Int((w.upperBound - w.lowerBound) / 10))
        return (h, truth, days * 86400 / 2)
    }

    func testIdentifiesVIP2LinesOnSimulatedCells() throws {
        let profile = LineProfile.vip2
        let search = SpectrumPeakSearch(options: PeakSearchOptions(prominence: 5), smoothingSigma: 1,
                                        significance: 3, profile: profile)
        for seed in [UInt64(3), 11, 29] {
            let (h, truth, tMid) = try simulatedCell(days: 4, seed: seed)
            let report = try search.run(h)
            let id = try XCTUnwrap(report.identification)
            XCTAssertEqual(id.missing, [], "seed \(seed)")
            let cal = try XCTUnwrap(truth.calibration(cell: 0, time: tMid))
            for line in profile.calibrationLines {
                guard let k = id.assignment[line.id] else { continue }
                let expected = try XCTUnwrap(cal.adc(forEnergy: line.energy))
                // 10-ADC bins, FWHM ≈ 50 ADC; Cu Kα has ~100 counts, so its statistical error is ~2 ADC.
                XCTAssertEqual(report.peaks[k].centroidADC, expected, accuracy: line.id == "CuKa" ? 6 : 4, "seed \(seed) \(line.id)")
                XCTAssertEqual(report.peaks[k].line, line.id)
            }
            // The identified relation is close to the true gain (eV/ADC).
            XCTAssertEqual(id.calibration.p1, cal.p1, accuracy: 0.01, "seed \(seed)")
        }
    }

    /// Half-day batches (~5,000 events, Cu Kα ~50 counts): the default search of `sddcal peaks`
    /// (σ 1 bin, 3 standard deviations) still labels all five lines, and every label is right.
    func testLowCountBatchesAreLabelledCorrectly() throws {
        let search = SpectrumPeakSearch(smoothingSigma: 1, significance: 3, profile: .vip2)
        var complete = 0, wrong = 0
        let seeds: [UInt64] = [101, 102, 103, 104, 105, 106]
        for seed in seeds {
            let (h, truth, tMid) = try simulatedCell(days: 0.5, seed: seed)
            let report = try search.run(h)
            let cal = try XCTUnwrap(truth.calibration(cell: 0, time: tMid))
            if report.identification?.missing.isEmpty == true { complete += 1 }
            for p in report.peaks {
                guard let id = p.line, let line = SpectralLine(id: id) else { continue }
                let expected = try XCTUnwrap(cal.adc(forEnergy: line.energy))
                if abs(p.centroidADC - expected) > 25 { wrong += 1 }
            }
        }
        XCTAssertEqual(wrong, 0)
        XCTAssertGreaterThanOrEqual(complete, seeds.count - 1)
    }

    func testMissingLinesAreReported() throws {
        // Only the Mn pair (no Ti, no Cu): both Mn lines found, the others missing, nothing invented.
        let gain = 3.05, zero = 610.0
        var y = [Double](repeating: 2, count: 300)
        for (id, area) in [("MnKa", 40000.0), ("MnKb", 5400.0)] {
            let adc = zero + SpectralLine(id: id)!.energy / gain
            let g = binnedGaussian(bins: 300, mu: (adc - 1499.5) / 10 - 0.5, sigma: 2.2, area: area)
            for i in y.indices { y[i] += g[i] }
        }
        let h = Histogram(lowerEdge: 1499.5, binWidth: 10, counts: y)
        let r = try SpectrumPeakSearch(options: PeakSearchOptions(prominence: 20), profile: .vip2).run(h)
        let id = try XCTUnwrap(r.identification)
        XCTAssertEqual(Set(id.assignment.keys), ["MnKa", "MnKb"])
        XCTAssertEqual(id.missing, ["TiKa", "TiKb", "CuKa"])
        let mnka = try XCTUnwrap(id.assignment["MnKa"])
        XCTAssertEqual(r.peaks[mnka].centroidADC, zero + SpectralLine(id: "MnKa")!.energy / gain, accuracy: 1)
    }

    func testUnrelatedPeakStaysUnidentified() throws {
        var lines: [LineIdentifier.Candidate] = []
        let gain = 3.2, zero = 580.0
        for (id, h) in [("TiKa", 600.0), ("TiKb", 80), ("MnKa", 1000), ("MnKb", 130), ("CuKa", 12)] {
            lines.append(.init(adc: zero + SpectralLine(id: id)!.energy / gain, height: h))
        }
        lines.insert(.init(adc: 4000, height: 50), at: 2)   // far from every line
        lines.append(.init(adc: zero + SpectralLine(id: "CuKb")!.energy / gain + 3, height: 2))   // not a calibration line
        let r = LineIdentifier(profile: .vip2).identify(lines)
        XCTAssertEqual(r.labels, ["TiKa", "TiKb", nil, "MnKa", "MnKb", "CuKa", "CuKb"])
        XCTAssertEqual(r.missing, [])
        XCTAssertEqual(r.calibration.p1, gain, accuracy: 1e-9)
        XCTAssertEqual(r.calibration.p0, -gain * zero, accuracy: 1e-6)
    }

    // MARK: bad input

    /// Random spectra of every shape (empty, one bin, spikes, huge counts, long flat runs) through
    /// the whole search with random settings: results or errors, never a trap.
    func testRandomSpectraNeverTrap() {
        var rng = SeededGenerator(seed: 2024)
        for _ in 0..<300 {
            let n = Int(rng.uniform() * 400)
            let scale = [1.0, 1e-3, 1e6, 1e12][Int(rng.uniform() * 4)]
            let counts = (0..<n).map { _ in rng.uniform() < 0.3 ? 0 : (rng.uniform() * 5).rounded(.down) * scale }
            let h = Histogram(lowerEdge: 1499.5 + rng.uniform() * 100, binWidth: [1.0, 10, 0.5][Int(rng.uniform() * 3)], counts: counts)
            let o = PeakSearchOptions(height: rng.uniform() < 0.5 ? nil : PeakCondition(min: rng.uniform() * 3 * scale),
                                      distance: rng.uniform() < 0.5 ? nil : 1 + rng.uniform() * 20,
                                      prominence: rng.uniform() < 0.5 ? nil : PeakCondition(min: rng.uniform() * scale),
                                      width: rng.uniform() < 0.5 ? nil : PeakCondition(min: rng.uniform() * 3),
                                      wlen: rng.uniform() < 0.5 ? nil : 1.5 + rng.uniform() * 50)
            let search = SpectrumPeakSearch(options: o, smoothingSigma: rng.uniform() < 0.5 ? nil : 0.3 + rng.uniform() * 5,
                                            significance: rng.uniform() < 0.5 ? nil : rng.uniform() * 4, profile: .vip2)
            do {
                let r = try search.run(h)
                XCTAssertEqual(r.peaks.count, r.search.peaks.count)
                XCTAssertEqual(r.identification?.labels.count, r.peaks.count)
                for p in r.peaks { XCTAssertTrue(p.centroidADC.isFinite) }
            } catch {
                XCTFail("valid input refused: \(error)")
            }
        }
    }

    func testEmptyAndAllZeroSpectraGiveNoPeaks() throws {
        for h in [Histogram(lowerEdge: 1499.5, binWidth: 10, bins: 0), Histogram(lowerEdge: 1499.5, binWidth: 10, bins: 300)] {
            let r = try SpectrumPeakSearch(options: PeakSearchOptions(prominence: 1), smoothingSigma: 1, significance: 3, profile: .vip2).run(h)
            XCTAssertEqual(r.peaks, [])
            XCTAssertEqual(r.identification?.missing, ["TiKa", "TiKb", "MnKa", "MnKb", "CuKa"])
        }
    }

    func testNaNAndNegativeCountsAreRefusedNamingTheBin() {
        for (bad, word) in [(Double.nan, "NaN"), (-3, "negative"), (.infinity, "inf")] {
            var c = [Double](repeating: 1, count: 20)
            c[7] = bad
            XCTAssertThrowsError(try SpectrumPeakSearch().run(Histogram(lowerEdge: -0.5, binWidth: 1, counts: c))) { e in
                let text = "\(e)"
                XCTAssertTrue(text.contains("bin 7 (ADC 7.0)") && text.contains(word), text)
            }
        }
    }

    func testBadSearchSettingsAreRefused() {
        let h = Histogram(lowerEdge: -0.5, binWidth: 1, counts: [0, 1, 0])
        XCTAssertThrowsError(try SpectrumPeakSearch(smoothingSigma: 0).run(h))
        XCTAssertThrowsError(try SpectrumPeakSearch(smoothingSigma: .nan).run(h))
        XCTAssertThrowsError(try SpectrumPeakSearch(smoothingSigma: .infinity).run(h))
        XCTAssertThrowsError(try SpectrumPeakSearch(smoothingSigma: 1e5).run(h))
        XCTAssertThrowsError(try GaussianSmoothing(sigma: 1, truncate: 0))
        XCTAssertThrowsError(try SpectrumPeakSearch(significance: -1).run(h))
        XCTAssertThrowsError(try SpectrumPeakSearch(toleranceADC: 0).run(h))
        XCTAssertThrowsError(try SpectrumPeakSearch(options: PeakSearchOptions(distance: 0)).run(h))
    }

    func testSmoothingPreservesAreaAndPeakPosition() throws {
        let y = binnedGaussian(bins: 200, mu: 100.3, sigma: 3, area: 5000)
        let s = try GaussianSmoothing(sigma: 2).apply(y)
        XCTAssertEqual(s.reduce(0, +), y.reduce(0, +), accuracy: 1e-6)
        let top = s.indices.max { s[$0] < s[$1] }!
        XCTAssertEqual(SubBinCentroid.centroid(s, index: top), 100.3, accuracy: 0.03)
        // Smoothed σ adds in quadrature: width at half maximum ≈ 2.3548·√(3² + 2² + 1/12).
        let w = try PeakFinder.findPeaks(s, options: PeakSearchOptions(width: 0, relHeight: 0.5)).properties.widths![0]
        XCTAssertEqual(w, 2.3548 * (9 + 4 + 1.0 / 12).squareRoot(), accuracy: 0.1)
    }
}
