import ArgumentParser
import CalibrationRefinement
import CentroidNetwork
import CentroidSeeding
import Foundation
import LineFitting
import SDDCore

/// `sddcal validate`: the whole pipeline on seeded simulated months with truth, figures held-out.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole pipeline on simulated months with truth: held-out and in-sample Cu Kα FWHM and position vs the true calibration.",
        discussion: """
        For each seed a month is simulated in memory (nothing is written) and the whole chain (seeds in \
        short batches → standard calibration → refinement: --method smooth, the default, a calibration \
        smooth in time fitted to all lines; per-batch, the paper's constants per batch refined on Cu Kα) is cross-fitted: the events are split into \
        --folds folds by a seeded hash of their index; for each fold the chain runs on the other folds \
        and calibrates the fold's events, each at its own time. The held-out Cu Kα spectrum sums all \
        folds: no event in it helped determine its own calibration. In-sample = the chain on all \
        events, evaluated on the same events (a method that fits the noise of its own Cu events looks \
        narrower there than it is). Every figure is compared with the same events under the simulator's \
        true calibration at each event's time. Printed per seed and as mean ± standard error over seeds: \
        (stage − truth-calibrated) FWHM and position, held-out and in-sample, and the Cu Kα energy error \
        against truth (rms over cells and batch windows, and over days) of the calibration from all events.
        """)

    enum Method: String, ExpressibleByArgument, CaseIterable { case smooth, perBatch = "per-batch" }

    @Option(help: "Number of seeded months.") var seeds = 6
    @Option(help: "First seed (seeds are first, first+1, …).") var firstSeed: UInt64 = 1
    @Option(help: "Cells.") var cells = 32
    @Option(help: "Days per month.") var days = 30.0
    @Option(help: "Mean events per cell per day (simulator default 10400).") var rate = 10_400.0
    @Option(help: "Relative gain random walk per √day (simulator default 0.0015).") var gainWalk = 1.5e-3
    @Option(help: "ADC offset random walk per √day.") var offsetWalk = 0.5
    @Option(help: "Knot spacing of the simulated walk: 1d (default), 1h, ….") var walkStep: String?
    @Option(help: "Batch length of the seeds/standard calibration and of the per-batch refinement.") var batch = "48h"
    @Option(help: "Calibration method: \(Method.allCases.map(\.rawValue).joined(separator: "|")).") var method: Method = .smooth
    @Option(help: "Folds of the cross-fitting (≥ 2).") var folds = 5
    @Option(help: "Smooth method: strong-line events per knot interval (knots between 1 h and 4 d apart; default \(Self.g(SmoothRefinementSettings().countsPerKnot))).") var countsPerKnot: Double?
    @Option(help: "Seeds of the standard calibration: cnn (the shipped model) or pattern.") var seedsMethod = "cnn"
    @Flag(help: "JSON output.") var json = false

    struct Output: Encodable {
        var settings: [String: String]
        var seeds: [SeedValidation]
        var summary: ValidationStatistics
    }

    func run() throws {
        try reportingErrors {
            guard seeds >= 1, seeds <= 1000 else { throw SDDError.invalidArgument("--seeds", "must be 1…1000") }
            guard folds >= 2, folds <= 50 else { throw SDDError.invalidArgument("--folds", "must be 2…50") }
            let spec = try BatchSpec(parsing: batch)
            guard case .duration(let batchSeconds) = spec else { throw SDDError.invalidArgument("--batch", "must be a duration (48h, 30d, …)") }
            var cfg = SimulationConfig.vip2(cells: cells, days: days, seed: firstSeed)
            cfg.eventsPerCellPerDay = rate
            cfg.gainWalk = gainWalk
            cfg.offsetWalk = offsetWalk
            cfg.walkStepSeconds = try walkStep.map(Simulate.parseWalkStep)
            _ = try VIP2Simulator(config: cfg)   // settings checked before any work
            let seeder: any CentroidSeeder
            switch seedsMethod {
            case "cnn": seeder = try CNNSeeder(predictor: try CentroidPredictor.bundled(), profile: .vip2)
            case "pattern": seeder = PatternSeeder()
            default: throw SDDError.invalidArgument("--seeds-method", "'\(seedsMethod)' is not cnn or pattern")
            }
            let procedure: CalibrationProcedure
            switch method {
            case .perBatch:
                procedure = PerBatchPipeline(calibrator: StandardCalibrator(profile: .vip2, seeder: seeder), batch: spec).procedure
            case .smooth:
                var settings = SmoothRefinementSettings()
                if let c = countsPerKnot {
                    guard c >= 1, c <= 1e7 else { throw SDDError.invalidArgument("--counts-per-knot", "must be 1…10⁷") }
                    settings.countsPerKnot = c
                }
                procedure = SmoothPipeline(calibrator: StandardCalibrator(profile: .vip2, seeder: seeder), batch: spec, settings: settings).procedure
            }
            let validation = PipelineValidation(simulation: cfg, crossFitting: CrossFitting(folds: folds, seed: 1),
                                                batchWindow: batchSeconds)
            let settings: [String: String] = [
                "seeds": "\(firstSeed)…\(firstSeed + UInt64(seeds) - 1)", "cells": "\(cells)", "days": "\(days)",
                "rate": "\(rate)", "gain_walk": "\(gainWalk)", "offset_walk": "\(offsetWalk)",
                "walk_step_s": "\(cfg.walkInterval)", "batch": spec.description, "method": method.rawValue,
                "folds": "\(folds)", "seeds_method": seeder.name,
                "counts_per_knot": method == .smooth ? Self.g(countsPerKnot ?? SmoothRefinementSettings().countsPerKnot) : "-"]
            if !json {
                print("validate: \(seeds) seeds × \(cells) cells × \(Self.g(days)) d, rate \(Self.g(rate))/cell/day, gain walk \(gainWalk)/√day, "
                      + "offset walk \(offsetWalk) ADC/√day, walk knots every \(BatchSpec.duration(cfg.walkInterval).description); "
                      + "method \(method.rawValue)\(method == .smooth ? " (\(settings["counts_per_knot"]!) strong-line events per knot)" : ""), "
                      + "batches \(spec.description), seeds \(seeder.name), \(folds) folds")
            }
            let tty = isatty(STDERR_FILENO) != 0
            var results: [SeedValidation] = []
            for k in 0..<seeds {
                let r = try validation.run(seed: firstSeed + UInt64(k), procedure: procedure) { msg in
                    if tty { FileHandle.standardError.write(Data("\r\(msg)\u{1B}[K".utf8)) }
                }
                if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                results.append(r)
                if !json { print(Self.seedText(r)) }
            }
            let summary = ValidationStatistics(results)
            if json { try printJSON(Output(settings: settings, seeds: results, summary: summary)); return }
            print(Self.summaryText(summary, seeds: results.count))
        }
    }

    static func g(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    static func seedText(_ r: SeedValidation) -> String {
        var s = String(format: "seed %llu: %d events, %.0f s; truth-calibrated Cu Kα FWHM %.1f ± %.1f eV, position %.1f ± %.1f eV (%.0f counts); intrinsic %.1f eV\n",
                       r.seed, r.events, r.seconds, r.truth.fwhm, r.truth.fwhmError, r.truth.position, r.truth.positionError, r.truth.counts, r.intrinsicFWHM)
        if let h = r.hardwareLimit {
            s += String(format: "  hardware limit (ENC and Fano from the strong lines' widths) %.1f ± %.1f eV (%+.1f eV vs intrinsic)\n",
                        h.fwhm, h.error, h.fwhm - r.intrinsicFWHM)
        }
        s += "  stage       FWHM − truth [eV]              position − truth [eV]        Cu Kα error rms [eV]\n"
        s += "              held-out       in-sample       held-out     in-sample       per batch  per day\n"
        for st in r.stages {
            s += "  " + st.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "  %+6.1f ± %4.1f  %+6.1f ± %4.1f   %+5.1f ± %3.1f  %+5.1f ± %3.1f   %7.1f  %7.1f",
                         st.heldOut.fwhm - r.truth.fwhm, st.heldOut.fwhmError, st.inSample.fwhm - r.truth.fwhm, st.inSample.fwhmError,
                         st.heldOut.position - r.truth.position, st.heldOut.positionError,
                         st.inSample.position - r.truth.position, st.inSample.positionError, st.batchErrorRMS, st.dayErrorRMS)
            let bad = [st.heldOut.status, st.inSample.status].filter { $0 != "converged" }
            if !bad.isEmpty { s += "  (fit: \(bad.joined(separator: ", ")))" }
            s += "\n"
        }
        return s
    }

    static func summaryText(_ m: ValidationStatistics, seeds n: Int) -> String {
        func e(_ x: ValidationStatistics.Estimate, _ f: String = "%+6.1f ± %4.1f") -> String { String(format: f, x.mean, x.standardError) }
        var s = "mean ± standard error over \(n) seeds\n"
        s += "  truth-calibrated Cu Kα FWHM \(e(m.truthFWHM, "%.1f ± %.1f")) eV, position \(e(m.truthPosition, "%.1f ± %.1f")) eV; intrinsic \(e(m.intrinsicFWHM, "%.1f ± %.1f")) eV\n"
        if m.hardwareLimitBias.n > 0 {
            s += "  hardware limit − intrinsic \(e(m.hardwareLimitBias, "%+.1f ± %.1f")) eV; its stated error \(String(format: "%.1f", m.hardwareLimitError.mean)) eV\n"
        }
        s += "  stage       FWHM − truth [eV]              position − truth [eV]        Cu Kα error rms [eV]\n"
        s += "              held-out       in-sample       held-out     in-sample       per batch     per day\n"
        for st in m.stages {
            let cols: [String] = [
                "  " + st.name.padding(toLength: 10, withPad: " ", startingAt: 0),
                e(st.heldOutFWHMDelta), e(st.inSampleFWHMDelta),
                " " + e(st.heldOutPositionDelta, "%+5.1f ± %3.1f"), e(st.inSamplePositionDelta, "%+5.1f ± %3.1f"),
                " " + e(st.batchErrorRMS, "%5.1f ± %3.1f"), e(st.dayErrorRMS, "%5.1f ± %3.1f")]
            s += cols.joined(separator: "  ") + "\n"
        }
        s += "  held-out = calibrated without the events evaluated (cross-fitting); in-sample = calibrated and evaluated on the same events\n"
        return s
    }
}
