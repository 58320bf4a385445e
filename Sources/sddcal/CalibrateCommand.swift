import ArgumentParser
import CentroidNetwork
import CentroidSeeding
import Foundation
import LineFitting
import SDDCore

/// `sddcal calibrate`: the standard calibration per cell and time batch.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Standard calibration per cell and batch: seeds, line fits in ADC, E = p0 + p1·ADC + p2·ADC².",
        discussion: """
        For every cell and time batch: seeds for the profile's calibration lines (--seeds), a binned \
        Poisson (Baker–Cousins) fit of each line (Kα1/Kα2 doublet or Kβ, Gaussian + low-energy tail; \
        lines of one element in one window with a linear, or for Kα + Kβ windows quadratic, background \
        and the Si escape peaks of other lines), then a weighted fit of \
        E = p0 + p1·ADC + p2·ADC² to the tabulated energies with covariance. Lines that cannot be fitted \
        are reported in the batch status and left out. Also prints each cell's resolution model \
        (ENC, Fano factor) fitted to its line widths and the intrinsic Cu Kα FWHM it implies.
        Seeds: cnn = the paper's CNN (shipped model, or --model); scipy = the SciPy-style peak finder \
        with line identification at any gain (smoothing half the measured peak σ, prominence ≥ 3·√height, \
        gain 1–100 eV/ADC or --gain LO:HI, Kβ/Kα height ratios checked); pattern = the known line \
        pattern matched under VIP-2's gain prior (no model needed); truth = from a simulator truth file \
        (--truth); auto (default) = cnn when a model for the profile is found, else scipy (the choice is \
        printed and recorded in the calibration file's method).
        Histogram files (a ROOT file's TH1s, run.root:bus1_*; a 2-D .npy, one row per cell; a folder of \
        .mca/.Spe/text spectra; a CSV with one column per cell under a header) calibrate each spectrum as \
        a cell with one batch (--batch does not apply), cells in parallel; each spectrum's name (ROOT \
        key, column header, file name) is kept as the cell's label in the output and the calibration file.
        """)

    enum SeedMethod: String, ExpressibleByArgument, CaseIterable {
        case auto, cnn, scipy, pattern, truth
    }

    @Argument(help: "Events file (.csv or .bin, a ROOT tree) or histogram file, one spectrum per cell (a ROOT file's histograms, run.root:bus1_*; a 2-D .npy, one row per cell; a folder of .mca/.Spe/text spectra; a CSV with one column per cell).") var events: String
    @Option(help: "Batch length: 48h, 30d, 90m, a count of events, or all.") var batch = "48h"
    @Option(help: "Seed method: \(SeedMethod.allCases.map(\.rawValue).joined(separator: "|")).") var seeds: SeedMethod = .auto
    @Option(help: "CNN model file for --seeds cnn (default: the shipped Assets/cnn-vip2.sddnn).") var model: String?
    @Option(help: "Simulator truth file (for --seeds truth).") var truth: String?
    @Option(help: "Seeds file (sddcal.seeds, e.g. saved by `inspect --seeds`): its hand-set seeds replace the seed method's, line by line.") var seedsFile: String?
    @Option(help: "Line profile (vip2, siddharta2, fe55, zn65, or a list like MnKa,MnKb).") var profile = "vip2"
    @Option(help: "Gain range LO:HI in eV/ADC for the scipy seeds' line identification (default: any, 1–100).") var gain: String?
    @Option(help: "Output calibration file (JSON).") var out: String
    @OptionGroup var output: OutputOptions
    @OptionGroup var rootInput: ROOTInputOptions
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    func run() throws {
        try reportingErrors {
            let spec = try BatchSpec(parsing: batch)
            guard let prof = LineProfile.named(profile) else { throw SDDError.invalidArgument("--profile", "unknown profile '\(profile)'") }
            if !output.force && FileManager.default.fileExists(atPath: out) { throw SDDError.outputExists(out) }
            if seeds == .truth && truth == nil { throw SDDError.invalidArgument("--seeds", "'truth' needs --truth FILE") }
            let truthSet = try truth.map { try SimulationTruth.load($0, pairedWith: events) }
            let gainRange = try gain.map { try GainRange.parse($0) }
            let hand = try seedsFile.map { try SeedsFileSeeder.load($0, profile: prof, batch: spec) }
            // Histogram files (a ROOT file, a 2-D .npy, a folder of spectra, a CSV of columns): each
            // spectrum is a cell with one batch, fitted as a histogram (O(channels)), labels kept.
            let spectra = try !EventFile.holdsEvents(events) ? Self.cellSpectra(SpectrumFile.read(events)) : nil
            var batched: BatchedEvents? = nil
            if spectra == nil {
                let bar = TerminalProgressBar("read")
                let read = try EventFile.read(events, options: rootInput.readOptions(), progress: bar)
                bar.finish()
                batched = BatchedEvents(read.events, spec: spec)
                guard !batched!.batches.isEmpty else { throw SDDError.failed("\(events): no events") }
            }
            let seeder: any CentroidSeeder
            switch seeds {
            case .auto:
                if let p = try? (model.map(CentroidPredictor.load) ?? CentroidPredictor.bundled()),
                   let s = try? CNNSeeder(predictor: p, profile: prof) {
                    seeder = s
                } else {
                    seeder = PeakFinderSeeder(profile: prof, gainRange: gainRange)
                }
            case .cnn:
                let p = try model.map(CentroidPredictor.load) ?? CentroidPredictor.bundled()
                seeder = try CNNSeeder(predictor: p, profile: prof)
            case .scipy: seeder = PeakFinderSeeder(profile: prof, gainRange: gainRange)
            case .pattern: seeder = PatternSeeder()
            case .truth:
                guard let batched else { throw SDDError.invalidArgument("--seeds", "'truth' needs an events file (the truth is per event batch)") }
                seeder = Self.truthSeeds(truthSet!, batched: batched, profile: prof, file: truth!)
            }
            let chosen: any CentroidSeeder = hand.map { SeedsFileSeeder(base: seeder, file: $0) } ?? seeder
            let calibrator = StandardCalibrator(profile: prof, seeder: chosen)
            let calBar = TerminalProgressBar("calibrate")
            let start = Date(), cpuStart = Self.processCPUSeconds()
            let results = spectra.map { calibrator.calibrateHistograms($0.map { ($0.cell, $0.histogram) }, progress: calBar) }
                ?? calibrator.calibrateDetailed(batched!, progress: calBar)
            let seconds = Date().timeIntervalSince(start), cpu = Self.processCPUSeconds() - cpuStart
            calBar.finish()
            let batchText = spectra == nil ? spec.description : "all"
            var set = StandardCalibrator.assemble(results, profile: prof, batch: batchText,
                                                  method: "standard (seeds: \(chosen.name))",
                                                  source: "sddcal calibrate \(events)" + (spectra == nil ? " --batch \(batch)" : "") + " --seeds \(seeds.rawValue)" + (seedsFile.map { " --seeds-file \($0)" } ?? ""))
            var labels: [Int: String] = [:]
            for c in spectra ?? [] { if let l = c.label { labels[c.cell] = l } }
            set.setLabels(labels)
            try set.save(out, overwrite: output.force)
            func named(_ c: Int) -> String { CellLabel.describe(cell: c, label: labels[c]) }
            let cells = spectra.map { $0.map(\.cell) } ?? batched!.events.cells
            let resolution = cells.compactMap { CellResolution.fit(cell: $0, batches: results, profile: prof) }
            let failed = results.filter { !$0.status.isUsable }
            let partial = results.filter { $0.status.isUsable && $0.status != .ok }
            var missing: [String: Int] = [:]
            for b in results { for id in b.rejected.keys { missing[id, default: 0] += 1 } }
            let report = CalibrateReport(out: out, cells: cells.count, batches: results.count,
                                         ok: results.count - failed.count - partial.count, partial: partial.count,
                                         failed: failed.count, missingLines: missing, seconds: seconds, cpuSeconds: cpu,
                                         cellsLeftOut: cells.filter { c in set.batches(ofCell: c) == nil },
                                         problems: (failed + partial).map { "cell \(named($0.cell)) batch \($0.index): \($0.status)" },
                                         resolution: resolution, seeds: chosen.name,
                                         quality: CellQualityReport.flagged(set, by: CalibrationQuality()),
                                         labels: labels.isEmpty ? nil : Dictionary(uniqueKeysWithValues: labels.map { (String($0.key), $0.value) }))
            if json { try printJSON(report); return }
            print("seeds: \(chosen.name)")
            print("calibrated \(results.count) batches of \(cells.count) cells (\(spectra == nil ? spec.description : "one spectrum each")) in \(String(format: "%.3f s (CPU %.3f s)", seconds, cpu)): "
                  + "\(report.ok) ok, \(report.partial) partial, \(report.failed) failed → \(out)")
            for p in report.problems.prefix(20) { print("  \(p)") }
            if report.problems.count > 20 { print("  … \(report.problems.count - 20) more (see --json)") }
            if !report.cellsLeftOut.isEmpty { print("cells without any calibrated batch (left out): \(report.cellsLeftOut)") }
            if !report.quality.isEmpty { print("cells to look at (the inspector's flags):") }
            for q in report.quality.prefix(20) { print("  cell \(named(q.cell)) \(q.level): \(q.reasons.joined(separator: "; "))") }
            if report.quality.count > 20 { print("  … \(report.quality.count - 20) more (see --json)") }
            print("cell   ENC [e⁻]        Fano            expected Cu Kα FWHM [eV]   χ²/ndf" + (labels.isEmpty ? "" : "   label"))
            for r in resolution {
                print(String(format: "%4d   %5.2f ± %4.2f   %5.3f ± %5.3f   %6.1f ± %4.1f              %5.2f",
                             r.cell, r.enc, r.encError, r.fano, r.fanoError, r.expectedCuFWHM, r.expectedCuFWHMError, r.chi2PerNDF)
                      + (labels[r.cell].map { "   " + $0 } ?? ""))
            }
        }
    }

    /// One cell per spectrum of a histogram file: its cell number (else its position), label and counts.
    static func cellSpectra(_ records: [SpectrumRecord]) throws -> [(cell: Int, label: String?, histogram: Histogram)] {
        var seen = Set<Int>()
        return try records.enumerated().map { i, r in
            let c = r.cell ?? i
            guard seen.insert(c).inserted else { throw SDDError.failed("two spectra for cell \(c)") }
            return (c, r.label, r.histogram)
        }
    }

    /// CPU time (all threads) of this process, so a busy shared machine does not hide what the work costs.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Seeds at the true centroid positions of each batch (the truth calibration at the batch midpoint).
    static func truthSeeds(_ t: SimulationTruth, batched: BatchedEvents, profile: LineProfile, file: String) -> GivenSeeds {
        var table: [Int: [Int: [String: Double]]] = [:]
        for b in batched.batches {
            guard let cal = t.calibration(cell: b.cell, time: 0.5 * (b.start + b.end)) else { continue }
            var s: [String: Double] = [:]
            for l in profile.calibrationLines { s[l.id] = cal.adc(forEnergy: l.energy) }
            table[b.cell, default: [:]][b.index] = s
        }
        return GivenSeeds(table)
    }
}

struct CalibrateReport: Encodable {
    var out: String
    var cells: Int
    var batches: Int
    var ok: Int
    var partial: Int
    var failed: Int
    var missingLines: [String: Int]
    var seconds: Double
    var cpuSeconds: Double
    var cellsLeftOut: [Int]
    var problems: [String]
    var resolution: [CellResolution]
    var seeds: String
    /// Cells whose calibration ``CalibrationQuality`` flags (check or bad), with the reasons.
    var quality: [CellQualityReport]
    /// Histogram input: each labelled cell's label, by cell number (absent for event files).
    var labels: [String: String]?

    enum CodingKeys: String, CodingKey {
        case out, cells, batches, ok, partial, failed, seconds, problems, resolution, seeds, quality, labels
        case missingLines = "missing_lines", cellsLeftOut = "cells_left_out", cpuSeconds = "cpu_seconds"
    }
}

/// The quality verdict of one cell's calibration, for `calibrate`'s report.
struct CellQualityReport: Encodable, Equatable {
    var cell: Int
    /// "check" or "bad".
    var level: String
    var reasons: [String]

    /// The cells of `set` that `quality` flags, in cell order.
    static func flagged(_ set: CalibrationSet, by quality: CalibrationQuality) -> [CellQualityReport] {
        set.cells.compactMap { c in
            let findings = quality.findings(batches: c.batches)
            let level = CalibrationQuality.level(findings)
            return level == .ok ? nil : CellQualityReport(cell: c.cell, level: level.description, reasons: findings.map(\.description))
        }
    }
}
