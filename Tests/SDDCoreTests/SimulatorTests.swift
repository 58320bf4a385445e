import XCTest
@testable import SDDCore

final class SimulatorTests: XCTestCase {
    /// A small, drift-free configuration whose statistics are easy to predict.
    func quietConfig(seed: UInt64 = 7) -> SimulationConfig {
        var c = SimulationConfig.vip2(cells: 2, days: 4, seed: seed)
        c.gainWalk = 0; c.offsetWalk = 0; c.steps = 0
        c.tailFractionRange = 0...0
        c.escapePeaks = false
        return c
    }

    func energies(_ ev: EventTable, _ truth: SimulationTruth) -> [Double] {
        (0..<ev.count).map { truth.calibration(cell: Int(ev.cell[$0]), time: ev.time[$0])!.energy(Double(ev.adc[$0])) }
    }

    func testDeterministicForSeed() throws {
        let a = try VIP2Simulator(config: .vip2(cells: 3, days: 1, seed: 11)).run()
        let b = try VIP2Simulator(config: .vip2(cells: 3, days: 1, seed: 11)).run()
        let c = try VIP2Simulator(config: .vip2(cells: 3, days: 1, seed: 12)).run()
        XCTAssertEqual(a.events, b.events)
        XCTAssertEqual(a.truth, b.truth)
        XCTAssertNotEqual(a.events.adc, c.events.adc)
    }

    func testEventCountsAndOrdering() throws {
        let cfg = SimulationConfig.vip2(cells: 4, days: 2, seed: 3)
        let (ev, truth) = try VIP2Simulator(config: cfg).run()
        XCTAssertTrue(ev.isSortedByCellAndTime)
        XCTAssertEqual(ev.cells, [0, 1, 2, 3])
        let expected = cfg.eventsPerCellPerDay * cfg.days * Double(cfg.cells)
        // Poisson total minus a tiny saturation loss: within 5σ.
        XCTAssertEqual(Double(ev.count), expected, accuracy: 5 * expected.squareRoot() + 0.002 * expected)
        XCTAssertEqual(truth.cells.map(\.events).reduce(0, +), ev.count)
        XCTAssertEqual(truth.config.steps, 1)
        XCTAssertEqual(truth.cells.flatMap(\.steps).count, 1)
        // Times fill the run uniformly: each half holds half the events within 5σ.
        let half = ev.time.filter { $0 < cfg.days * 86400 / 2 }.count
        XCTAssertEqual(Double(half), Double(ev.count) / 2, accuracy: 5 * (Double(ev.count) / 4).squareRoot())
    }

    func testCalibrationMatchesPhysicsRanges() throws {
        let (_, truth) = try VIP2Simulator(config: .vip2(cells: 32, days: 1, seed: 5)).run()
        for c in truth.cells {
            let cal = c.calibration(at: 0)
            // p1 in 2.9–3.3 eV/ADC; the small quadratic term moves the local slope by < 0.02.
            XCTAssert((2.9...3.3).contains(cal.p1), "gain \(cal.p1)")
            XCTAssert((2.88...3.32).contains(cal.slope(2000)), "slope \(cal.slope(2000))")
            let zero = cal.adc(forEnergy: 0)!
            XCTAssert((560...640).contains(zero), "zero-energy ADC \(zero)")
            let cuADC = cal.adc(forEnergy: 8040)!
            XCTAssert((2800...3500).contains(cuADC), "Cu Kα at ADC \(cuADC)")
        }
    }

    func testLinePositionsWidthsAndYieldsAgainstTruth() throws {
        let (ev, truth) = try VIP2Simulator(config: quietConfig()).run()
        let e = energies(ev, truth)
        let profile = LineProfile.vip2
        for id in ["TiKa", "MnKa", "CuKa"] {
            let line = profile.line(id)!
            let cellTruth = truth.cells[0]
            let sigmaLine = cellTruth.response.sigma(at: line.energy)
            // Doublet spread and the ±½ ADC quantisation (uniform, variance gain²/12) add to the variance.
            let comps = line.components
            let wsum = comps.reduce(0) { $0 + $1.relativeIntensity }
            let doubletVar = comps.reduce(0) { $0 + $1.relativeIntensity * pow($1.energy - line.energy, 2) } / wsum
            let gain = cellTruth.base.p1
            let expectedSD = (sigmaLine * sigmaLine + doubletVar + gain * gain / 12).squareRoot()
            let window = e.enumerated().filter { abs($0.element - line.energy) < 2.5 * expectedSD && ev.cell[$0.offset] == 0 }.map(\.element)
            let n = Double(window.count)
            let mean = window.reduce(0, +) / n
            let sd = (window.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            // Truncating a Gaussian at ±2.5σ scales its SD by 0.9470; the continuum under the line is small.
            XCTAssertEqual(mean, line.energy, accuracy: 5 * expectedSD / n.squareRoot() + 0.5, "\(id) position")
            XCTAssertEqual(sd, 0.9470 * expectedSD, accuracy: 0.03 * expectedSD + 4 * expectedSD / (2 * n).squareRoot(), "\(id) width")
        }
        // Count ratio Cu Kα / Mn Kα against the truth's rates: Poisson errors.
        func count(_ id: String, cell: Int) -> Double {
            let l = profile.line(id)!
            let s = truth.cells[cell].response.sigma(at: l.energy)
            return Double((0..<ev.count).filter { ev.cell[$0] == UInt16(cell) && abs(e[$0] - l.energy) < 3 * s }.count)
        }
        for cell in 0..<2 {
            let cu = count("CuKa", cell: cell), mn = count("MnKa", cell: cell)
            let expected = truth.cells[cell].ratePerDay["CuKa"]! / truth.cells[cell].ratePerDay["MnKa"]!
            let err = (cu / mn) * (1 / cu + 1 / mn).squareRoot()
            // Continuum under the Cu line adds a few percent of its counts.
            XCTAssertEqual(cu / mn, expected, accuracy: 4 * err + 0.06 * expected)
            XCTAssert((0.005...0.02).contains(expected), "Cu is ~100× weaker than Mn Kα")
        }
    }

    func testTailShiftsMeanByFractionTimesSlope() throws {
        var cfg = quietConfig(seed: 9)
        cfg.tailFractionRange = 0.3...0.3
        cfg.tailSlopeRange = 1.5...1.5
        cfg.continuumFraction = 0.001
        let (ev, truth) = try VIP2Simulator(config: cfg).run()
        let e = energies(ev, truth)
        let mn = LineProfile.vip2.line("MnKa")!
        let s = truth.cells[0].response.sigma(at: mn.energy)
        // Window wide enough for the tail (Mn Kβ sits 590 eV above, Ti Kβ 960 eV below).
        let w = e.enumerated().filter { ev.cell[$0.offset] == 0 && $0.element > mn.energy - 12 * s && $0.element < mn.energy + 4 * s }.map(\.element)
        let mean = w.reduce(0, +) / Double(w.count)
        // Mean of the exponentially modified Gaussian: μ − β·σ, weighted by f_T.
        let expected = mn.energy - 0.3 * 1.5 * s
        XCTAssertEqual(mean, expected, accuracy: 6 * 1.4 * s / Double(w.count).squareRoot() + 1.5)
    }

    func testDriftAndStepsAreInTheTruth() throws {
        var cfg = SimulationConfig.vip2(cells: 8, days: 30, seed: 21)
        cfg.eventsPerCellPerDay = 10
        let (_, truth) = try VIP2Simulator(config: cfg).run()
        let stepped = truth.cells.filter { !$0.steps.isEmpty }
        XCTAssertEqual(stepped.count, 1)
        let c = stepped[0], st = c.steps[0]
        let before = c.calibration(at: st.time - 1e-3), after = c.calibration(at: st.time + 1e-3)
        XCTAssertEqual(after.p1 / before.p1, st.gainFactor, accuracy: 1e-9)
        // Random walk: the Cu energy scale moves over the month by tens of eV in some cell.
        let moves = truth.cells.map { c -> Double in
            let a = c.calibration(at: 0), b = c.calibration(at: 29 * 86400)
            return abs(b.energy(3200) - a.energy(3200))
        }
        XCTAssertGreaterThan(moves.max()!, 20)
    }

    func testTruthCalibrationSetAveragesBatches() throws {
        let (ev, truth) = try VIP2Simulator(config: .vip2(cells: 2, days: 4, seed: 2)).run()
        let batched = BatchedEvents(ev, spec: .duration(2 * 86400))
        let set = truth.calibrationSet(for: batched, source: "test")
        XCTAssertEqual(set.cells.count, 2)
        XCTAssertEqual(set.cells[0].batches.count, 2)
        let b = set.cells[0].batches[0]
        let mid = truth.calibration(cell: 0, time: (b.start + b.end) / 2)!
        XCTAssertEqual(b.calibration.energy(3000), mid.energy(3000), accuracy: 20)
    }

    func testRejectsBadConfig() {
        var c = SimulationConfig.vip2(); c.days = -1
        XCTAssertThrowsError(try VIP2Simulator(config: c))
        c = .vip2(); c.profileName = "nonsense"
        XCTAssertThrowsError(try VIP2Simulator(config: c))
    }
}
