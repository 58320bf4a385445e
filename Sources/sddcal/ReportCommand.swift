import ArgumentParser
import CalibrationRefinement
import Foundation
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
    @Flag(help: "JSON output.") var json = false
    @OptionGroup var rootInput: ROOTInputOptions

    func run() throws {
        try reportingErrors {
            guard bin > 0, bin.isFinite, 1500 / bin >= 10 else { throw SDDError.invalidArgument("--bin", "needs a positive width giving at least 10 bins") }
            guard CheckedSize.binCount(span: 1500, width: bin, limit: InputLimits.current.maxChannels) != nil else {
                throw SDDError.invalidArgument("--bin", "\(bin) eV gives more than \(InputLimits.current.maxChannels) bins (limit SDDCAL_MAX_CHANNELS)")
            }
            let settings = try Optimize.makeSettings(loss: loss, method: method, fwhm: fwhm)
            let b = try CalibrationSet.load(before), a = try CalibrationSet.load(after)
            let t = try truth.map(SimulationTruth.load)
            let tr = try trace.map { try TraceRecorder.load(csv: $0) }
            let bar = TerminalProgressBar("read")
            let read = try EventFile.read(events, options: rootInput.readOptions(), progress: bar)
            bar.finish()
            let report = try BeforeAfterReport.make(events: read.events, before: b, after: a, settings: settings, binWidth: bin, truth: t, trace: tr)
            var written: [String] = []
            if let dir = svg { written = try SVGFigures.write(report, to: dir, overwrite: output.force) }
            if json { try printJSON(report); return }
            print(report.text, terminator: "")
            for p in written { print("wrote \(p)") }
        }
    }
}
