import XCTest
import SDDCore
@testable import LineFitting

/// A small simulated data set shared by the calibration tests (the lead's VIP2Simulator, with truth).
enum SimulatedSample {
    static let small: (events: EventTable, truth: SimulationTruth) = {
        var c = SimulationConfig.vip2(cells: 4, days: 4, seed: 11)
        c.steps = 0
        return try! VIP2Simulator(config: c).run()
    }()
}

final class StandardCalibrationTests: XCTestCase {
    func testPatternSeedsAreNearTruth() {
        let (ev, truth) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        for bt in batched.batches {
            let h = Histogram.adc(batched.adc(of: bt), firstChannel: 0, bins: 1 << 16).trimmedToCounts()
            let seeds = PatternSeeder().seeds(for: h, profile: .vip2, cell: bt.cell, batch: bt.index)
            let t = truth.calibration(cell: bt.cell, time: 0.5 * (bt.start + bt.end))!
            for line in LineProfile.vip2.calibrationLines {
                guard let s = seeds[line.id] else { XCTFail("\(line.id) not seeded in cell \(bt.cell) batch \(bt.index)"); continue }
                // The weak Cu line (~130 counts on the continuum) is only placed to within about its σ (~24 ADC).
                XCTAssertEqual(s, t.adc(forEnergy: line.energy)!, accuracy: line.id == "CuKa" ? 25 : 8, "\(line.id) cell \(bt.cell)")
            }
        }
    }

    func testBatchCalibrationRecoversTruth() {
        let (ev, truth) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        let runs = StandardCalibrator().calibrateDetailed(batched)
        XCTAssertEqual(runs.count, batched.batches.count)
        for b in runs {
            XCTAssertEqual(b.status, .ok, "cell \(b.cell) batch \(b.index): \(b.status)")
            guard let cal = b.calibration else { continue }
            let tc = truth.calibrationSet(for: batched, source: "").batches(ofCell: b.cell)![b.index].calibration
            // Energy at Cu Kα from the fitted calibration vs the batch-averaged truth, within 3σ of its error.
            let x = tc.adc(forEnergy: 8040)!
            let err = cal.energyError(x)!
            XCTAssertEqual(cal.energy(x), tc.energy(x), accuracy: 3 * err + 1, "cell \(b.cell) batch \(b.index)")
            XCTAssertEqual(b.points.count, 5)
        }
    }
}

final class CalibrationEdgeCaseTests: XCTestCase {
    /// A nudged seed refits to the same minimum; the calibration is redone from the refitted line.
    func testRefitLineFromNudgedSeed() {
        let (ev, _) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        let bt = batched.batches[0]
        let cal = StandardCalibrator()
        let b = cal.calibrateBatch(adc: batched.adc(of: bt), cell: bt.cell, index: bt.index, start: bt.start, end: bt.end)
        let before = b.lineFits["CuKa"]!.result
        let nudged = cal.refitLine("CuKa", seed: b.seeds["CuKa"]! + 12, in: b)
        let after = nudged.lineFits["CuKa"]!.result
        XCTAssertEqual(nudged.seeds["CuKa"]!, b.seeds["CuKa"]! + 12)
        // The window follows the seed, so the data differ slightly: same line within a fraction of its error…
        XCTAssertEqual(after.centroid, before.centroid, accuracy: 0.3 * before.centroidError)
        // …and what a fresh calibration from the nudged seeds gives (there every group is refitted with the
        // seeds' slightly different linear scale, so agreement is to a small fraction of the errors).
        let fresh = cal.calibrateBatch(adc: batched.adc(of: bt), cell: bt.cell, index: bt.index, start: bt.start, end: bt.end,
                                       seeds: nudged.seeds)
        XCTAssertEqual(fresh.lineFits["CuKa"]!.result.centroid, after.centroid, accuracy: 0.05 * after.centroidError)
        let x = after.centroid
        XCTAssertEqual(fresh.calibration!.energy(x), nudged.calibration!.energy(x), accuracy: 0.1 * nudged.calibration!.energyError(x)!)
        XCTAssertEqual(nudged.status, .ok)
        XCTAssertEqual(nudged.lineFits["MnKa"]!.result.centroid, b.lineFits["MnKa"]!.result.centroid)
    }

    /// A batch with too few events has lines reported as not found, is marked failed, and borrows the
    /// calibration of its cell's nearest good batch in the file (named in its status).
    func testSparseBatchIsReportedNotInvented() {
        let (ev, _) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        let cal = StandardCalibrator()
        let good = batched.batches.filter { $0.cell == 0 }.map {
            cal.calibrateBatch(adc: batched.adc(of: $0), cell: 0, index: $0.index, start: $0.start, end: $0.end)
        }
        // 15 events: no line significant. (From 40 on, Ti Kα and Mn Kα of this cell can already be fitted
        // within their errors of the truth, so such a batch calibrates, partially.)
        let few = batched.adc(of: batched.batches[0]).prefix(15)
        let sparse = cal.calibrateBatch(adc: few, cell: 0, index: 9, start: 1e7, end: 1.1e7)
        XCTAssertNil(sparse.calibration)
        XCTAssertTrue(sparse.status.isFailed, "\(sparse.status)")
        XCTAssertFalse(sparse.rejected.isEmpty)
        let set = StandardCalibrator.assemble(good + [sparse], profile: .vip2, batch: "2d", method: "standard", source: "test")
        let b = set.batches(ofCell: 0)!.first { $0.index == 9 }!
        XCTAssertEqual(b.status, .failed(reason: sparse.status.reason!, calibrationOf: good.last!.index))
        XCTAssertEqual(b.calibration, good.last!.calibration)
        XCTAssertTrue(b.lines.isEmpty)
    }

    /// The weighted quadratic through exact points reproduces the polynomial, and its covariance matches
    /// the closed form for a straight line.
    func testCalibrationPolynomial() {
        let truth = EnergyCalibration(p0: -1800, p1: 3.05, p2: 1.5e-6)
        let xs = [1980.0, 2120, 2520, 2700, 3240]
        let pts = xs.enumerated().map { CalibrationPoint(line: "L\($0.offset)", adc: $0.element, adcError: 0.5, energy: truth.energy($0.element)) }
        let f = CalibrationPolynomial.fit(pts)!
        XCTAssertEqual(f.calibration.p1, truth.p1, accuracy: 1e-9)
        XCTAssertEqual(f.calibration.p2, truth.p2, accuracy: 1e-12)
        XCTAssertEqual(f.calibration.energy(3000), truth.energy(3000), accuracy: 1e-6)
        XCTAssertEqual(f.ndf, 2)
        // Two points: a line; variance of the slope = 2σ_E²/Δx² for two points.
        let two = CalibrationPolynomial.fit(Array(pts.prefix(2)))!
        XCTAssertEqual(two.calibration.p2, 0)
        let se = 0.5 * two.calibration.p1
        XCTAssertEqual(two.calibration.covariance![4], 2 * se * se / pow(xs[1] - xs[0], 2), accuracy: 1e-6 * two.calibration.covariance![4])
        XCTAssertNil(CalibrationPolynomial.fit(Array(pts.prefix(1))))
    }
}

final class CellResolutionTests: XCTestCase {
    /// The per-cell resolution from a calibration file (stored widths) agrees with the one from the fits.
    func testCellResolutionFromFileMatchesFits() {
        let (ev, truth) = SimulatedSample.small
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        let runs = StandardCalibrator().calibrateDetailed(batched)
        let set = StandardCalibrator.assemble(runs, profile: .vip2, batch: "2d", method: "standard", source: "test")
        for c in 0..<4 {
            let a = CellResolution.fit(cell: c, batches: runs, profile: .vip2)!
            let b = CellResolution.fit(cell: c, batches: set.batches(ofCell: c)!, profile: .vip2)!
            XCTAssertEqual(a.expectedCuFWHM, b.expectedCuFWHM, accuracy: 2 * a.expectedCuFWHMError)
            XCTAssertEqual(a.expectedCuFWHM, truth.cell(c)!.lineFWHM["CuKa"]!, accuracy: 4 * a.expectedCuFWHMError + 1)
        }
    }

    /// Batches of 2 days whose gain walks randomly (relative s per √day, fine steps): the strongest Kα line's
    /// centroid means per batch and stored widths σ²(E) = (ENC·w)² + F·w·E + v·E², v the gain's variance
    /// within a batch about its mean (s²·T/6 for a random walk).
    static func driftingBatches(s: Double, batches: Int, seed: UInt64, enc: Double = 11.9) -> (batches: [CalibrationSet.Batch], v: Double) {
        var rng = SeededGenerator(seed: seed)
        let cal = EnergyCalibration(p0: -1800, p1: 3)
        let r = DetectorResponse(), days = 2.0, steps = 200
        var g = 0.0
        var out: [CalibrationSet.Batch] = []
        for k in 0..<batches {
            var mean = 0.0
            for _ in 0..<steps { g += s * (days / Double(steps)).squareRoot() * rng.normal(); mean += g / Double(steps) }
            let lines = ["TiKa", "MnKa"].map { id -> CalibrationSet.LineResult in
                let e = SpectralLine(id: id)!.energy
                let x = (e * (1 - mean) + 1800) / 3
                let sigma2 = pow(enc * r.pairEnergy, 2) + r.fano * r.pairEnergy * e + s * s * days / 6 * e * e
                return .init(line: id, centroidADC: x, centroidError: 0.01, energy: e, sigmaADC: sigma2.squareRoot() / 3, counts: 1e6)
            }
            out.append(.init(index: k, start: Double(k) * days * 86400, end: Double(k + 1) * days * 86400, events: 1000,
                             calibration: cal, status: .ok, lines: lines))
        }
        return (out, s * s * days / 6)
    }

    func testWithinBatchDriftVarianceOfARandomWalk() {
        for seed: UInt64 in 1...3 {
            let (b, v) = Self.driftingBatches(s: 0.01, batches: 400, seed: seed)
            // 399 differences: the estimate's relative error is ~√(2/399) ≈ 7 %.
            XCTAssertEqual(CellResolution.withinBatchDriftVariance(b) / v, 1, accuracy: 0.25, "seed \(seed)")
        }
        // A gain step of 5 % in one batch (two huge differences) is a jump, not the walk: left out.
        var (jumped, v) = Self.driftingBatches(s: 0.01, batches: 60, seed: 2)
        for li in jumped[30].lines.indices { jumped[30].lines[li].centroidADC *= 1.05 }
        XCTAssertEqual(CellResolution.withinBatchDriftVariance(jumped) / v, 1, accuracy: 0.5)
        // No drift: nothing to correct (the centroids' own scatter is subtracted).
        XCTAssertEqual(CellResolution.withinBatchDriftVariance(Self.driftingBatches(s: 0, batches: 50, seed: 1).batches), 0)
    }

    /// The line widths of drifting batches overstate the hardware limit (here by ~25 eV at Cu Kα); the
    /// correction recovers the true FWHM within its stated (systematic) error, and the summed limit keeps
    /// the systematic in its error.
    func testHardwareLimitCorrectsTheDriftWithinBatches() throws {
        let r = DetectorResponse(), enc = 11.9
        let cu = SpectralLine(id: "CuKa")!.energy
        let trueFWHM = DetectorResponse.fwhmPerSigma * (pow(enc * r.pairEnergy, 2) + r.fano * r.pairEnergy * cu).squareRoot()
        let (b, v) = Self.driftingBatches(s: 0.01, batches: 15, seed: 4, enc: enc)
        let res = try XCTUnwrap(CellResolution.fit(cell: 0, batches: b, profile: .vip2))
        let uncorrected = DetectorResponse.fwhmPerSigma * (pow(enc * r.pairEnergy, 2) + r.fano * r.pairEnergy * cu + v * cu * cu).squareRoot()
        XCTAssertGreaterThan(uncorrected - trueFWHM, 15)
        XCTAssertGreaterThan(res.withinBatchDrift, 0)
        XCTAssertEqual(res.expectedCuFWHM, trueFWHM, accuracy: 2 * res.expectedCuFWHMSystematic + 1, "\(res)")
        XCTAssertLessThan(res.expectedCuFWHM, uncorrected - 5)
        let limit = try XCTUnwrap(HardwareLimit.combined([(res, 1)]))
        XCTAssertEqual(limit.systematic, res.expectedCuFWHMSystematic, accuracy: 1e-9)
        XCTAssertGreaterThanOrEqual(limit.error, limit.systematic)
        // Older JSON without the systematic still decodes.
        let old = try JSONDecoder().decode(HardwareLimit.self, from: Data(#"{"cells": 3, "fwhm_ev": 176.0, "fwhm_err_ev": 0.4}"#.utf8))
        XCTAssertEqual(old, HardwareLimit(fwhm: 176, error: 0.4, cells: 3))
    }

    /// Batches whose gain walks (fine steps) with widths broadened by the drift each batch really had,
    /// and a timeline that knows the gain every 6 h: E(x, t) = (3x − 1800)/(1 − g(t)) (maps each instant's
    /// line position to its energy). The timeline measures each batch's own broadening, the walk's
    /// wiggles between its knots added as bridges, so the limit comes out at the true FWHM (the
    /// random-walk ratio only on average), with a small systematic.
    func testHardwareLimitFromATimelineMeasuresTheDriftWithinEachBatch() throws {
        let r = DetectorResponse(), enc = 11.9, s = 0.01, days = 2.0, steps = 48
        let cu = SpectralLine(id: "CuKa")!.energy
        let trueFWHM = DetectorResponse.fwhmPerSigma * (pow(enc * r.pairEnergy, 2) + r.fano * r.pairEnergy * cu).squareRoot()
        var rng = SeededGenerator(seed: 7)
        var g = 0.0
        var knots: [Double] = [], p0: [Double] = [], p1: [Double] = [], p2: [Double] = []
        func knot(_ t: Double) { knots.append(t); p0.append(-1800 / (1 - g)); p1.append(3 / (1 - g)); p2.append(0) }
        var batches: [CalibrationSet.Batch] = []
        var uncorrectedBias = 0.0
        for k in 0..<15 {
            let t0 = Double(k) * days * 86400, dt = days * 86400 / Double(steps)
            var path: [Double] = []
            if k == 0 { knot(t0) }
            for j in 0..<steps {
                // The gain moves linearly between knots: the batch's path is the mean over its intervals.
                let a = g
                g += s * (days / Double(steps)).squareRoot() * rng.normal()
                // The timeline knows the gain only every 6 steps (as a fit with knots 6 h apart would):
                // between its knots the walk's wiggles are the bridges the estimate adds back.
                if (j + 1) % 6 == 0 { knot(t0 + Double(j + 1) * dt) }
                for q in 0..<8 { let w = (Double(q) + 0.5) / 8; path.append((1 - w) * a + w * g) }
            }
            let mean = path.reduce(0, +) / Double(path.count)
            let within = path.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(path.count)
            let lines = ["TiKa", "MnKa"].map { id -> CalibrationSet.LineResult in
                let e = SpectralLine(id: id)!.energy
                // In ADC: the noise (σ_E/slope, slope = 3/(1 − g)) and the line's movement x(t) = (E(1 − g(t)) + 1800)/3.
                let noise2 = pow(enc * r.pairEnergy, 2) + r.fano * r.pairEnergy * e
                let sigma2ADC = (noise2 * (1 - mean) * (1 - mean) + within * e * e) / 9
                return .init(line: id, centroidADC: (e * (1 - mean) + 1800) / 3, centroidError: 0.01, energy: e,
                             sigmaADC: sigma2ADC.squareRoot(), counts: 1e6)
            }
            uncorrectedBias += within / 15
            batches.append(.init(index: k, start: t0, end: t0 + days * 86400, events: 1000,
                                 calibration: EnergyCalibration(p0: -1800 / (1 - mean), p1: 3 / (1 - mean)), status: .ok, lines: lines))
        }
        let timeline = try CalibrationTimeline(knots: knots, p0: p0, p1: p1, p2: p2)
        let withTimeline = try XCTUnwrap(CellResolution.fit(cell: 0, batches: batches, profile: .vip2, timeline: timeline))
        let plain = try XCTUnwrap(CellResolution.fit(cell: 0, batches: batches, profile: .vip2))
        let uncorrected = DetectorResponse.fwhmPerSigma * (pow(enc * r.pairEnergy, 2) + r.fano * r.pairEnergy * cu + uncorrectedBias * cu * cu).squareRoot()
        XCTAssertGreaterThan(uncorrected - trueFWHM, 10, "the drift matters")
        // The systematic (without covariance: half the bridges) is a small fraction of the drift's effect.
        // This walk is the rough end of the range it spans (every bridge there, the timeline exact at its
        // knots): the estimate lies within twice it, and above the truth (it counts half the bridges).
        XCTAssertGreaterThan(withTimeline.expectedCuFWHMSystematic, 0)
        XCTAssertLessThan(withTimeline.expectedCuFWHMSystematic, 0.2 * (uncorrected - trueFWHM))
        XCTAssertEqual(withTimeline.expectedCuFWHM, trueFWHM, accuracy: 2 * withTimeline.expectedCuFWHMSystematic + 0.3, "\(withTimeline)")
        XCTAssertLessThan(withTimeline.expectedCuFWHM, uncorrected - 0.7 * (uncorrected - trueFWHM), "most of the drift is removed")
        XCTAssertGreaterThan(withTimeline.withinBatchDrift, 0)
        // The timeline's steps give the walk's diffusion (s² per day, here from 360 steps: ±7 %).
        XCTAssertEqual(CellResolution.logGainDiffusion(timeline) * 86400 / (s * s), 1, accuracy: 0.25)
        // The batches' movement alone (random-walk ratio) is right only on average: its systematic covers it.
        XCTAssertEqual(plain.expectedCuFWHM, trueFWHM, accuracy: 2 * plain.expectedCuFWHMSystematic + 1)
        // A set with the timeline gives the same limit through HardwareLimit.
        let set = CalibrationSet(profile: "vip2", batch: "48h", method: "smooth", source: "test",
                                 cells: [.init(cell: 0, batches: batches, timeline: timeline)])
        let limit = try XCTUnwrap(HardwareLimit.cuKalpha(preferringTimelines: [nil, set], profile: .vip2))
        XCTAssertEqual(limit.fwhm, withTimeline.expectedCuFWHM, accuracy: 1e-9)
    }
}
