import ArgumentParser
import CalibrationRefinement
import CentroidNetwork
import CentroidSeeding
import Foundation
import LineFitting
import SDDCore

/// `sddcal demo`: the paper's story on a simulated month (or an events file), with held-out figures.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The paper's comparison on a simulated month: 30-day standard calibration vs CNN seeds in 48 h batches + refinement, table 1 held-out.",
        discussion: """
        Without an events file a month (32 cells × 30 days, --seed) is simulated in memory with its truth. \
        Before = the standard calibration with long batches (--reference, 30 d: the paper's reference); \
        after = CNN seeds and the standard calibration in short batches (--batch, 48 h) refined on the \
        unbinned likelihood (--method smooth: a calibration smooth in time fitted to all lines; per-batch: the \
        paper's constants per batch on Cu Kα). Table 1 fits Cu Kα on the spectrum summed over all cells. Every figure is \
        given held-out (the whole chain cross-fitted over --folds folds of the events: no event is \
        calibrated by a calibration it helped to make) next to in-sample (calibrated and fitted on the \
        same events, which flatters a method that fits the noise of its own Cu events); with truth also \
        the true calibration's row. Then the held-out gain and the hardware limit (ENC and Fano from the \
        strong lines), with a warning for any FWHM more than 2σ below it. Nothing is written unless \
        --out-dir is given. To look at data interactively: `sddcal inspect Sample/events.bin`.
        """)

    @Argument(help: "Events file (.bin or .csv); default: a month simulated in memory.") var events: String?
    @Option(help: "Simulator truth file for an events file (adds the true-calibration row).") var truth: String?
    @Option(help: "Seed of the simulated month.") var seed: UInt64 = 11
    @Option(help: "Cells of the simulated month.") var cells = 32
    @Option(help: "Days of the simulated month.") var days = 30.0
    @Option(help: "Batch length of the reference (before) standard calibration.") var reference = "30d"
    @Option(help: "Batch length of the seeds, standard calibration and refinement (after).") var batch = "48h"
    @Option(help: "Folds of the cross-fitting (≥ 2).") var folds = 5
    @Option(help: "Refinement (after): smooth (in time, all lines; default) or per-batch (the paper's, on Cu Kα).") var method: Validate.Method = .smooth
    @Option(help: "Write reference.json, standard.json and optimized.json (calibrations from all events) into this directory.") var outDir: String?
    @OptionGroup var output: OutputOptions
    @Flag(help: "JSON output.") var json = false

    struct Step: Encodable { var step: String; var seconds: Double; var detail: String }
    struct DemoReport: Encodable { var steps: [Step]; var table1: HeldOutTable }

    func run() throws {
        try reportingErrors {
            let refSpec = try BatchSpec(parsing: reference), spec = try BatchSpec(parsing: batch)
            guard folds >= 2, folds <= 50 else { throw SDDError.invalidArgument("--folds", "must be 2…50") }
            if truth != nil && events == nil { throw SDDError.invalidArgument("--truth", "needs an events file (the simulated month has its own truth)") }
            var steps: [Step] = []
            func timed<T>(_ name: String, _ body: () throws -> (T, String)) rethrows -> T {
                let t0 = Date()
                let (v, detail) = try body()
                let s = Step(step: name, seconds: Date().timeIntervalSince(t0), detail: detail)
                steps.append(s)
                if !json { print(name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%7.2f s  ", s.seconds) + detail) }
                return v
            }
            let (table, truthSet): (EventTable, SimulationTruth?) = try timed(events == nil ? "simulate" : "read events") {
                if let path = events {
                    let r = try EventFile.read(path, options: .strict, progress: nil)
                    guard !r.events.isEmpty else { throw SDDError.badFile(file: path, message: "no events") }
                    return ((r.events, try truth.map(SimulationTruth.load)), "\(r.events.count) events, \(r.events.cells.count) cells")
                }
                var cfg = SimulationConfig.vip2(cells: cells, days: days, seed: seed)
                let (e, t) = try VIP2Simulator(config: cfg).run()
                return ((e, t), "\(e.count) events, \(cells) cells × \(Validate.g(days)) days, seed \(seed) (simulator defaults)")
            }
            let seeder: any CentroidSeeder = (try? CentroidPredictor.bundled()).flatMap { try? CNNSeeder(predictor: $0, profile: .vip2) } ?? PatternSeeder()
            let calibrator = StandardCalibrator(profile: .vip2, seeder: seeder)
            let after: CalibrationProcedure = method == .smooth ? SmoothPipeline(calibrator: calibrator, batch: spec).procedure
                : PerBatchPipeline(calibrator: calibrator, batch: spec).procedure
            let procedure: CalibrationProcedure = { e in
                let ref = calibrator.calibrate(BatchedEvents(e, spec: refSpec), source: "sddcal demo, reference")
                return [CalibrationStage(name: "reference", calibration: ref)] + (try after(e))
            }
            let cf = CrossFitting(folds: folds, seed: seed)
            let result = try timed("calibration chain") { () -> (CrossFitting.Result, String) in
                let r = try cf.evaluate(events: table, procedure: procedure)
                return (r, "\(seeder.name) seeds; \(reference) reference, \(batch) standard + \(method.rawValue) refinement; on all events and \(folds) times without one fold")
            }
            func set(_ name: String) -> CalibrationSet? {
                result.fullCalibration.first { $0.name == name }?.calibration as? CalibrationSet
            }
            if let dir = outDir {
                for (name, file) in [("reference", "reference.json"), ("standard", "standard.json"), ("refined", "optimized.json")] {
                    try set(name)?.save((dir as NSString).appendingPathComponent(file), overwrite: output.force)
                }
            }
            let table1 = timed("table 1") { () -> (HeldOutTable, String) in
                let truthRow = truthSet.map { t -> (LineFitResult, intrinsic: Double) in
                    let cu = CuKalphaLineFit.line
                    let w = t.cells.map { $0.ratePerDay[cu.id] ?? 0 }
                    let f = zip(t.cells, w).reduce(0) { $0 + ($1.0.lineFWHM[cu.id] ?? 0) * $1.1 } / Swift.max(w.reduce(0, +), 1e-300)
                    return (cf.measure(cf.spectrum(events: table, calibration: t)), f)
                }
                let limit = HardwareLimit.cuKalpha(preferringTimelines: [set("standard"), set("refined")], profile: .vip2)
                let labels = ["reference": "reference (\(refSpec))", "standard": "standard (\(spec))", "refined": "optimized (\(method.rawValue))"]
                return (HeldOutTable(result, crossFitting: cf, labels: labels, gain: ("reference", "refined"), truth: truthRow, hardwareLimit: limit),
                        "Cu Kα fits, held-out and in-sample")
            }
            if json { try printJSON(DemoReport(steps: steps, table1: table1)); return }
            print("")
            print(table1.text, terminator: "")
            print("\nInspect it: sddcal inspect Sample/events.bin   (q quits, ? lists keys); the gate: sddcal validate --help")
        }
    }
}
