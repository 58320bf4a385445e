import ArgumentParser
import CalibrationRefinement
import Foundation
import LineFitting
import SDDCore

/// `sddcal report`: the paper's before/after comparison (table 1, figures 5–7).
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a reference and an optimized calibration: table 1, pulls (fig. 6), log-likelihood (fig. 5).",
        discussion: """
        Table 1: the Cu Kα fit (doublet + tail + linear background, Poisson likelihood) on the spectrum \
        summed over all cells and batches, each batch calibrated by its own coefficients, before and \
        after. Figure 6: (μRef − μOpt)/σμRef per batch at the reference fit's Cu Kα centroid. Figure 5: \
        the summed log-likelihood per iteration, from rerunning the optimizer (same options as \
        `sddcal optimize`) on --before. --svg DIR writes figure5.svg, figure6.svg and figure7.svg \
        (the Cu Kα region before and after with the fitted curves).
        """)

    @Argument(help: "Events file (.csv or .bin).") var events: String
    @Option(help: "Reference calibration (e.g. from `sddcal calibrate`).") var before: String
    @Option(help: "Optimized calibration (from `sddcal optimize`).") var after: String
    @Option(help: "Write figures 5, 6 and 7 as SVG files into this directory.") var svg: String?
    @Option(help: "Trace CSV from `sddcal optimize --trace` for figure 5 (default: rerun the optimizer on --before).") var trace: String?
    @Option(help: "Simulator truth file: adds the true-calibration row to table 1 and per-batch errors vs truth.") var truth: String?
    @Option(help: "Bin width in eV of the summed spectra.") var bin = 5.0
    @Option(help: "Loss used for the figure 5 rerun: density or paper.") var loss = "density"
    @Option(help: "Optimizer for the figure 5 rerun: newton, adam or gd.") var method = "newton"
    @Option(help: "Line FWHM in eV for the rerun; default from the other lines' widths.") var fwhm: Double?
    @OptionGroup var output: OutputOptions
    @Flag(help: "Also table 1 held-out: rerun the chains that made --before and --after (read from their method and batch) without each of --folds folds of the events.") var heldOut = false
    @Option(help: "Folds for --held-out (≥ 2).") var folds = 5
    @Flag(help: "JSON output.") var json = false
    @OptionGroup var rootInput: ROOTInputOptions

    /// The report's JSON with the hardware limit, warnings and the held-out table next to it.
    struct Output: Encodable {
        var report: BeforeAfterReport
        var hardwareLimit: HardwareLimit?
        var warnings: [String]
        var heldOut: HeldOutTable?
        enum CodingKeys: String, CodingKey { case warnings, hardwareLimit = "hardware_limit", heldOut = "held_out" }
        func encode(to encoder: Encoder) throws {
            try report.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(hardwareLimit, forKey: .hardwareLimit)
            try c.encode(warnings, forKey: .warnings)
            try c.encodeIfPresent(heldOut, forKey: .heldOut)
        }
    }

    func run() throws {
        try reportingErrors {
            guard bin > 0, bin.isFinite, 1500 / bin >= 10 else { throw SDDError.invalidArgument("--bin", "needs a positive width giving at least 10 bins") }
            guard CheckedSize.binCount(span: 1500, width: bin, limit: InputLimits.current.maxChannels) != nil else {
                throw SDDError.invalidArgument("--bin", "\(bin) eV gives more than \(InputLimits.current.maxChannels) bins (limit SDDCAL_MAX_CHANNELS)")
            }
            if try !EventFile.holdsEvents(events) {
                // Figures 5 and 6 rerun and judge the refinement, which works on events; histogram input has none.
                throw SDDError.invalidArgument("events", "'\(events)' holds histograms: report compares an optimization, which needs events; compare two calibrations of histograms with `sddcal fit \(events) --calib FILE` for each")
            }
            let settings = try Optimize.makeSettings(loss: loss, method: method, fwhm: fwhm)
            let b = try CalibrationSet.load(before), a = try CalibrationSet.load(after)
            let t = try truth.map { try SimulationTruth.load($0, pairedWith: events) }
            let tr = try trace.map { try TraceRecorder.load(csv: $0) }
            let bar = TerminalProgressBar("read")
            let read = try EventFile.read(events, options: rootInput.readOptions(), progress: bar)
            bar.finish()
            let report = try BeforeAfterReport.make(events: read.events, before: b, after: a, settings: settings, binWidth: bin, truth: t, trace: tr)
            let profile = LineProfile.named(b.profile) ?? .vip2
            // The strong-line widths of the reference (standard) calibration, else of the optimized file.
            let limit = HardwareLimit.cuKalpha(preferringTimelines: [b, a], profile: profile)
            var warnings = [limit?.warning(measured: report.before.fwhmEV, error: report.before.fwhmErrorEV, label: "reference (in-sample)"),
                            limit?.warning(measured: report.after.fwhmEV, error: report.after.fwhmErrorEV, label: "optimized (in-sample)")].compactMap { $0 }
            var table: HeldOutTable? = nil
            if heldOut {
                guard folds >= 2, folds <= 50 else { throw SDDError.invalidArgument("--folds", "must be 2…50") }
                let rb = try CalibrationRecipe(of: b, file: before), ra = try CalibrationRecipe(of: a, file: after)
                let pb = try rb.procedure(name: "reference", profile: profile, settings: settings)
                let pa = try ra.procedure(name: "optimized", profile: profile, settings: settings)
                let procedure: CalibrationProcedure = { e in
                    (try pb?(e) ?? [CalibrationStage(name: "reference", calibration: b)]) + (try pa?(e) ?? [CalibrationStage(name: "optimized", calibration: a)])
                }
                var cf = CrossFitting(folds: folds, seed: 1)
                cf.binWidth = bin
                let r = try cf.evaluate(events: read.events, procedure: procedure) { statusLine("held-out: " + $0) }
                statusLine(nil)
                let truthRow = t.map { ts -> (LineFitResult, intrinsic: Double) in
                    (cf.measure(cf.spectrum(events: read.events, calibration: ts)), report.truth?.intrinsicFWHM ?? .nan)
                }
                let ht = HeldOutTable(r, crossFitting: cf, gain: ("reference", "optimized"), truth: truthRow, hardwareLimit: limit)
                warnings = ht.warnings
                table = ht
            }
            var written: [String] = []
            if let dir = svg { written = try SVGFigures.write(report, to: dir, overwrite: output.force) }
            if json { try printJSON(Output(report: report, hardwareLimit: limit, warnings: warnings, heldOut: table)); return }
            print(report.text, terminator: "")
            if let table { print("\n" + table.text, terminator: "") }
            else {
                print("\nTable 1 above is in-sample (each calibration fitted on these events); --held-out adds the cross-fitted figures.")
                if let limit { print(String(format: "hardware limit (ENC and Fano from the strong lines, %d cells): %.1f ± %.1f eV", limit.cells, limit.fwhm, limit.error)) }
                for w in warnings { print(w) }
            }
            for p in written { print("wrote \(p)") }
        }
    }
}
