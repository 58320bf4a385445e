import XCTest
import SDDCore
@testable import CalibrationRefinement

/// End to end on the simulator: a calibration like the standard one (true Ti/Mn centroids with their
/// statistical errors, and a Cu Kα region that is off in some batches), refined on the events.
final class RefinerTests: XCTestCase {
    struct Setup {
        var events: EventTable
        var truth: SimulationTruth
        var truthSet: CalibrationSet
        var standard: CalibrationSet
        var planted: Set<OptimizationID>
    }

    /// 3 cells × 6 days, 2-day batches. Every batch gets centroids of the four Ti/Mn lines drawn around
    /// the truth with the error a fit of their expected counts has; the calibration is the truth
    /// bent by a quadratic term that moves Cu Kα by `cuOffset` eV (0 for most batches, 40 eV for planted ones).
    static func setup() throws -> Setup {
        var cfg = SimulationConfig.vip2(cells: 3, days: 6, seed: 42)
        cfg.steps = 0
        let (events, truth) = try VIP2Simulator(config: cfg).run()
        let batched = BatchedEvents(events, spec: .duration(2 * 86400))
        let truthSet = truth.calibrationSet(for: batched, source: "test")
        var rng = SyntheticCuWindow.SplitMix(seed: 9)
        var planted: Set<OptimizationID> = []
        var cells = truthSet.cells
        for ci in cells.indices {
            let tc = truth.cell(cells[ci].cell)!
            for bi in cells[ci].batches.indices {
                var b = cells[ci].batches[bi]
                let c = b.calibration
                var lines: [CalibrationSet.LineResult] = []
                for id in ["TiKa", "TiKb", "MnKa", "MnKb"] {
                    let e = truth.lineEnergies[id]!
                    let x = c.adc(forEnergy: e)!
                    let sigmaADC = tc.lineFWHM[id]! / DetectorResponse.fwhmPerSigma / c.slope(x)
                    let n = tc.ratePerDay[id]! * (b.end - b.start) / 86400
                    let err = sigmaADC / n.squareRoot()
                    lines.append(.init(line: id, centroidADC: x + err * rng.gaussian(), centroidError: err, energy: e, sigmaADC: sigmaADC, counts: n))
                }
                // The standard fit's Cu Kα centroid (as calibrate writes it), for the pulls of the report.
                let eCu = truth.lineEnergies["CuKa"]!, xCu0 = c.adc(forEnergy: eCu)!
                let sCu = tc.lineFWHM["CuKa"]! / DetectorResponse.fwhmPerSigma / c.slope(xCu0)
                let errCu = sCu / (tc.ratePerDay["CuKa"]! * (b.end - b.start) / 86400).squareRoot()
                lines.append(.init(line: "CuKa", centroidADC: xCu0 + errCu * rng.gaussian(), centroidError: errCu, energy: eCu, sigmaADC: sCu))
                // A wrong Cu region: add a·(x − xTi)(x − xMn) that vanishes at Ti Kα and Mn Kα.
                let id = OptimizationID(cell: cells[ci].cell, batch: b.index)
                let cuOffset = (ci + bi) % 3 == 1 ? 40.0 : 0
                if cuOffset != 0 { planted.insert(id) }
                let xTi = c.adc(forEnergy: truth.lineEnergies["TiKa"]!)!, xMn = c.adc(forEnergy: truth.lineEnergies["MnKa"]!)!
                let xCu = c.adc(forEnergy: truth.lineEnergies["CuKa"]!)!
                let a = cuOffset / ((xCu - xTi) * (xCu - xMn))
                b.calibration = EnergyCalibration(p0: c.p0 + a * xTi * xMn, p1: c.p1 - a * (xTi + xMn), p2: c.p2 + a)
                b.lines = lines
                b.status = .ok
                cells[ci].batches[bi] = b
            }
        }
        let standard = CalibrationSet(profile: "vip2", batch: "48h", method: "standard", source: "test", cells: cells)
        return Setup(events: batched.events, truth: truth, truthSet: truthSet, standard: standard, planted: planted)
    }

    func testRefinementRecoversPlantedBatchesAndKeepsGoodOnes() throws {
        let s = try Self.setup()
        let rec = TraceRecorder()
        let result = try CalibrationRefiner().refine(events: s.events, calibration: s.standard, observer: rec)
        XCTAssertEqual(result.calibration.method, "optimized")
        let cuE = s.truth.lineEnergies["CuKa"]!
        var checked = 0
        for summary in result.batches {
            XCTAssertTrue(summary.status.isOptimized, "\(summary)")
            let t = s.truthSet.batches(ofCell: summary.cell)!.first { $0.index == summary.batch }!.calibration
            let after = result.calibration.batches(ofCell: summary.cell)!.first { $0.index == summary.batch }!.calibration
            let before = s.standard.batches(ofCell: summary.cell)!.first { $0.index == summary.batch }!.calibration
            let x = t.adc(forEnergy: cuE)!
            // Error of the refined energy at the Cu channel from the refined covariance.
            let err = after.energyError(x)!
            XCTAssertGreaterThan(err, 0.5)
            XCTAssertLessThan(err, 15)
            let id = OptimizationID(cell: summary.cell, batch: summary.batch)
            XCTAssertEqual(after.energy(x), cuE, accuracy: 3 * err, "batch \(id): refined Cu energy vs truth")
            if s.planted.contains(id) {
                XCTAssertEqual(before.energy(x) - cuE, 40, accuracy: 1e-6)
                XCTAssertLessThan(abs(after.energy(x) - cuE), 15, "planted batch \(id) not recovered")
            } else {
                // Already right: the refined centroid stays within its statistical error band.
                XCTAssertLessThan(abs(after.energy(x) - before.energy(x)), 3 * err)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 9)
        XCTAssertFalse(s.planted.isEmpty)
        // The trace has one start and one final per batch and a non-decreasing total curve for Newton.
        XCTAssertEqual(rec.rows.filter { $0.event == "final" }.count, 9)
        let curve = rec.totalLogLikelihoodCurve
        XCTAssertGreaterThan(curve.count, 1)
        for i in 1..<curve.count { XCTAssertGreaterThanOrEqual(curve[i], curve[i - 1] - 1e-6) }
    }

    func testBatchesWithoutAnchorsOrEventsAreKeptWithAReason() throws {
        let s = try Self.setup()
        var bare = s.standard
        for ci in bare.cells.indices { for bi in bare.cells[ci].batches.indices { bare.cells[ci].batches[bi].lines = [] } }
        var settings = RefinementSettings()
        settings.lineFWHM = 160
        let r = try CalibrationRefiner(settings: settings).refine(events: s.events, calibration: bare)
        XCTAssertTrue(r.batches.allSatisfy { $0.status.reason?.hasPrefix("fewer than 2 anchor") == true && !$0.status.isOptimized }, "\(r.batches.map(\.status))")
        XCTAssertEqual(r.calibration.cells, bare.cells)   // nothing changed, nothing lost
        let none = try CalibrationRefiner().refine(events: EventTable(), calibration: s.standard)
        XCTAssertTrue(none.batches.allSatisfy { $0.status.reason?.contains("events in the window") == true })
    }
}


final class StartingCoefficientsTests: XCTestCase {
    /// The paper's set-up: coefficients of one long batch per cell (here shifted by 30 eV, as a long
    /// batch blurs a drift), anchors of the short batches; every short batch is refined to the truth.
    func testRefiningFromLongBatchCoefficients() throws {
        let s = try RefinerTests.setup()
        var long = s.truthSet
        long.cells = long.cells.map { c in
            let b = c.batches[c.batches.count / 2]
            var one = b
            one.start = c.batches.first!.start; one.end = c.batches.last!.end; one.index = 0
            one.calibration.p0 += 30
            return CalibrationSet.Cell(cell: c.cell, batches: [one])
        }
        long.batch = "6d"
        let start = CalibrationRefiner.startingFrom(long, anchors: s.standard)
        XCTAssertEqual(start.cells.map { $0.batches.count }, s.standard.cells.map { $0.batches.count })
        XCTAssertEqual(start.cells[0].batches[1].lines, s.standard.cells[0].batches[1].lines)
        XCTAssertEqual(start.cells[0].batches[1].calibration.p0, long.cells[0].batches[0].calibration.p0)
        let r = try CalibrationRefiner().refine(events: s.events, calibration: start)
        let cuE = s.truth.lineEnergies["CuKa"]!
        for c in r.calibration.cells {
            for b in c.batches {
                let t = s.truthSet.batches(ofCell: c.cell)!.first { $0.index == b.index }!.calibration
                let x = t.adc(forEnergy: cuE)!
                XCTAssertEqual(b.calibration.energy(x), cuE, accuracy: 3 * b.calibration.energyError(x)!, "cell \(c.cell) batch \(b.index)")
            }
        }
    }
}
