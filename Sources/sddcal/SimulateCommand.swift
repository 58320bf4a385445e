import ArgumentParser
import Foundation
import SDDCore

/// `sddcal simulate`: VIP-2-like events with known truth.
struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate VIP-2-like SDD events with drifting calibration and write their truth.",
        discussion: """
        Cells get gains of 2.9–3.3 eV/ADC, zero energy near ADC 600 and a small quadratic term; gain and \
        offset drift by a random walk (knots daily, or every --walk-step), and --steps cells get a sudden gain step. Cu Kα is ~100× \
        weaker than Mn Kα. The truth file holds every cell's calibration as a function of time, its \
        resolution, tail and line yields. Deterministic for a seed.
        """)

    @Option(help: "Number of SDD cells.") var cells = 32
    @Option(help: "Duration of the run in days.") var days = 30.0
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Line profile (vip2, siddharta2, or a list like TiKa,FeKa,CuKa).") var profile = "vip2"
    @Option(help: "Mean events per cell per day.") var rate = 10_400.0
    @Option(help: "Relative gain random walk per √day.") var gainWalk = 1.5e-3
    @Option(help: "ADC offset random walk per √day.") var offsetWalk = 0.5
    @Option(help: "Knot spacing of the gain/offset random walk: a duration such as 1h, 90m or 1d (default 1d). The step per knot is scaled so the drift per √day stays --gain-walk.") var walkStep: String?
    @Option(help: "Number of sudden gain steps planted (default: one per 8 cells).") var steps: Int?
    @Option(help: "Cu Kα yield relative to Mn Kα.") var cuRatio = 0.012
    @Flag(inversion: .prefixedNo, help: "Silicon escape peaks.") var escape = true
    @Option(help: "Output events file (.csv or .bin).") var out: String
    @Option(help: "Output truth file (JSON).") var truth: String
    @OptionGroup var output: OutputOptions
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    func run() throws {
        try reportingErrors {
            var cfg = SimulationConfig.vip2(cells: cells, days: days, seed: seed)
            cfg.profileName = profile
            cfg.eventsPerCellPerDay = rate
            cfg.gainWalk = gainWalk
            cfg.offsetWalk = offsetWalk
            cfg.walkStepSeconds = try walkStep.map(Self.parseWalkStep)
            if let s = steps { cfg.steps = max(0, s) }
            cfg.cuToMnKalpha = cuRatio
            cfg.escapePeaks = escape
            // Fail on bad outputs before doing the work.
            _ = try EventFile.format(forOutput: out)
            for p in [out, truth] where !output.force && FileManager.default.fileExists(atPath: p) {
                throw SDDError.outputExists(p)
            }
            let sim = try VIP2Simulator(config: cfg)
            let bar = TerminalProgressBar("simulate")
            let start = Date()
            let (events, t) = sim.run(progress: bar)
            let simSeconds = Date().timeIntervalSince(start)
            bar.finish()
            let writeBar = TerminalProgressBar("write")
            // Events and truth as one generation: both complete before either replaces an old file.
            let bytes = try SimulationPair.write(events: events, to: out, truth: t, to: truth,
                                                 overwrite: output.force, progress: writeBar).eventBytes
            writeBar.finish()
            let steps = t.cells.flatMap { c in c.steps.map { StepReport(cell: c.cell, time: $0.time, gainFactor: $0.gainFactor) } }
            let report = SimulateReport(events: events.count, cells: cfg.cells, days: cfg.days, seed: cfg.seed,
                                        out: out, bytes: bytes, truth: truth, seconds: simSeconds, steps: steps)
            if json { try printJSON(report) } else {
                print("simulated \(events.count) events, \(cfg.cells) cells × \(cfg.days) days, seed \(cfg.seed), in \(String(format: "%.2f", simSeconds)) s")
                print("events → \(out) (\(bytes) bytes); truth → \(truth)")
                for s in steps {
                    print(String(format: "planted gain step: cell %d at %.1f h, ×%.4f", s.cell, s.time / 3600, s.gainFactor))
                }
            }
        }
    }

    /// A walk knot spacing ("1h", "90m", "1d", "3600s") in seconds.
    static func parseWalkStep(_ text: String) throws -> Double {
        guard case .duration(let s)? = try? BatchSpec(parsing: text) else {
            throw SDDError.invalidArgument("--walk-step", "'\(text)' is not a duration such as 1h, 90m or 1d")
        }
        return s
    }

    struct StepReport: Encodable { let cell: Int; let time: Double; let gainFactor: Double
        enum CodingKeys: String, CodingKey { case cell, time, gainFactor = "gain_factor" } }
    struct SimulateReport: Encodable {
        let events, cells: Int; let days: Double; let seed: UInt64
        let out: String; let bytes: Int; let truth: String; let seconds: Double; let steps: [StepReport]
    }
}
