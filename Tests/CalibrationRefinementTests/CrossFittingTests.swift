import CalibrationRefinement
import LineFitting
import SDDCore
import XCTest

/// Records the calibrations a procedure returns, run by run (evaluate calls it in a fixed order).
private final class RunLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var runs: [(events: EventTable, stages: [CalibrationStage])] = []
    func add(_ e: EventTable, _ s: [CalibrationStage]) { lock.lock(); runs.append((e, s)); lock.unlock() }
}

final class CrossFittingTests: XCTestCase {
    /// A small simulated case: 2 cells × 4 days at the default rate.
    static let simulated: (events: EventTable, truth: SimulationTruth) = {
        var cfg = SimulationConfig.vip2(cells: 2, days: 4, seed: 5)
        cfg.steps = 0
        return try! VIP2Simulator(config: cfg).run()
    }()

    func testFoldsCoverEveryEventExactlyOnce() {
        let n = 100_003
        let cf = CrossFitting(folds: 5, seed: 9)
        let folds = cf.assignment.folds(count: n)
        XCTAssertTrue(folds.allSatisfy { $0 < 5 })
        var sizes = [Int](repeating: 0, count: 5)
        for f in folds { sizes[Int(f)] += 1 }
        XCTAssertEqual(sizes.reduce(0, +), n)
        // Balanced within 5σ of a multinomial split.
        let sd = (Double(n) * 0.2 * 0.8).squareRoot()
        for s in sizes { XCTAssertLessThan(abs(Double(s) - Double(n) / 5), 5 * sd) }
        // The training sets are exactly the complements: each event is held out by one fold only.
        let table = EventTable(cell: [UInt16](repeating: 0, count: n), adc: (0..<n).map { UInt16($0 % 60000) },
                               time: (0..<n).map(Double.init))
        var heldOutCount = [Int](repeating: 0, count: n)
        for k in 0..<5 {
            let training = cf.trainingEvents(table, excludingFold: k)
            XCTAssertEqual(training.count, n - sizes[k])
            var inTraining = [Bool](repeating: false, count: n)
            for t in training.time { inTraining[Int(t)] = true }
            for i in 0..<n where !inTraining[i] {
                heldOutCount[i] += 1
                XCTAssertEqual(Int(folds[i]), k)
            }
        }
        XCTAssertTrue(heldOutCount.allSatisfy { $0 == 1 })
        // Another seed gives another assignment.
        XCTAssertNotEqual(CrossFitting(folds: 5, seed: 10).assignment.folds(count: 1000), Array(folds.prefix(1000)))
    }

    /// With a calibration that ignores the events, held-out and in-sample spectra are identical bin by bin:
    /// every event enters the held-out spectrum once, under the calibration at its own time.
    func testEventIndependentCalibrationGivesIdenticalSpectra() throws {
        let (events, truth) = Self.simulated
        let cf = CrossFitting(folds: 3, seed: 2)
        let r = try cf.evaluate(events: events) { _ in [CalibrationStage(name: "truth", calibration: truth)] }
        let s = try XCTUnwrap(r.stage("truth"))
        XCTAssertEqual(s.heldOutSpectrum, s.inSampleSpectrum)
        XCTAssertEqual(r.foldSizes.reduce(0, +), events.count)
        XCTAssertEqual(s.heldOut.fwhm, s.inSample.fwhm)
        // The simulated resolution (~176 eV) and the tabulated Kα1 position within 4σ (~500 Cu counts).
        XCTAssertEqual(s.heldOut.fwhm, 176, accuracy: 4 * s.heldOut.fwhmError + 2)
        XCTAssertEqual(s.heldOut.position, 8047.8, accuracy: 4 * s.heldOut.positionError)
    }

    /// Perturbing the held-out events of a fold leaves the calibration that fold is evaluated with
    /// unchanged (the whole chain, standard calibration included), while the in-sample calibration moves.
    func testHeldOutEventsDoNotInfluenceTheirCalibration() throws {
        let (events, _) = Self.simulated
        let pipeline = PerBatchPipeline(calibrator: StandardCalibrator(profile: .vip2, seeder: PatternSeeder()), batch: .duration(2 * 86400))
        let cf = CrossFitting(folds: 2, seed: 4)
        var perturbed = events
        for i in 0..<events.count where cf.assignment.fold(ofEvent: i) == 0 {
            perturbed.adc[i] = perturbed.adc[i] &+ 3   // fold 0 moved by 3 ADC (~9 eV)
        }
        func runs(_ table: EventTable) throws -> [[CalibrationStage]] {
            let log = RunLog()
            _ = try cf.evaluate(events: table) { e in let s = try pipeline.run(e); log.add(e, s); return s }
            return log.runs.map(\.stages)
        }
        let a = try runs(events), b = try runs(perturbed)
        XCTAssertEqual(a.count, 3)   // all events, fold 0, fold 1
        func set(_ s: CalibrationStage) -> CalibrationSet { s.calibration as! CalibrationSet }
        // Run 1 holds out fold 0: identical calibrations in every stage.
        for (x, y) in zip(a[1], b[1]) {
            XCTAssertEqual(set(x).cells.map { $0.batches.map(\.calibration) }, set(y).cells.map { $0.batches.map(\.calibration) }, x.name)
        }
        // The runs that saw fold 0 did change.
        XCTAssertNotEqual(set(a[0][0]).cells.map { $0.batches.map(\.calibration) }, set(b[0][0]).cells.map { $0.batches.map(\.calibration) })
        XCTAssertNotEqual(set(a[2][1]).cells.map { $0.batches.map(\.calibration) }, set(b[2][1]).cells.map { $0.batches.map(\.calibration) })
    }

    func testEnergyScaleErrorAgainstTruth() throws {
        let (_, truth) = Self.simulated
        let cu = CuKalphaLineFit.line.energy
        XCTAssertEqual(EnergyScaleError.rms(calibration: truth, truth: truth, energy: cu, window: 86400), 0, accuracy: 1e-9)
        // A calibration 5 eV above the truth everywhere: rms 5 eV for any window.
        struct Shifted: TimedCalibration {
            let truth: SimulationTruth
            func calibration(cell: Int, time: Double) -> EnergyCalibration? {
                truth.calibration(cell: cell, time: time).map { EnergyCalibration(p0: $0.p0 + 5, p1: $0.p1, p2: $0.p2) }
            }
        }
        XCTAssertEqual(EnergyScaleError.rms(calibration: Shifted(truth: truth), truth: truth, energy: cu, window: 2 * 86400), 5, accuracy: 1e-9)
        XCTAssertEqual(EnergyScaleError.windowErrors(calibration: truth, truth: truth, energy: cu, window: 2 * 86400).count, 2 * 2)
    }

    func testStatisticsMeanAndStandardError() {
        let e = ValidationStatistics.Estimate([1, 2, 3, 4])
        XCTAssertEqual(e.mean, 2.5)
        XCTAssertEqual(e.standardError, (5.0 / 3 / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(e.n, 4)
        XCTAssertTrue(ValidationStatistics.Estimate([1]).standardError.isNaN)
    }
}
