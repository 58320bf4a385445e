import XCTest
@testable import SDDCore

/// Planted faults: deterministic, recorded in the truth, really in the events (data faults) or in the
/// calibration (calibration faults), and absent from a run that asks for none.
final class FaultPlantingTests: XCTestCase {
    func config(seed: UInt64 = 5) -> SimulationConfig {
        var c = SimulationConfig.vip2(cells: 8, days: 8, seed: seed)
        c.steps = 0
        c.faults = .oneOfEach
        return c
    }

    func testPlantingIsDeterministicAndRecorded() throws {
        let a = try VIP2Simulator(config: config()).run()
        let b = try VIP2Simulator(config: config()).run()
        XCTAssertEqual(a.events, b.events)
        XCTAssertEqual(a.truth, b.truth)
        let faults = try XCTUnwrap(a.truth.faults)
        XCTAssertEqual(faults.count, 6)
        XCTAssertEqual(Set(faults.map(\.kind)), Set(PlantedFault.Kind.allCases))
        XCTAssertEqual(Set(faults.map(\.cell)).count, 6, "one cell per fault")
        for f in faults where f.kind.isBatchFault {
            let b = try XCTUnwrap(f.batch)
            XCTAssertTrue((1...2).contains(b), "batches 1…n−2 of 4: \(b)")
            XCTAssertEqual(f.start, Double(b) * 172_800)
        }
        // Another seed plants elsewhere.
        let other = try VIP2Simulator(config: config(seed: 6)).run().truth.faults!
        XCTAssertNotEqual(other, faults)
        // The truth file keeps them (JSON round trip through the loader's checks).
        let path = NSTemporaryDirectory() + "faults-truth-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.truth.save(path, overwrite: true)
        XCTAssertEqual(try SimulationTruth.load(path).faults, faults)
    }

    func testNoPlanLeavesTheRunAsItWas() throws {
        var with = SimulationConfig.vip2(cells: 3, days: 2, seed: 11)
        with.faults = FaultPlan()      // a plan of nothing
        let plain = try VIP2Simulator(config: .vip2(cells: 3, days: 2, seed: 11)).run()
        let empty = try VIP2Simulator(config: with).run()
        XCTAssertEqual(plain.events, empty.events)
        XCTAssertNil(plain.truth.faults)
        XCTAssertNil(empty.truth.faults)
        // Without a plan neither the config nor the truth mention faults: files as before.
        let json = String(decoding: try plain.truth.encoded(), as: UTF8.self)
        XCTAssertFalse(json.contains("faults"))
    }

    func testDataFaultsAreInTheEvents() throws {
        let (ev, truth) = try VIP2Simulator(config: config()).run()
        let faults = truth.faults!
        func fault(_ k: PlantedFault.Kind) -> PlantedFault { faults.first { $0.kind == k }! }
        func events(_ cell: Int, in window: Range<Double>? = nil) -> Int {
            (0..<ev.count).filter { Int(ev.cell[$0]) == cell && (window?.contains(ev.time[$0]) ?? true) }.count
        }
        let clean = Set(0..<8).subtracting(faults.map(\.cell)).first!
        // Dead: noise triggers only, ~0.2 % of a live cell's events, all below 2 keV.
        let dead = fault(.deadCell).cell
        XCTAssertLessThan(events(dead), events(clean) / 100)
        for k in 0..<ev.count where Int(ev.cell[k]) == dead {
            XCTAssertLessThan(truth.calibration(cell: dead, time: ev.time[k])!.energy(Double(ev.adc[k])), 6000)
        }
        // Noisy: twice the ENC in the truth.
        let noisy = truth.cell(fault(.noisyCell).cell)!
        XCTAssertGreaterThan(noisy.response.enc, 2 * 11.4 - 1e-9)
        // Dropout: 1–3 % of the batch's events are left.
        let drop = fault(.fewCounts)
        let inWindow = events(drop.cell, in: drop.start!..<drop.end!), before = events(drop.cell, in: 0..<drop.start!)
        XCTAssertLessThan(Double(inWindow), 0.05 * Double(before) / Double(drop.batch!))
        XCTAssertGreaterThan(inWindow, 0)
        // Gain step: in the truth's steps at the planted time, inside its batch.
        let step = fault(.gainStep)
        let s = try XCTUnwrap(truth.cell(step.cell)?.steps.first)
        XCTAssertEqual(s.time, step.time!)
        XCTAssertEqual(s.gainFactor, step.size!)
        XCTAssertTrue((step.start!..<step.end!).contains(s.time))
        XCTAssertGreaterThanOrEqual(abs(s.gainFactor - 1), 0.015)
    }

    func testCalibrationFaultsAreApplied() throws {
        let truthCal = EnergyCalibration(p0: -1850, p1: 3.1, p2: 0)
        let profile = LineProfile.vip2
        let lines = profile.calibrationLines.map { l in
            CalibrationSet.LineResult(line: l.id, centroidADC: truthCal.adc(forEnergy: l.energy)!, centroidError: 0.2, energy: l.energy, residual: 0)
        }
        let batches = (0..<4).map { CalibrationSet.Batch(index: $0, start: Double($0) * 172_800, end: Double($0 + 1) * 172_800,
                                                         events: 1000, calibration: truthCal, lines: lines) }
        let set = CalibrationSet(profile: "vip2", batch: "48h", method: "standard", source: "test",
                                 cells: [CalibrationSet.Cell(cell: 0, batches: batches), CalibrationSet.Cell(cell: 1, batches: batches)])
        let faults = [PlantedFault(kind: .offsetShift, cell: 0, batch: 1, start: 172_800, end: 345_600, size: -60),
                      PlantedFault(kind: .wrongIdentification, cell: 1, batch: 2, start: 345_600, end: 518_400, identification: .kBetaForKAlpha),
                      PlantedFault(kind: .noisyCell, cell: 1, size: 2)]
        let out = FaultPlanting.apply(faults, to: set, profile: profile)
        XCTAssertEqual(out.cells[0].batches[1].calibration.p0, -1910)
        XCTAssertEqual(out.cells[0].batches[0], batches[0])
        XCTAssertEqual(out.cells[0].batches[1].lines, lines, "the fitted lines stay as they were")
        // Kβ taken for Kα: the Kβ peaks (where the right calibration puts them) are claimed as Kα.
        let wrong = out.cells[1].batches[2]
        let tiKb = truthCal.adc(forEnergy: SpectralLine(id: "TiKb")!.energy)!, mnKb = truthCal.adc(forEnergy: SpectralLine(id: "MnKb")!.energy)!
        // A straight line through the three Kβ peaks (Cu Kβ taken for Cu Kα too) claimed as Kα: within 1 eV.
        XCTAssertEqual(wrong.calibration.energy(tiKb), SpectralLine(id: "TiKa")!.energy, accuracy: 1)
        XCTAssertEqual(wrong.calibration.energy(mnKb), SpectralLine(id: "MnKa")!.energy, accuracy: 1)
        XCTAssertEqual(wrong.calibration.p1 / 3.1, 0.89, accuracy: 0.01, "a plausible gain, 11 % low")
        XCTAssertEqual(wrong.lines.map(\.line), ["TiKa", "MnKa", "CuKa"])
        XCTAssertLessThan(wrong.lines.compactMap(\.residual).map(abs).max()!, 1, "small residuals: the file alone cannot tell")
        XCTAssertEqual(out.cells[1].batches[1], batches[1])
        // Ti taken for Mn: Ti Kα claimed as Mn Kα, Mn Kα as Cu Kα.
        let up = try XCTUnwrap(FaultPlanting.misidentified(batches[0], as: .lighterForHeavier, profile: profile))
        XCTAssertEqual(up.calibration.energy(truthCal.adc(forEnergy: SpectralLine(id: "TiKa")!.energy)!), SpectralLine(id: "MnKa")!.energy, accuracy: 1e-6)
    }
}
