import XCTest
@testable import SDDCore

final class EventEnergiesTests: XCTestCase {
    /// The batch-by-batch summed spectrum as it was before per-event evaluation: every event batch under
    /// the calibration batch holding its midpoint (else the same index, else the nearest midpoint).
    private func batchwiseSpectrum(_ batched: BatchedEvents, _ set: CalibrationSet, range: ClosedRange<Double>, binWidth: Double) -> Histogram {
        let bins = Int(((range.upperBound - range.lowerBound) / binWidth).rounded())
        var h = Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        for b in batched.batches {
            guard let bs = set.batches(ofCell: b.cell) else { continue }
            let mid = (b.start + b.end) / 2
            let cal = bs.first(where: { mid >= $0.start && mid < $0.end })?.calibration
                ?? bs.first(where: { $0.index == b.index })?.calibration
                ?? bs.min { abs(($0.start + $0.end) / 2 - mid) < abs(($1.start + $1.end) / 2 - mid) }!.calibration
            h = h + Histogram.energy(batched.adc(of: b), calibration: cal, lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        }
        return h
    }

    func testVersion1SpectraAreIdenticalToBatchwiseEvaluation() throws {
        var config = SimulationConfig()
        config.cells = 3; config.days = 4; config.seed = 5; config.eventsPerCellPerDay = 3000
        let (events, truth) = try VIP2Simulator(config: config).run()
        for spec in [BatchSpec.duration(48 * 3600), .duration(7 * 3600), .count(997), .all] {
            let batched = BatchedEvents(events, spec: spec)
            // A version-1 set with distinct constants per batch (the truth averaged over each window).
            let set = truth.calibrationSet(for: batched, source: "t")
            XCTAssertEqual(set.version, 1)
            for (range, width) in [(7000.0...9000.0, 5.0), (1000.0...12000.0, 1.7)] {
                let now = SpectrumBuilder.energySpectrum(batched, calibration: set, range: range, binWidth: width).histogram
                let before = batchwiseSpectrum(batched, set, range: range, binWidth: width)
                XCTAssertEqual(now.counts, before.counts, "\(spec) \(range)")
                XCTAssertGreaterThan(now.total, 300)
            }
        }
    }

    /// A gain that doubles over the run, geometrically: events of one true energy land in one narrow peak
    /// only when each is calibrated at its own time.
    func testTimelineIsAppliedAtEachEventsTime() throws {
        let tl = try CalibrationTimeline(knots: [0, 1000], p0: [100, 300], p1: [2, 4], p2: [0, 0])
        let line = 6000.0
        var t = EventTable()
        var rng = SeededGenerator(seed: 3)
        for i in 0..<4000 {
            let time = Double(i) / 4 + 0.1
            let c = tl.calibration(at: time)
            let adc = ((line - c.p0) / c.p1 + rng.uniform(-0.5, 0.5)).rounded()
            t.append(cell: 2, adc: UInt16(adc), time: time)
        }
        let batched = BatchedEvents(t, spec: .all)
        var set = CalibrationSet(profile: "vip2", batch: "all", method: "test", source: "", cells: [
            .init(cell: 2, batches: [.init(index: 0, start: 0, end: 1000, events: 4000, calibration: tl.knot(0))]),
        ])
        let constant = SpectrumBuilder.energySpectrum(batched, calibration: set, range: 0...20000, binWidth: 10).histogram
        set.cells[0].timeline = tl
        let timed = SpectrumBuilder.energySpectrum(batched, calibration: set, range: 0...20000, binWidth: 10).histogram
        XCTAssertEqual(timed.total, 4000)
        // Every event within a channel width (≤ 4 eV) around the line, both sides of the jitter: ±8 eV.
        let inside = (0..<timed.binCount).filter { abs(timed.center($0) - line) <= 10 }.map { timed.counts[$0] }.reduce(0, +)
        XCTAssertEqual(inside, 4000)
        // The first knot's constants smear the line over thousands of eV.
        let constInside = (0..<constant.binCount).filter { abs(constant.center($0) - line) <= 10 }.map { constant.counts[$0] }.reduce(0, +)
        XCTAssertLessThan(constInside, 400)

        // Per-event energies: dithered within the event's channel interval at its time; reproducible.
        let (e, none) = EventEnergies.energies(of: batched.events, calibration: set, ditherSeed: 9)
        XCTAssertEqual(none, 0)
        for i in 0..<batched.events.count {
            let c = tl.calibration(at: batched.events.time[i])
            let k = Double(batched.events.adc[i])
            XCTAssertGreaterThanOrEqual(e[i], c.energy(k - 0.5) - 1e-9)
            XCTAssertLessThan(e[i], c.energy(k + 0.5) + 1e-9)
        }
        XCTAssertEqual(EventEnergies.energies(of: batched.events, calibration: set, ditherSeed: 9).energies, e)
        let (centre, _) = EventEnergies.energies(of: batched.events, calibration: set, ditherSeed: nil)
        XCTAssertEqual(centre[17], tl.energy(adc: Double(batched.events.adc[17]), time: batched.events.time[17]), accuracy: 1e-9)
        // Dithered minus undithered is uniform on ±½ channel: mean ≈ 0, variance ≈ slope²/12.
        let d = zip(e, centre).map { $0 - $1 }
        let mean = d.reduce(0, +) / Double(d.count)
        XCTAssertEqual(mean, 0, accuracy: 4 * 3 / (12 * Double(d.count)).squareRoot())
        XCTAssertTrue(d.allSatisfy { abs($0) <= 2.0000001 })
    }

    func testUncalibratedCellsAreCountedNotGuessed() {
        var t = EventTable()
        t.append(cell: 0, adc: 100, time: 1)
        t.append(cell: 1, adc: 100, time: 1)
        let set = CalibrationSet(profile: "vip2", batch: "all", method: "t", source: "", cells: [
            .init(cell: 1, batches: [.init(index: 0, start: 0, end: 2, events: 1, calibration: .init(p0: 0, p1: 3))]),
        ])
        let (e, none) = EventEnergies.energies(of: t, calibration: set, ditherSeed: nil)
        XCTAssertEqual(none, 1)
        XCTAssertTrue(e[0].isNaN)
        XCTAssertEqual(e[1], 300)
    }
}

final class TruthTimelineTests: XCTestCase {
    /// The truth as a timeline reproduces the simulator's calibration to well below an eV, steps included.
    /// The interpolation differs from r(t)·E₀(a − δ(t)) at second order: |p0|·Δ²/8 for a log-gain change
    /// Δ between knots (|p0| ≈ 1900 eV): ~10⁻³ eV at the default walk, ~0.2 eV at 3σ of a 1 %/day walk.
    func testTruthTimelineMatchesTheTruth() throws {
        try check(gainWalk: 1.5e-3, bound: 0.01)
        try check(gainWalk: 0.01, bound: 0.5)
    }

    func check(gainWalk: Double, bound: Double) throws {
        var config = SimulationConfig()
        config.cells = 4; config.days = 6; config.seed = 2; config.eventsPerCellPerDay = 10; config.steps = 3
        config.gainWalk = gainWalk
        let (_, truth) = try VIP2Simulator(config: config).run()
        XCTAssertFalse(truth.cells.flatMap(\.steps).isEmpty)
        var worst = 0.0
        for c in truth.cells {
            let tl = c.timeline()
            for t in stride(from: -3600.0, to: 7 * 86_400, by: 997) {
                let e = tl.energy(adc: 3200, time: t), exact = c.calibration(at: t).energy(3200)
                worst = max(worst, abs(e - exact))
            }
            for s in c.steps {   // just after a step the timeline has jumped with the truth
                XCTAssertEqual(tl.energy(adc: 3200, time: s.time + 1), c.calibration(at: s.time + 1).energy(3200), accuracy: 0.05)
            }
        }
        XCTAssertLessThan(worst, bound)
        XCTAssertGreaterThan(worst, 0)
    }
}
