import ArgumentParser
import CalibrationRefinement
import Foundation
import SDDCore

/// `sddcal optimize`: refines a calibration, by default as a smooth function of time per cell fitted to
/// all lines (`--method smooth`), or batch by batch on the unbinned Cu Kα likelihood (`--method per-batch`).
struct Optimize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Refine a calibration: smooth in time on all lines (default) or per batch on Cu Kα (the paper's).",
        discussion: """
        --method smooth (default): per cell, offset and log-gain at knots (about 300 strong-line events \
        per interval, 1 h at the default rate) with a random-walk prior whose strength is estimated from the \
        data (pooled marginal likelihood), one curvature per cell; fitted by Newton with a banded solve to the \
        unbinned likelihood of the events of every line window (Ti, Mn, Cu: line shape × dE/dADC + background, \
        normalised over the window at each event's time). Writes a version-2 calibration file (a timeline per \
        cell; batches hold the timeline averaged over each batch). Starts from --calib (the standard calibration).

        --method per-batch (the paper's method; 'newton', 'adam' or 'gd' also select it with that optimizer): \
        each batch of --calib is refined on its own events (both cores). The default loss ('density') \
        is the event density in ADC inside the fixed window (7000–8500 eV under the starting \
        calibration): line shape × dE/dADC, normalised over the window, with tail and linear \
        background, anchored by the Ti/Mn centroids and errors of the calibration file. '--loss paper' \
        is eq. 3 of the paper as printed, kept for comparison: it is ill-posed (it rewards squeezing the \
        energy scale). Derivatives are exact (forward-mode automatic differentiation).
        """)

    @Argument(help: "Events file (.csv or .bin).") var events: String
    @Option(help: "Starting calibration (e.g. from `sddcal calibrate`).") var calib: String
    @Option(help: "Output calibration file.") var out: String
    @Option(help: "Start every batch of --calib from this calibration's coefficients (e.g. a 30-day one), keeping --calib's line centroids as anchors.")
    var start: String?
    @Option(help: "Write every iteration (cell, batch, iteration, log-likelihood, p0, p1, p2) to a .csv or .json file.")
    var trace: String?
    @Option(help: "Loss: density (default, well-posed) or paper (eq. 3 as printed).") var loss = "density"
    @Option(help: "Refinement: smooth (default) or per-batch; newton, adam or gd mean per-batch with that optimizer.") var method = "smooth"
    @Option(help: "Optimizer of --method per-batch: newton (default), adam or gd.") var optimizer: String?
    @Option(help: "Smooth: fix the offset random-walk strength (eV/√day) instead of estimating it.") var priorOffset: Double?
    @Option(help: "Smooth: fix the log-gain random-walk strength (1/√day) instead of estimating it.") var priorGain: Double?
    @Option(help: "Smooth: strong-line events per knot interval (sets the knot spacing, 1 h to 4 d).") var countsPerKnot: Double?
    @Option(help: "Learning rate in whitened units (σ); default per method (newton 1, gd 0.5, adam 0.3).") var learningRate: Double?
    @Option(help: "Maximum iterations per batch; default per method.") var maxIterations: Int?
    @Option(help: "Energy window in eV, LO:HI.") var window = "7000:8500"
    @Option(help: "Line FWHM in eV at Cu Kα; default from the other lines' widths in --calib.") var fwhm: Double?
    @Option(help: "Tail area fraction of the line shape (default: measured per cell on Mn Kα).") var tailFraction: Double?
    @Option(help: "Tail slope β in σ (default: measured per cell on Mn Kα).") var tailSlope: Double?
    @OptionGroup var output: OutputOptions
    @Flag(help: "JSON output.") var json = false
    @OptionGroup var rootInput: ROOTInputOptions

    /// Smooth or per-batch, and the per-batch optimizer, from --method and --optimizer.
    static func refinementChoice(method: String, optimizer: String?) throws -> (smooth: Bool, optimizer: String) {
        switch method {
        case "smooth":
            if optimizer != nil { throw SDDError.invalidArgument("--optimizer", "applies to --method per-batch only") }
            return (true, "newton")
        case "per-batch": return (false, optimizer ?? "newton")
        case "newton", "adam", "gd":
            if let o = optimizer, o != method { throw SDDError.invalidArgument("--optimizer", "'\(o)' contradicts --method \(method)") }
            return (false, method)
        default: throw SDDError.invalidArgument("--method", "'\(method)' is not smooth, per-batch, newton, adam or gd")
        }
    }

    func settings() throws -> RefinementSettings {
        try Self.makeSettings(loss: loss, method: try Self.refinementChoice(method: method, optimizer: optimizer).optimizer,
                              learningRate: learningRate, maxIterations: maxIterations,
                              window: window, fwhm: fwhm, tailFraction: tailFraction, tailSlope: tailSlope)
    }

    func smoothSettings() throws -> SmoothRefinementSettings {
        var s = SmoothRefinementSettings()
        if priorOffset != nil || priorGain != nil {
            guard let o = priorOffset, let g = priorGain else {
                throw SDDError.invalidArgument(priorOffset == nil ? "--prior-offset" : "--prior-gain", "give both --prior-offset and --prior-gain")
            }
            guard o > 0, o.isFinite else { throw SDDError.invalidArgument("--prior-offset", "must be positive") }
            guard g > 0, g.isFinite else { throw SDDError.invalidArgument("--prior-gain", "must be positive") }
            s.prior.offsetStrength = o; s.prior.gainStrength = g; s.estimatePrior = false
        }
        if let c = countsPerKnot {
            guard c >= 1, c.isFinite else { throw SDDError.invalidArgument("--counts-per-knot", "must be at least 1") }
            s.countsPerKnot = c
        }
        return s
    }

    /// Validated settings from option values (shared with `sddcal report`).
    static func makeSettings(loss: String, method: String, learningRate: Double? = nil, maxIterations: Int? = nil,
                             window: String = "7000:8500", fwhm: Double? = nil,
                             tailFraction: Double? = nil, tailSlope: Double? = nil) throws -> RefinementSettings {
        var s = RefinementSettings()
        guard let l = LossKind(rawValue: loss) else { throw SDDError.invalidArgument("--loss", "'\(loss)' is not density or paper") }
        guard let m = OptimizerMethod(rawValue: method) else { throw SDDError.invalidArgument("--method", "'\(method)' is not newton, adam or gd") }
        s.loss = l
        s.optimizer = .defaults(for: m)
        if let lr = learningRate {
            guard lr > 0, lr.isFinite else { throw SDDError.invalidArgument("--learning-rate", "must be positive") }
            s.optimizer.learningRate = lr
        }
        if let n = maxIterations {
            guard n >= 1 else { throw SDDError.invalidArgument("--max-iterations", "must be at least 1") }
            s.optimizer.maxIterations = n
        }
        s.energyWindow = try Self.parseWindow(window, option: "--window")
        if let f = fwhm {
            guard f > 0, f.isFinite else { throw SDDError.invalidArgument("--fwhm", "must be positive") }
            s.lineFWHM = f
        }
        if tailFraction != nil || tailSlope != nil {
            // Given on the command line: used as they are for every cell.
            s.tailFromData = false
            if let f = tailFraction {
                guard f >= 0, f < 1 else { throw SDDError.invalidArgument("--tail-fraction", "must be in [0, 1)") }
                s.tailFraction = f
            }
            if let b = tailSlope {
                guard b > 0, b.isFinite else { throw SDDError.invalidArgument("--tail-slope", "must be positive") }
                s.tailSlope = b
            }
        }
        return s
    }

    static func parseWindow(_ text: String, option: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo.isFinite, hi.isFinite, hi > lo else {
            throw SDDError.invalidArgument(option, "'\(text)' is not LO:HI in eV with LO < HI")
        }
        return lo...hi
    }

    func run() throws {
        try reportingErrors {
            let s = try settings()
            if !output.force {
                if FileManager.default.fileExists(atPath: out) { throw SDDError.outputExists(out) }
                if let t = trace, FileManager.default.fileExists(atPath: t) { throw SDDError.outputExists(t) }
            }
            if let t = trace, !(t.hasSuffix(".csv") || t.hasSuffix(".json")) {
                throw SDDError.invalidArgument("--trace", "'\(t)' must end in .csv or .json")
            }
            // Batch by batch, a version-2 file's timeline starts each batch at its average over the batch.
            var calibration = try CalibrationSet.load(calib).piecewiseConstant()
            if let st = start { calibration = CalibrationRefiner.startingFrom(try CalibrationSet.load(st), anchors: calibration) }
            let readBar = TerminalProgressBar("read")
            let read = try EventFile.read(events, options: rootInput.readOptions(), progress: readBar)
            readBar.finish()
            let recorder = trace == nil ? nil : TraceRecorder()
            if try Self.refinementChoice(method: method, optimizer: optimizer).smooth {
                let smooth = try smoothSettings()
                let bar = TerminalProgressBar("optimize")
                let started = Date()
                let result = try SmoothCalibrationRefiner(smooth).refine(events: read.events, initial: calibration, observer: recorder, progress: bar)
                bar.finish()
                let seconds = Date().timeIntervalSince(started)
                var set = result.calibration.calibrationSet(like: calibration)
                set.source = "sddcal optimize \(events) --calib \(calib)" + (start.map { " --start \($0)" } ?? "") + " --method smooth"
                try set.save(out, overwrite: output.force)
                try writeTrace(recorder)
                let report = SmoothOptimizeReport(result: result, seconds: seconds, output: out)
                if json { try printJSON(report) } else { print(report.text) }
                return
            }
            let bar = TerminalProgressBar("optimize")
            let started = Date()
            let refiner = CalibrationRefiner(settings: s)
            let problems = try refiner.problems(events: read.events, calibration: calibration)
            let prepared = Date()
            let result = refiner.run(problems, calibration: calibration, observer: recorder, progress: bar)
            bar.finish()
            let seconds = Date().timeIntervalSince(started)
            let prepareSeconds = prepared.timeIntervalSince(started)
            var set = result.calibration
            set.source = "sddcal optimize \(events) --calib \(calib)" + (start.map { " --start \($0)" } ?? "") + " --loss \(loss) --method \(method)"
            try set.save(out, overwrite: output.force)
            try writeTrace(recorder)
            var report = OptimizeReport(result: result, seconds: seconds, output: out, loss: s.loss.rawValue, method: s.optimizer.method.rawValue)
            report.prepareSeconds = prepareSeconds
            if json { try printJSON(report) } else { print(report.text) }
        }
    }
}

extension Optimize {
    func writeTrace(_ recorder: TraceRecorder?) throws {
        guard let t = trace, let r = recorder else { return }
        if t.hasSuffix(".json") { try AtomicFile.write(try r.json(), to: t, overwrite: output.force) }
        else { try AtomicFile.write(r.csv(), to: t, overwrite: output.force) }
    }
}

/// What `sddcal optimize --method smooth` prints.
struct SmoothOptimizeReport: Encodable {
    var output: String
    var method = "smooth"
    var seconds: Double
    var cells: Int
    var optimized: Int
    var notConverged: Int
    var kept: Int
    var knotsMedian: Int
    var knotSpacingHoursMedian: Double
    var priorOffsetStrength: Double
    var priorGainStrength: Double
    var logEvidence: Double?
    var logPosteriorBefore: Double
    var logPosteriorAfter: Double
    var phases: [Phase]
    var perCell: [SmoothCellSummary]

    struct Phase: Encodable { var phase: String; var seconds: Double }

    enum CodingKeys: String, CodingKey {
        case output, method, seconds, cells, optimized, kept, phases
        case notConverged = "not_converged", knotsMedian = "knots_median", knotSpacingHoursMedian = "knot_spacing_hours_median"
        case priorOffsetStrength = "prior_offset_ev_per_sqrt_day", priorGainStrength = "prior_gain_per_sqrt_day"
        case logEvidence = "log_evidence", logPosteriorBefore = "log_posterior_before", logPosteriorAfter = "log_posterior_after"
        case perCell = "per_cell"
    }

    init(result: SmoothRefinementResult, seconds: Double, output: String) {
        self.output = output; self.seconds = seconds
        let c = result.cells
        cells = c.count
        let opt = c.filter { $0.status.isOptimized }
        optimized = opt.count
        notConverged = opt.filter { !$0.status.isConvergedOptimization }.count
        kept = c.count - opt.count
        let k = opt.map(\.knots).sorted(), h = opt.map(\.knotSpacingHours).sorted()
        knotsMedian = k.isEmpty ? 0 : k[k.count / 2]
        knotSpacingHoursMedian = h.isEmpty ? 0 : h[h.count / 2]
        priorOffsetStrength = result.calibration.prior.offsetStrength
        priorGainStrength = result.calibration.prior.gainStrength
        logEvidence = result.logEvidence
        logPosteriorBefore = opt.compactMap(\.initialLogPosterior).reduce(0, +)
        logPosteriorAfter = opt.compactMap(\.finalLogPosterior).reduce(0, +)
        perCell = c
        phases = result.timings.map { Phase(phase: $0.phase, seconds: $0.seconds) }
    }

    var text: String {
        var s = "optimized \(optimized) of \(cells) cells (smooth in time, all lines) in \(String(format: "%.3f", seconds)) s -> \(output)\n"
        s += "  knots per cell (median) \(knotsMedian), spacing \(String(format: "%.2f", knotSpacingHoursMedian)) h; not converged \(notConverged); kept unchanged \(kept)\n"
        s += String(format: "  random-walk prior: offset %.3g eV/√day, log-gain %.3g /√day", priorOffsetStrength, priorGainStrength)
            + (logEvidence == nil ? " (fixed)\n" : " (estimated: pooled marginal likelihood)\n")
        s += String(format: "  log-posterior (sum over cells) %.3f at the start -> %.3f at the end\n", logPosteriorBefore, logPosteriorAfter)
        s += "  time: " + phases.map { "\($0.phase) " + String(format: "%.3f s", $0.seconds) }.joined(separator: ", ") + "\n"
        for (reason, list) in Dictionary(grouping: perCell.filter { !$0.status.isOptimized }, by: { $0.status.description }).sorted(by: { $0.key < $1.key }) {
            s += "  \(list.count) cell(s) \(reason)\n"
        }
        return s.trimmingCharacters(in: .newlines)
    }
}

/// What `sddcal optimize --method per-batch` prints.
struct OptimizeReport: Encodable {
    var output: String
    var loss: String
    var method: String
    var seconds: Double
    /// Of which building the batch problems (per-channel counts, tails, nuisance fits).
    var prepareSeconds: Double = 0
    var batches: Int
    var optimized: Int
    var kept: Int
    var notConverged: Int
    var iterationsMedian: Int
    var logLikelihoodBefore: Double
    var logLikelihoodAfter: Double
    var pullMean: Double?
    var pullRMS: Double?
    var perBatch: [BatchRefinementSummary]

    enum CodingKeys: String, CodingKey {
        case output, loss, method, seconds, batches, optimized, kept
        case prepareSeconds = "prepare_seconds"
        case notConverged = "not_converged", iterationsMedian = "iterations_median"
        case logLikelihoodBefore = "log_likelihood_before", logLikelihoodAfter = "log_likelihood_after"
        case pullMean = "pull_mean", pullRMS = "pull_rms", perBatch = "per_batch"
    }

    init(result: RefinementResult, seconds: Double, output: String, loss: String, method: String) {
        self.output = output; self.loss = loss; self.method = method; self.seconds = seconds
        let b = result.batches
        batches = b.count
        let opt = b.filter { $0.status.isOptimized }
        optimized = opt.count
        kept = b.count - opt.count
        notConverged = opt.filter { !$0.status.isConvergedOptimization }.count
        let its = opt.map(\.iterations).sorted()
        iterationsMedian = its.isEmpty ? 0 : its[its.count / 2]
        logLikelihoodBefore = opt.compactMap(\.initialLogLikelihood).reduce(0, +)
        logLikelihoodAfter = opt.compactMap(\.finalLogLikelihood).reduce(0, +)
        let pulls = opt.compactMap(\.pull)
        if !pulls.isEmpty {
            pullMean = pulls.reduce(0, +) / Double(pulls.count)
            pullRMS = (pulls.map { $0 * $0 }.reduce(0, +) / Double(pulls.count)).squareRoot()
        }
        perBatch = b
    }

    var text: String {
        var s = "optimized \(optimized) of \(batches) batches (\(loss) loss, \(method)) in \(String(format: "%.3f", seconds)) s "
            + "(\(String(format: "%.3f", prepareSeconds)) s preparing) -> \(output)\n"
        s += "  median iterations \(iterationsMedian); not converged \(notConverged); kept unchanged \(kept)\n"
        s += String(format: "  log-likelihood (sum over batches) %.3f -> %.3f\n", logLikelihoodBefore, logLikelihoodAfter)
        if let m = pullMean, let r = pullRMS {
            s += String(format: "  Cu Kα pull (before − after)/σ: mean %.2f, rms %.2f\n", m, r)
        }
        let keptReasons = Dictionary(grouping: perBatch.filter { !$0.status.isOptimized }, by: \.status.description)
        for (reason, list) in keptReasons.sorted(by: { $0.key < $1.key }) {
            s += "  \(list.count) batch(es) \(reason)\n"
        }
        return s.trimmingCharacters(in: .newlines)
    }
}
