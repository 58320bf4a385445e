import Foundation
import SDDCore

/// Scores the overview's flags against planted faults (`sddcal faults`): a month is simulated with
/// faults in random cells and batches (``FaultPlan``), calibrated by the inspector's own standard
/// calibration, the calibration-side faults are applied (``FaultPlanting``), and the overview's
/// summaries (``Analysis/summaries(_:calibration:services:quality:)``) are compared with the plants.
public enum FaultFinderScore {
    /// What one run simulates.
    public struct Settings: Sendable {
        public var cells = 32
        public var days = 30.0
        /// Mean events per cell per day (the simulator's default 10,400).
        public var rate = 10_400.0
        /// Faults planted per run; `plan.batchSeconds` is also the chain's batch length.
        public var plan: FaultPlan = {
            var p = FaultPlan.oneOfEach
            p.gainSteps = 2; p.wrongIdentifications = 2; p.deadCells = 1; p.noisyCells = 2; p.dropouts = 2; p.offsetShifts = 2
            return p
        }()
        public init() {}

        /// The simulation of one seed: the default VIP-2 month without the simulator's own small
        /// gain steps (clean cells are clean), with the plan's faults.
        public func simulation(seed: UInt64) -> SimulationConfig {
            var c = SimulationConfig.vip2(cells: cells, days: days, seed: seed)
            c.steps = 0
            c.eventsPerCellPerDay = rate
            c.faults = plan
            return c
        }
    }

    /// One planted fault and what the overview said about its cell.
    public struct Outcome: Sendable, Equatable {
        public var fault: PlantedFault
        /// The cell is flagged check or bad.
        public var flagged: Bool
        /// … with a finding of the fault's kind (in the fault's batch for batch faults).
        public var rightReason: Bool
        /// The overview's reasons for the cell.
        public var note: String
    }

    /// The result of one seed.
    public struct SeedResult: Sendable, Equatable {
        public var seed: UInt64
        public var outcomes: [Outcome]
        /// Cells without a fault, and those of them flagged (cell → reasons).
        public var cleanCells: Int
        public var cleanFlagged: [Int: String]
        /// The flagged clean cells whose calibration from the chain really is off: in some batch, Ti Kα
        /// or Mn Kα more than `offTruth` eV from where the true calibration puts it (not a false alarm,
        /// a miscalibration nobody planted).
        public var cleanOffTruth: Set<Int> = []
        /// For each flagged clean cell, what its standard calibration did: the batches not fitted "ok"
        /// with their status (e.g. "batch 4 partial: missing TiKa (fit max-iterations)"), one per line.
        public var cleanFlaggedBatches: [Int: [String]] = [:]
    }

    /// How far (eV) a clean cell's calibration must be from the truth at Ti Kα or Mn Kα to count as really off.
    public static let offTruth = 20.0

    /// Simulates, calibrates, plants and scores one seed. `services` are the overview's (line fit and Cu
    /// Kα fit for the summaries); `calibrate` is the standard calibration of the chain.
    public static func run(seed: UInt64, settings: Settings, services: InspectorServices,
                           calibrate: (Dataset) throws -> CalibrationSet) throws -> SeedResult {
        let config = settings.simulation(seed: seed)
        try settings.plan.check(cells: config.cells, days: config.days)
        let simulator = try VIP2Simulator(config: config)
        let (events, truth) = simulator.run()
        let profile = simulator.profile
        var d = Dataset(name: "seed \(seed)", events: events, profile: profile, batch: .duration(settings.plan.batchSeconds))
        let faults = truth.faults ?? []
        let standard = try calibrate(d)
        let planted = FaultPlanting.apply(faults, to: standard, profile: profile)
        d.calibration = planted
        let summaries = Analysis.summaries(d, calibration: planted, services: services)
        var result = score(d, summaries: summaries, faults: faults, seed: seed)
        result.cleanOffTruth = Set(result.cleanFlagged.keys.filter { offTruth(d, cell: $0, calibration: planted, truth: truth, profile: profile) })
        for c in result.cleanFlagged.keys {
            result.cleanFlaggedBatches[c] = details(cell: c, calibration: planted, summary: summaries[c])
        }
        return result
    }

    /// What a flagged cell's standard calibration and summary measured, one item per line: how many
    /// residuals were judged and the pull each needed, the batches not fitted "ok" with their status, lines with residuals over 10 eV (with their energy errors and
    /// counts), and the Cu Kα width against the hardware limit.
    public static func details(cell: Int, calibration set: CalibrationSet, summary: CellSummary?,
                               quality: CalibrationQuality = CalibrationQuality()) -> [String] {
        var out: [String] = []
        let batches = set.batches(ofCell: cell) ?? []
        let judged = batches.reduce(0) { n, b in n + b.lines.filter { $0.residual != nil && $0.centroidError > 0 }.count }
        out.append(String(format: "%d residuals judged: each counts from %.1fσ of its error", judged, quality.residualMinimumPull(judged: judged)))
        for b in batches {
            if b.status != .ok { out.append("batch \(b.index) \(b.status)") }
            for l in b.lines {
                guard let r = l.residual, abs(r) > 10 else { continue }
                let err = abs(b.calibration.slope(l.centroidADC)) * l.centroidError
                out.append(String(format: "batch %d %@ residual %.1f eV ± %.1f (%.1fσ; centroid %.1f ± %.2f ADC, %.0f counts)",
                                  b.index, l.line, r, err, abs(r) / err, l.centroidADC, l.centroidError, l.counts ?? .nan))
            }
        }
        if let s = summary, let f = s.cuKaFWHM, let h = s.hardwareFWHM {
            out.append(String(format: "Cu Kα FWHM %.1f ± %.1f eV, hardware limit %.1f eV (limit fit %@)", f, s.cuKaFWHMError ?? .nan, h,
                              s.hardwareLimit.map { String(format: "%.1f ± %.1f", $0.fwhm, $0.error) } ?? "none"))
        }
        return out
    }

    /// Whether a cell's calibration puts Ti Kα or Mn Kα more than ``offTruth`` eV from the truth in some
    /// batch (the truth averaged over the batch's window, where the line's true ADC is).
    public static func offTruth(_ d: Dataset, cell: Int, calibration set: CalibrationSet, truth: SimulationTruth,
                                profile: LineProfile) -> Bool {
        guard let batches = set.batches(ofCell: cell), let t = truth.cell(cell) else { return false }
        let lines = ["TiKa", "MnKa"].compactMap { profile.line($0) }
        for b in batches {
            var worst = 0.0
            for l in lines {
                // The mean over the window of E(true ADC of the line) under the batch's calibration.
                var sum = 0.0, n = 0
                for k in 0..<24 {
                    let tk = b.start + (Double(k) + 0.5) / 24 * (b.end - b.start)
                    guard let a = t.calibration(at: tk).adc(forEnergy: l.energy) else { continue }
                    sum += b.calibration.energy(a) - l.energy; n += 1
                }
                if n > 0 { worst = Swift.max(worst, abs(sum / Double(n))) }
            }
            if worst > offTruth { return true }
        }
        return false
    }

    /// Compares the summaries with the plants.
    public static func score(_ d: Dataset, summaries: [Int: CellSummary], faults: [PlantedFault], seed: UInt64) -> SeedResult {
        var outcomes: [Outcome] = []
        let faulty = Set(faults.map(\.cell))
        for f in faults {
            let s = summaries[f.cell]
            let flagged = s.map { $0.flag == .warn || $0.flag == .bad } ?? false
            let cell = d.cells.first { $0.cell == f.cell }
            let right = flagged && (s?.findings.contains { matches($0, f, cell: cell) } ?? false)
            outcomes.append(Outcome(fault: f, flagged: flagged, rightReason: right, note: s?.note ?? "cell not in the data"))
        }
        var clean: [Int: String] = [:]
        var cleanCount = 0
        for c in d.cells where !faulty.contains(c.cell) {
            cleanCount += 1
            if let s = summaries[c.cell], s.flag == .warn || s.flag == .bad { clean[c.cell] = s.note }
        }
        return SeedResult(seed: seed, outcomes: outcomes, cleanCells: cleanCount, cleanFlagged: clean)
    }

    /// Whether a finding names the planted fault: the same kind of reason, in the batch whose window
    /// holds the fault (its step time, else its window's middle).
    public static func matches(_ finding: CalibrationQuality.Finding, _ f: PlantedFault, cell: CellInfo?) -> Bool {
        func inBatch(_ index: Int) -> Bool {
            guard let t = f.time ?? f.midTime, let b = cell?.batches.first(where: { $0.index == index }) else { return false }
            return b.start <= t && t < b.end
        }
        switch (f.kind, finding) {
        case (.deadCell, .deadCell): return true
        case (.noisyCell, .noisy): return true
        case (.gainStep, .gainStep(let b, _, _, _)): return inBatch(b)
        case (.fewCounts, .fewCounts(let b, _, _, _)): return inBatch(b)
        case (.offsetShift, .offsetShift(let b, _)): return inBatch(b)
        case (.wrongIdentification, .wrongIdentification(let b, _, _, _)), (.wrongIdentification, .linesOffMarks(let b, _)): return inBatch(b)
        default: return false
        }
    }

    /// Counts over seeds, per fault kind and for clean cells.
    public struct Table: Sendable, Equatable {
        public struct Row: Sendable, Equatable {
            public var planted = 0, flagged = 0, rightReason = 0
        }
        public var rows: [PlantedFault.Kind: Row] = [:]
        public var cleanCells = 0
        public var cleanFlagged = 0
        /// Flagged clean cells whose calibration really is off the truth (``SeedResult/cleanOffTruth``).
        public var cleanFlaggedOffTruth = 0
        public var seeds = 0

        public init(_ results: [SeedResult]) {
            for r in results {
                seeds += 1
                for o in r.outcomes {
                    var row = rows[o.fault.kind] ?? Row()
                    row.planted += 1
                    if o.flagged { row.flagged += 1 }
                    if o.rightReason { row.rightReason += 1 }
                    rows[o.fault.kind] = row
                }
                cleanCells += r.cleanCells
                cleanFlagged += r.cleanFlagged.count
                cleanFlaggedOffTruth += r.cleanOffTruth.count
            }
        }

        /// All faults together.
        public var total: Row {
            rows.values.reduce(into: Row()) { $0.planted += $1.planted; $0.flagged += $1.flagged; $0.rightReason += $1.rightReason }
        }

        /// The table as text: per kind planted, flagged and flagged with the right reason; clean cells flagged.
        public var text: String {
            func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "   –   " : String(format: "%5.1f %%", 100 * Double(a) / Double(b)) }
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
            func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
            var lines = ["\(pad("fault", 22)) \(lpad("planted", 7))  \(lpad("flagged", 15))  \(lpad("right reason", 15))"]
            let names: [PlantedFault.Kind: String] = [.gainStep: "gain step in a batch", .wrongIdentification: "wrong line id",
                                                      .deadCell: "dead cell", .noisyCell: "noisy cell (2× ENC)",
                                                      .fewCounts: "too few counts", .offsetShift: "shifted offset"]
            for k in PlantedFault.Kind.allCases {
                guard let r = rows[k] else { continue }
                lines.append("\(pad(names[k] ?? k.rawValue, 22)) \(lpad("\(r.planted)", 7))  \(lpad("\(r.flagged)", 5)) \(pct(r.flagged, r.planted))  \(lpad("\(r.rightReason)", 5)) \(pct(r.rightReason, r.planted))")
            }
            let t = total
            lines.append("\(pad("all faults", 22)) \(lpad("\(t.planted)", 7))  \(lpad("\(t.flagged)", 5)) \(pct(t.flagged, t.planted))  \(lpad("\(t.rightReason)", 5)) \(pct(t.rightReason, t.planted))")
            lines.append("\(pad("clean cells", 22)) \(lpad("\(cleanCells)", 7))  \(lpad("\(cleanFlagged)", 5)) \(pct(cleanFlagged, cleanCells))")
            let fa = cleanFlagged - cleanFlaggedOffTruth
            lines.append("\(pad("  of which really off", 22)) \(lpad("", 7))  \(lpad("\(cleanFlaggedOffTruth)", 5)) \(pct(cleanFlaggedOffTruth, cleanCells))   (calibration > \(Int(offTruth)) eV from truth at Ti/Mn Kα)")
            lines.append("\(pad("  false alarms", 22)) \(lpad("", 7))  \(lpad("\(fa)", 5)) \(pct(fa, cleanCells))")
            return lines.joined(separator: "\n")
        }
    }
}
