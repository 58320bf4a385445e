import ArgumentParser
import Foundation
import Inspector
import InspectorTerminal
import SDDCore

/// `sddcal inspect`: the terminal inspector for spectra, seeds and the optimization.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the terminal inspector on an event or histogram file: cells, spectra, seeds, optimization, before/after.",
        discussion: """
        Views: 1 overview of all cells, 2 a cell's spectrum (braille plot, zoom, cursor, centroids), \
        3 seeds (nudge a centroid, refit), 4 optimize (live log-likelihood), 5 before/after at Cu Kα \
        against a reference (r: the --reference standard calibration, the standard one, the --truth), \
        summed or per cell (s), with held-out figures (h: the chain rerun without each fold, in the background). \
        ? lists every key; q or Ctrl-C quits and restores the terminal. Without --calib the standard \
        calibration is computed in the background (progress in the status bar). \
        With --json nothing is drawn: the overview (counts, Cu Kα FWHM, hardware limit, flags) is printed.
        """)

    enum Glyphs: String, ExpressibleByArgument, CaseIterable { case auto, unicode, blocks, ascii }
    enum Colors: String, ExpressibleByArgument, CaseIterable { case auto, c256 = "256", c8 = "8", mono }

    @Argument(help: "Events file (.bin, or .csv with header sdd,adc,time) or histogram file (.mca, .Spe, .npy, text/CSV).") var file: String
    @Option(help: "Calibration file (JSON) to start from instead of computing the standard one.") var calib: String?
    @Option(help: "CNN model file (default: the shipped model, if found).") var model: String?
    @Option(help: "Write the calibration here whenever it changes: an accepted optimization (view 4, key a) or a seeds refit written into a batch (view 3, key w).") var out: String?
    @Option(help: "Seeds file (sddcal.seeds): seeds nudged in view 3 are written here as you go; when it exists its seeds are loaded and the standard calibration replays them (as `calibrate --seeds-file` does).") var seeds: String?
    @OptionGroup var output: OutputOptions
    @Option(help: "Refinement of view 4, as in `sddcal optimize`: smooth (default), per-batch, or newton, adam, gd (per-batch with that optimizer).") var method = "smooth"
    @Option(help: "Batch length: 48h, 30d, 90m, a count of events, or all.") var batch = "48h"
    @Option(help: "Batch length of the before/after view's reference standard calibration (the paper's 30 d).") var reference = "30d"
    @Option(help: "Simulator truth file of the events (sddcal simulate --truth): the true calibration becomes a before/after reference.") var truth: String?
    @Option(help: "Line profile (vip2, siddharta2, or a list like TiKa,FeKa,CuKa).") var profile = "vip2"
    @Option(help: "Glyphs: \(Glyphs.allCases.map(\.rawValue).joined(separator: "|")) (auto: Unicode on a UTF-8 locale).") var glyphs: Glyphs = .auto
    @Option(help: "Colours: \(Colors.allCases.map(\.rawValue).joined(separator: "|")) (auto: what the terminal offers).") var colors: Colors = .auto
    @Option(help: "Frame-rate cap for background repaints (frames per second).") var fps = 15.0
    @Option(help: "Write frame statistics (bytes per frame, key-to-frame latency) as JSON here on exit.") var stats: String?
    @Flag(help: "Print the overview as JSON instead of opening the inspector.") var json = false
    @OptionGroup var rootInput: ROOTInputOptions

    func run() throws {
        try reportingErrors {
            if let out, !output.force && FileManager.default.fileExists(atPath: out) { throw SDDError.outputExists(out) }
            var dataset = try Self.load(file: file, calib: calib, batch: batch, profile: profile,
                                        readOptions: rootInput.readOptions())
            dataset.referenceBatch = try BatchSpec(parsing: reference).description
            if let truth {
                guard dataset.events != nil else { throw SDDError.invalidArgument("--truth", "needs an event file") }
                dataset.truth = try SimulationTruth.load(truth, pairedWith: file)
            }
            let choice = try Optimize.refinementChoice(method: method, optimizer: nil)
            let settings = try Optimize.makeSettings(loss: "density", method: choice.optimizer)
            let hand = try seeds.flatMap { path in
                try FileManager.default.fileExists(atPath: path)
                    ? SeedsFileSeeder.load(path, profile: dataset.profile, batch: BatchSpec(parsing: batch)) : nil
            }
            var (services, cnnNote) = try InspectorLiveServices.make(profile: dataset.profile, model: model, refinement: settings,
                                                                          smooth: choice.smooth, out: out, overwrite: output.force, seeds: hand)
            if let path = seeds {
                // The seeds file is this session's to keep up to date (it was read above when it existed).
                services.saveSeeds = { f in try f.save(path, overwrite: true); return path }
            }
            if json {
                let engine = InspectorEngine(services: services, synchronous: true)
                let s = InspectorSession(state: InspectorState(width: 80, height: 24), engine: engine)
                s.dispatch(.datasetLoaded(dataset))
                if let hand { s.dispatch(.seedsLoaded(hand)) }
                s.pump()
                try printJSON(InspectOverview(s.state))
                return
            }
            let engine = InspectorEngine(services: services)
            let session = InspectorSession(state: InspectorState(width: 80, height: 24), engine: engine)
            let opts = TerminalOptions(glyphs: glyphs == .auto ? nil : GlyphSet(rawValue: glyphs.rawValue),
                                       colors: colors == .auto ? nil : ColorCapability(rawValue: colors.rawValue),
                                       maxFPS: fps, statsPath: stats)
            let stats: FrameStats
            do {
                stats = try TerminalApp.run(session, options: opts) { s in
                    s.dispatch(.datasetLoaded(dataset))
                    if let hand { s.dispatch(.seedsLoaded(hand)) }
                    if let n = cnnNote { s.dispatch(.notice(n)) }
                }
            } catch let e as TerminalError {
                throw SDDError.failed("inspect: \(e.description)")
            }
            // Interrupted (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT, …): the terminal is restored; exit as the shell expects.
            if stats.signal != 0 { throw ExitCode(128 + stats.signal) }
        }
    }

    /// Reads the events (progress on stderr) and the calibration, and builds the dataset.
    static func load(file: String, calib: String?, batch: String, profile: String,
                     readOptions: EventReadOptions = .strict) throws -> Dataset {
        let spec = try BatchSpec(parsing: batch)
        guard let prof = LineProfile.named(profile) else { throw SDDError.invalidArgument("--profile", "unknown profile '\(profile)'") }
        let calibration = try calib.map(CalibrationSet.load)
        let name = (file as NSString).lastPathComponent
        if try !EventFile.holdsEvents(file) {
            let records = try SpectrumFile.read(file)
            guard !records.isEmpty else { throw SDDError.badFile(file: file, message: "no spectra") }
            var d = Dataset(name: name, records: records, profile: prof)
            if let c = calibration { d.calibration = c }
            return d
        }
        let bar = TerminalProgressBar("read")
        let read = try EventFile.read(file, options: readOptions, progress: bar)
        bar.finish()
        guard !read.events.isEmpty else { throw SDDError.badFile(file: file, message: "no events") }
        var d = Dataset(name: name, events: read.events, profile: prof, batch: spec)
        d.calibration = calibration
        return d
    }
}

/// The overview as JSON (`sddcal inspect --json`).
struct InspectOverview: Encodable {
    struct CellRow: Encodable {
        var cell: Int
        /// The cell's name in a histogram file (ROOT key, CSV column, file name), when it has one.
        var label: String?
        var events: Int
        var batches: Int
        var cu_ka_fwhm_ev: Double?
        var hardware_limit_fwhm_ev: Double?
        var flag: String
        var note: String
    }
    var file: String
    var profile: String
    var batch: String
    var cells: [CellRow]

    init(_ s: InspectorState) {
        let d = s.dataset!
        file = d.name; profile = d.profile.name; batch = d.batchSpec
        cells = d.cells.map {
            CellRow(cell: $0.cell, label: $0.label, events: $0.events, batches: $0.batches.count, cu_ka_fwhm_ev: $0.summary.cuKaFWHM,
                    hardware_limit_fwhm_ev: $0.summary.hardwareFWHM, flag: "\($0.summary.flag)", note: $0.summary.note)
        }
    }
}
