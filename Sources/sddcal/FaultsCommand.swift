import ArgumentParser
import Foundation
import Inspector
import LineFitting
import SDDCore

/// `sddcal faults`: scores the inspector overview's flags against faults planted in simulated months.
struct Faults: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the overview's flags against miscalibrations planted in simulated months.",
        discussion: """
        For each seed a month is simulated in memory (the simulator's defaults without its small gain \
        steps) with faults in random cells and batches: gain steps of 1.5–3 % inside a batch, batches \
        calibrated on wrongly identified peaks (Kβ taken for Kα, Ti for Mn, Mn for Ti), a dead cell, noisy \
        cells (2× ENC), rate dropouts (a batch with 1–3 % of its counts) and batches with an offset shifted \
        by 40–100 eV. The inspector's standard calibration runs, the calibration-side faults are applied, \
        and the overview's flags are compared with the plants: per kind the faults flagged check or bad, \
        and flagged with a reason of the fault's kind (in its batch); and the clean cells flagged.
        """)

    @Option(help: "Number of seeded months.") var seeds = 10
    @Option(help: "First seed (seeds are first, first+1, …).") var firstSeed: UInt64 = 1
    @Option(help: "Cells.") var cells = 32
    @Option(help: "Days per month.") var days = 30.0
    @Option(help: "Mean events per cell per day (simulator default 10400).") var rate = 10_400.0
    @Option(help: "Batch length of the calibration (and of the batch faults).") var batch = "48h"
    @Option(help: "Faults of each kind per month (the dead cell: one per month when > 0).") var perKind = 2
    @Flag(help: "List every fault missed and every clean cell flagged.") var verbose = false
    @Flag(help: "JSON output.") var json = false

    struct SeedJSON: Encodable {
        struct FaultJSON: Encodable {
            var kind: String, cell: Int, batch: Int?, size: Double?, identification: String?
            var flagged: Bool, right_reason: Bool, note: String
        }
        var seed: UInt64
        var faults: [FaultJSON]
        var clean_cells: Int
        var clean_flagged: [String: String]
        var clean_flagged_off_truth: [Int]
    }
    struct RowJSON: Encodable { var kind: String, planted: Int, flagged: Int, right_reason: Int }
    struct Output: Encodable {
        var settings: [String: String]
        var seeds: [SeedJSON]
        var rows: [RowJSON]
        var clean_cells: Int
        var clean_flagged: Int
        var clean_flagged_off_truth: Int
    }

    func run() throws {
        try reportingErrors {
            guard seeds >= 1, seeds <= 1000 else { throw SDDError.invalidArgument("--seeds", "must be 1…1000") }
            guard perKind >= 0, perKind <= 100 else { throw SDDError.invalidArgument("--per-kind", "must be 0…100") }
            guard case .duration(let batchSeconds) = try BatchSpec(parsing: batch) else {
                throw SDDError.invalidArgument("--batch", "must be a duration (48h, 1d, …)")
            }
            var settings = FaultFinderScore.Settings()
            settings.cells = cells; settings.days = days; settings.rate = rate
            var plan = FaultPlan()
            plan.gainSteps = perKind; plan.wrongIdentifications = perKind; plan.deadCells = min(1, perKind)
            plan.noisyCells = perKind; plan.dropouts = perKind; plan.offsetShifts = perKind
            plan.batchSeconds = batchSeconds
            settings.plan = plan
            try plan.check(cells: cells, days: days)
            _ = try VIP2Simulator(config: settings.simulation(seed: firstSeed))   // settings checked before any work
            let (services, _) = try InspectorLiveServices.make(profile: .vip2, model: nil)
            let calibrator = StandardCalibrator(profile: .vip2)
            var results: [FaultFinderScore.SeedResult] = []
            for k in 0..<seeds {
                let seed = firstSeed + UInt64(k)
                let started = Date()
                let r = try FaultFinderScore.run(seed: seed, settings: settings, services: services) { d in
                    calibrator.calibrate(BatchedEvents(d.events!, spec: .duration(batchSeconds)), source: "sddcal faults seed \(seed)")
                }
                results.append(r)
                if !json {
                    let hit = r.outcomes.filter(\.rightReason).count
                    print(String(format: "seed %llu: %d/%d faults flagged with the right reason, %d/%d clean cells flagged (%d really off the truth) (%.0f s)",
                                 seed, hit, r.outcomes.count, r.cleanFlagged.count, r.cleanCells, r.cleanOffTruth.count, Date().timeIntervalSince(started)))
                    if verbose {
                        for o in r.outcomes where !o.rightReason {
                            print("  missed \(o.fault.kind) cell \(o.fault.cell) batch \(o.fault.batch.map(String.init) ?? "-") size \(o.fault.size.map { String(format: "%.4g", $0) } ?? "-"): \(o.note.isEmpty ? "not flagged" : o.note)")
                        }
                        for (c, note) in r.cleanFlagged.sorted(by: { $0.key < $1.key }) {
                            print("  clean cell \(c) flagged\(r.cleanOffTruth.contains(c) ? " (really off the truth)" : ""): \(note)")
                            for b in r.cleanFlaggedBatches[c] ?? [] { print("    \(b)") }
                        }
                    }
                    fflush(stdout)
                }
            }
            let table = FaultFinderScore.Table(results)
            if json {
                let seedsJSON = results.map { r in
                    SeedJSON(seed: r.seed, faults: r.outcomes.map {
                        .init(kind: $0.fault.kind.rawValue, cell: $0.fault.cell, batch: $0.fault.batch, size: $0.fault.size,
                              identification: $0.fault.identification?.rawValue, flagged: $0.flagged, right_reason: $0.rightReason, note: $0.note)
                    }, clean_cells: r.cleanCells, clean_flagged: Dictionary(uniqueKeysWithValues: r.cleanFlagged.map { (String($0.key), $0.value) }),
                              clean_flagged_off_truth: r.cleanOffTruth.sorted())
                }
                let rows = PlantedFault.Kind.allCases.compactMap { k in
                    table.rows[k].map { RowJSON(kind: k.rawValue, planted: $0.planted, flagged: $0.flagged, right_reason: $0.rightReason) }
                }
                try printJSON(Output(settings: ["seeds": "\(firstSeed)…\(firstSeed + UInt64(seeds) - 1)", "cells": "\(cells)",
                                                "days": "\(days)", "rate": "\(rate)", "batch": batch, "per_kind": "\(perKind)"],
                                     seeds: seedsJSON, rows: rows, clean_cells: table.cleanCells, clean_flagged: table.cleanFlagged,
                                     clean_flagged_off_truth: table.cleanFlaggedOffTruth))
            } else {
                print("\n\(seeds) seeds × \(cells) cells × \(days) days at \(rate) events/cell/day, \(batch) batches")
                print(table.text)
            }
        }
    }
}
