import ArgumentParser
import CentroidNetwork
import Foundation
import PeakFinding
import SDDCore

/// `sddcal evaluate-peaks`: the CNN's centroid errors against the truth of held-out simulated
/// spectra, binned in total counts (the paper's figure 3, right), next to how often the
/// SciPy-style finder with one fixed parameter set finds all five lines (the figure 4 argument).
struct EvaluatePeaksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-peaks",
        abstract: "CNN centroid errors vs truth by total counts, next to the SciPy-style finder's all-lines-found rate.",
        discussion: """
        Test spectra are simulated with known line positions from seeds that training never uses, at
        fixed expected counts in the model's ADC window. 'simulator' draws detectors like
        `sddcal simulate` (VIP-2 gains, offsets, resolution, tails, yields); 'training' draws from the
        wider training distribution. A line counts as found when it is within --tolerance ADC of the
        truth (the finder must also label it with that line).
        """)

    @Option(help: "Simulated event file (.bin or .csv) to evaluate on, with --truth.")
    var events: String?
    @Option(help: "The simulator's truth file for --events.")
    var truth: String?
    @Option(help: "Batch length for --events (48h, 30d, a count, all).")
    var batch = "48h"
    @Option(help: "Model file (default: the shipped model, see `sddcal peaks --help`).")
    var model: String?
    @Option(help: "Comma-separated total counts in the window, one row each.")
    var counts = "1000,3000,10000,30000,100000,300000"
    @Option(help: "Spectra per counts level.")
    var spectra = 1000
    @Option(help: "Seed of the test spectra.")
    var seed: UInt64 = 7
    @Option(help: "Population of test detectors: simulator or training.")
    var population = "simulator"
    @Option(help: "|error| in ADC within which a line counts as found.")
    var tolerance = CentroidPredictor.foundTolerance
    @Option(help: "Finder: Gaussian smoothing σ in bins (0: none); the default is `sddcal peaks`'s 10 ADC.")
    var sigma = 1.0
    @Option(help: "Finder: keep peaks with prominence ≥ K·√height (0: no cut), as `sddcal peaks`.")
    var significance = 3.0
    @Option(help: "Finder: minimum prominence in counts (none by default).")
    var prominence: Double?
    @Option(help: "Finder: minimum distance between peaks in bins (none by default).")
    var distance: Double?
    @Option(help: "Finder: minimum width in bins (none by default).")
    var width: Double?
    @Flag(help: "JSON on stdout.")
    var json = false

    struct FinderSummary: Codable {
        var allFoundFraction: Double
        var lines: [LineErrorSummary]
    }
    struct Level: Codable {
        var totalCounts: Double
        /// For --events: the range of counts in the window of this row's batches.
        var countsRange: [Double]?
        var cnn: ValidationSummary
        var finder: FinderSummary
    }
    struct Report: Codable {
        var model: String
        /// The model's own metadata: profile, window, normalisation, training command, seed, validation.
        var modelMetadata: ModelMetadata
        var population: String
        var events: String?
        var seed: UInt64
        var spectraPerLevel: Int
        var tolerance: Double
        var finderParameters: [String: Double]
        var levels: [Level]
    }

    func run() throws {
        try reportingErrors {
            let levels = try counts.split(separator: ",").map { s -> Double in
                guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v >= 10, v.isFinite else {
                    throw SDDError.invalidArgument("--counts", "'\(s)' is not a number of counts ≥ 10")
                }
                return v
            }
            guard spectra >= 10 else { throw SDDError.invalidArgument("--spectra", "must be at least 10") }
            guard tolerance > 0 else { throw SDDError.invalidArgument("--tolerance", "must be positive") }
            let predictor = try model.map { try CentroidPredictor.load($0) } ?? CentroidPredictor.bundled()
            guard let profile = LineProfile.named(predictor.metadata.profile.name) else {
                throw SDDError.badField(file: predictor.path, field: "profile.name", message: "unknown profile '\(predictor.metadata.profile.name)'")
            }
            try predictor.check(profile: profile)
            let ranges: SynthesisRanges
            switch population {
            case "simulator": ranges = .simulatorPopulation()
            case "training": ranges = predictor.metadata.training?.synthesis ?? SynthesisRanges()
            default: throw SDDError.invalidArgument("--population", "must be 'simulator' or 'training'")
            }
            guard sigma >= 0, significance >= 0 else { throw SDDError.invalidArgument("--sigma", "σ and --significance must be ≥ 0") }
            let finder = SpectrumPeakSearch(
                options: PeakSearchOptions(distance: distance, prominence: prominence.map { .atLeast($0) },
                                           width: width.map { .atLeast($0) }),
                smoothingSigma: sigma > 0 ? sigma : nil, significance: significance > 0 ? significance : nil,
                profile: profile, toleranceADC: tolerance)
            let ids = predictor.lineIDs
            let sets: [(CentroidEvaluation.TestSet, [Double]?)]
            if let eventsPath = events {
                guard let truthPath = truth else { throw SDDError.invalidArgument("--truth", "--events needs the simulator's --truth file") }
                sets = try Self.eventTestSets(events: eventsPath, truth: truthPath, batch: batch, profile: profile,
                                              encoding: predictor.encoding, edges: levels)
            } else {
                guard truth == nil else { throw SDDError.invalidArgument("--truth", "only with --events") }
                let eval = CentroidEvaluation(profile: profile, encoding: predictor.encoding, ranges: ranges, seed: seed)
                sets = levels.enumerated().map { (eval.testSet(totalCounts: $0.element, spectra: spectra, index: $0.offset), nil) }
            }
            var rows: [Level] = []
            for (set, range) in sets {
                let n = set.totalCounts
                let cnn = CentroidEvaluation.evaluate(predictor, on: set, tolerance: tolerance)
                // The finder labels peaks with lines; a line it did not label is not found.
                var found: [[Double?]] = []
                for h in set.histograms {
                    let report = try finder.run(h)
                    found.append(ids.map { id in report.peaks.first { $0.line == id }?.centroidADC })
                }
                let f = ValidationSummary(totalCounts: n, lineIDs: ids, predicted: found, truth: set.truth, foundTolerance: tolerance)
                rows.append(Level(totalCounts: n, countsRange: range, cnn: cnn,
                                  finder: FinderSummary(allFoundFraction: f.allFoundFraction, lines: f.lines)))
            }
            var finderParameters = ["sigma_bins": sigma, "significance": significance]
            finderParameters["prominence"] = prominence
            finderParameters["distance_bins"] = distance
            finderParameters["width_bins"] = width
            let report = Report(model: predictor.path, modelMetadata: predictor.metadata, population: events == nil ? population : "events",
                                events: events, seed: seed, spectraPerLevel: spectra,
                                tolerance: tolerance,
                                finderParameters: finderParameters,
                                levels: rows)
            if json { try printJSON(report); return }
            if let e = events {
                print("CNN \(predictor.path) on the \(batch) batches of \(e) against \(truth!); rows by counts in the window; |error| in ADC, median / 99th percentile")
            } else {
                print("CNN \(predictor.path) on \(spectra) held-out '\(population)' spectra per row (seed \(seed)); |error| in ADC, median / 99th percentile")
            }
            var header = "counts".padding(toLength: 8, withPad: " ", startingAt: 0)
            for id in ids { header += id.padding(toLength: 17, withPad: " ", startingAt: 0) }
            header += "CNN all found  finder all found" + (events == nil ? "" : "  spectra")
            print(header)
            for r in rows {
                var line = r.countsRange.map { String(format: "%-8@", "≥\(Int($0[0]))") } ?? String(format: "%-8.0f", r.totalCounts)
                for l in r.cnn.lines { line += String(format: "%5.2f / %-6.2f   ", l.medianAbsError, l.p99AbsError) }
                line += String(format: "%8.2f %%     %8.2f %%", 100 * r.cnn.allFoundFraction, 100 * r.finder.allFoundFraction)
                if events != nil { line += String(format: "  %7d", r.cnn.spectra) }
                print(line)
            }
            let conditions = finderParameters.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            print("finder: SciPy-style find_peaks + line identification on the \(predictor.encoding.bins)-bin window with one fixed parameter set (\(conditions)); found = labelled with the line within \(tolerance) ADC of the truth")
        }
    }

    /// Every cell's batches of a simulated event file, grouped by counts in the window: row k holds
    /// the batches with counts in [edges[k], edges[k+1]) (the last row has no upper end). Truth is the
    /// simulator's calibration averaged over each batch.
    static func eventTestSets(events path: String, truth truthPath: String, batch: String, profile: LineProfile,
                              encoding enc: InputEncoding, edges: [Double]) throws -> [(CentroidEvaluation.TestSet, [Double]?)] {
        let spec = try BatchSpec(parsing: batch)
        let table = try EventFile.read(path)
        let truth = try SimulationTruth.load(truthPath, pairedWith: path)
        let batched = BatchedEvents(table, spec: spec)
        let calibrations = truth.calibrationSet(for: batched, source: "truth")
        var byCell: [Int: [Int: EnergyCalibration]] = [:]
        for c in calibrations.cells { for b in c.batches { byCell[c.cell, default: [:]][b.index] = b.calibration } }
        let sortedEdges = edges.sorted()
        var groups = [[(Histogram, [Double])]](repeating: [], count: sortedEdges.count)
        for b in batched.batches {
            guard let cal = byCell[b.cell]?[b.index] else {
                throw SDDError.badFile(file: truthPath, message: "no truth for cell \(b.cell) of \(path)")
            }
            let h = Histogram.adc(batched.adc(of: b), firstChannel: enc.firstChannel, channelsPerBin: enc.channelsPerBin, bins: enc.bins)
            let n = h.total
            guard let k = sortedEdges.lastIndex(where: { $0 <= n }) else { continue }
            let positions = profile.calibrationLines.map { cal.adc(forEnergy: $0.energy) ?? .nan }
            groups[k].append((h, positions))
        }
        return groups.enumerated().compactMap { (k, g) in
            guard !g.isEmpty else { return nil }
            var x = [Float](repeating: 0, count: g.count * enc.bins)
            x.withUnsafeMutableBufferPointer { buf in
                for (i, item) in g.enumerated() { enc.normalise(item.0.counts, into: buf.baseAddress! + i * enc.bins) }
            }
            let mean = g.reduce(0) { $0 + $1.0.total } / Double(g.count)
            let upper = k + 1 < sortedEdges.count ? sortedEdges[k + 1] : Double.infinity
            let set = CentroidEvaluation.TestSet(totalCounts: mean, histograms: g.map(\.0),
                                                 inputs: Tensor(shape: [g.count, enc.bins], storage: x), truth: g.map(\.1))
            return (set, [sortedEdges[k], upper])
        }
    }
}
