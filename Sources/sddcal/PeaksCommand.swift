import ArgumentParser
import Foundation
import PeakFinding
import SDDCore

/// `sddcal peaks`: the SciPy-style peak search on one spectrum, with sub-bin centroids and the
/// profile's line labels.
struct Peaks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find peaks in a spectrum (scipy.signal.find_peaks semantics) and label the calibration lines.",
        discussion: """
        FILE is an event file (.csv with header sdd,adc,time, or .bin) or a histogram file (Amptek .mca, \
        ORTEC .Spe, .npy, or text/CSV with one count per line — the line number is the ADC channel — \
        or channel,counts). Event data are histogrammed for one cell and one time batch over the batch's own \
        ADC range (its lowest to its highest value), one channel per bin (more when that range exceeds \
        16384 channels), unless --range/--bin-width say otherwise: the lines may lie at any gain.

        The conditions mean what they mean in scipy.signal.find_peaks, in bins (distance, width, wlen, \
        plateau size) and counts (height, threshold, prominence); each is MIN, MIN:MAX or :MAX. They are \
        applied to the spectrum after the optional Gaussian smoothing (--sigma, in bins; default half the \
        σ of the spectrum's most prominent peak, measured — 10 ADC on VIP-2, one channel on an Amptek at \
        19 eV per channel; 0 to disable). --significance K then keeps peaks whose prominence is at least \
        K standard deviations of the peak bin (Poisson: √height, times √Σw² after smoothing with \
        weights w; 0 to disable). Centroids are sub-bin (Gaussian through the top bins), in ADC. \
        Lines are identified from the pattern of positions and heights at any gain (a linear E–ADC \
        relation with gain 1–100 eV/ADC, or --gain LO:HI, and zero energy anywhere; a Kβ must be about \
        0.13–0.16 of its Kα); profiles: vip2, siddharta2 (Ti, Cu), fe55 (Mn Kα/Kβ), zn65 (Cu Kα/Kβ) or \
        line ids (MnKa,MnKb). Lines without a peak are reported missing.
        """)

    @Argument(help: "Event file or histogram file.") var file: String
    @Option(help: "Cell (events; or the row of a 2-D .npy).") var cell: Int?
    @Option(help: "Batch length for event files: 48h, 30d, 90m, a count of events, or all.") var batch = "all"
    @Option(help: "Batch index within the cell (from 0).") var index = 0
    @Option(help: "Centroid method (scipy: this peak finder; cnn: the trained network, PeaksCNNMethod.swift).") var method = "scipy"
    @Option(help: "CNN model file for --method cnn (default: $SDDCAL_MODEL, $SDDCAL_ASSETS/cnn-vip2.sddnn, else Assets/cnn-vip2.sddnn of the package).") var model: String?

    @Option(help: "Required peak height (counts): MIN, MIN:MAX or :MAX.") var height: String?
    @Option(help: "Required vertical distance to both neighbours (counts).") var threshold: String?
    @Option(help: "Required horizontal distance between peaks (bins, ≥ 1).") var distance: Double?
    @Option(help: "Required prominence (counts).") var prominence: String?
    @Option(help: "Required width at --rel-height (bins).") var width: String?
    @Option(help: "Window for prominences (bins, > 1).") var wlen: Double?
    @Option(name: .customLong("rel-height"), help: "Relative height of the width (0.5: half prominence).") var relHeight = 0.5
    @Option(name: .customLong("plateau-size"), help: "Required flat-top size (bins).") var plateauSize: String?

    @Option(help: "Gaussian smoothing σ in bins before the search (0: none; default: half the measured peak σ).") var sigma: Double?
    @Option(help: "Gain range LO:HI in eV/ADC for line identification (default: any, 1–100).") var gain: String?
    @Option(help: "Keep peaks with prominence ≥ K standard deviations of the peak bin (0: no cut).") var significance = 3.0
    @Option(help: "Line profile to identify (vip2, siddharta2, fe55, zn65, or ids like MnKa,MnKb).") var profile = "vip2"
    @Flag(name: .customLong("no-identify"), help: "Skip line identification.") var noIdentify = false
    @Option(help: "Identification tolerance in ADC (default: max(20, 2 bins)).") var tolerance: Double?
    @Option(help: "ADC range LO:HI to search (default: events: the batch's lowest to highest ADC; histograms: all channels).") var range: String?
    @Option(name: .customLong("bin-width"), help: "Bin width in ADC (default: events one channel, or the fewest whole channels keeping ≤ 16384 bins; histograms: the file's).") var binWidth: Double?
    @Flag(help: "JSON output.") var json = false
    @OptionGroup var rootInput: ROOTInputOptions

    func run() throws {
        try reportingErrors {
            guard method == "scipy" || method == "cnn" else {
                throw SDDError.invalidArgument("--method", "'\(method)' is not available; this command offers: scipy, cnn")
            }
            if method == "cnn" { try runCNN(); return }
            let prof: LineProfile? = noIdentify ? nil : try LineProfile.named(profile)
                ?? { throw SDDError.invalidArgument("--profile", "unknown profile '\(profile)'") }()
            let (spectrum, source) = try loadSpectrum(profile: prof ?? .vip2)
            let options = PeakSearchOptions(
                height: try height.map { try PeakCondition(parsing: $0, option: "--height") },
                threshold: try threshold.map { try PeakCondition(parsing: $0, option: "--threshold") },
                distance: distance,
                prominence: try prominence.map { try PeakCondition(parsing: $0, option: "--prominence") },
                width: try width.map { try PeakCondition(parsing: $0, option: "--width") },
                wlen: wlen, relHeight: relHeight,
                plateauSize: try plateauSize.map { try PeakCondition(parsing: $0, option: "--plateau-size") })
            guard significance >= 0, significance.isFinite else {
                throw SDDError.invalidArgument("--significance", "must be a finite number ≥ 0, was \(significance)")
            }
            if let s = sigma, !(s >= 0 && s.isFinite) {
                throw SDDError.invalidArgument("--sigma", "must be a finite number ≥ 0 (bins), was \(s)")
            }
            let search = SpectrumPeakSearch(options: options, smoothingSigma: (sigma ?? 0) > 0 ? sigma : nil,
                                            significance: significance > 0 ? significance : nil,
                                            profile: prof, toleranceADC: tolerance,
                                            smoothingFollowsPeakWidth: sigma == nil,
                                            gainRange: try gain.map { try GainRange.parse($0) })
            let report: SpectrumPeakReport
            do { report = try search.run(spectrum) } catch let SDDError.invalidArgument(name, message) {
                // Name the option as typed on the command line.
                let names = ["rel_height": "--rel-height", "plateau_size": "--plateau-size", "spectrum": file]
                let option = names[name] ?? (name.hasPrefix("-") ? name : "--" + name)
                throw SDDError.invalidArgument(option, message)
            }
            let out = Output(file: file, source: source, lowerEdgeADC: spectrum.lowerEdge, binWidthADC: spectrum.binWidth,
                             bins: spectrum.binCount, totalCounts: report.totalCounts, sigmaBins: report.smoothingSigmaBins ?? 0, significance: significance,
                             options: options, profile: prof?.name, peaks: report.peaks,
                             missing: report.identification?.missing,
                             predictedADC: report.identification?.predictedADC,
                             relation: report.identification.map { Relation(p0: $0.calibration.p0, p1: $0.calibration.p1) },
                             scipy: report.search)
            if json { try printJSON(out) } else { printText(out, profile: prof) }
        }
    }

    /// Where the spectrum came from, for the report.
    struct Source: Encodable {
        var kind: String
        var cell: Int?
        var batch: String?
        var index: Int?
        var start: Double?
        var end: Double?
        var events: Int?
    }

    struct Relation: Encodable { var p0, p1: Double }

    struct Output: Encodable {
        var file: String
        var source: Source
        var lowerEdgeADC, binWidthADC: Double
        var bins: Int
        var totalCounts, sigmaBins, significance: Double
        var options: PeakSearchOptions
        var profile: String?
        var peaks: [SpectrumPeak]
        var missing: [String]?
        var predictedADC: [String: Double]?
        var relation: Relation?
        var scipy: PeakSearchResult

        enum CodingKeys: String, CodingKey {
            case file, source, bins, significance, options, profile, peaks, missing, relation, scipy
            case lowerEdgeADC = "lower_edge_adc", binWidthADC = "bin_width_adc", totalCounts = "total_counts"
            case sigmaBins = "sigma_bins", predictedADC = "predicted_adc"
        }
    }

    // MARK: input

    func parsedRange() throws -> ClosedRange<Double>? {
        guard let r = range else { return nil }
        let parts = r.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo.isFinite, hi.isFinite, lo < hi else {
            throw SDDError.invalidArgument("--range", "'\(r)' is not LO:HI in ADC with LO < HI")
        }
        return lo...hi
    }

    func loadSpectrum(profile prof: LineProfile) throws -> (Histogram, Source) {
        if let w = binWidth, !(w > 0 && w.isFinite) {
            throw SDDError.invalidArgument("--bin-width", "must be a finite number > 0 (ADC), was \(w)")
        }
        let r = try parsedRange()
        if try EventFile.holdsEvents(file) { return try eventSpectrum(range: r) }
        if batch != "all" || index != 0 {
            throw SDDError.invalidArgument("--batch", "\(file) is a histogram file; --batch and --index apply to event files")
        }
        let records = try SpectrumFile.read(file)
        let record: SpectrumRecord
        if let c = cell {
            if records.count == 1 && records[0].cell == nil {
                record = records[0]   // a single-detector file: the cell number is the user's label
            } else {
                guard let m = records.first(where: { $0.cell == c }) else {
                    throw SDDError.invalidArgument("--cell", "\(file) has no spectrum for cell \(c) (cells: \(Self.list(records.compactMap(\.cell))))")
                }
                record = m
            }
        } else {
            guard records.count == 1 else {
                throw SDDError.invalidArgument("--cell", "\(file) holds \(records.count) spectra (cells \(Self.list(records.compactMap(\.cell)))); choose one with --cell")
            }
            record = records[0]
        }
        var h = record.histogram
        if r != nil || binWidth != nil {
            var lo = r?.lowerBound ?? h.lowerEdge
            let hi = r?.upperBound ?? h.upperEdge
            let w = binWidth ?? h.binWidth
            // Channel spectra: start on a channel boundary (ADC k covers [k − ½, k + ½)), as for events,
            // so whole-channel bins never split a channel.
            if record.firstChannel != nil, w == w.rounded(), r != nil { lo = lo.rounded(.up) - 0.5 }
            let limit = InputLimits.current.maxChannels
            let nd = ((hi - lo) / w).rounded(.down)
            guard nd.isFinite, nd <= Double(limit) else {
                throw SDDError.invalidArgument(r != nil ? "--range" : "--bin-width",
                                               "bins of \(w) ADC over \(lo)…\(hi) would be more than \(limit) (limit SDDCAL_MAX_CHANNELS)")
            }
            h = h.resampled(lowerEdge: lo, binWidth: w, bins: Swift.max(0, Int(nd)))
        }
        return (h, Source(kind: "histogram", cell: record.cell ?? cell))
    }

    /// Most bins of an event spectrum by default: one channel each unless the batch's range is wider.
    static let defaultEventBins = 16_384

    func eventSpectrum(range given: ClosedRange<Double>?) throws -> (Histogram, Source) {
        let spec = try BatchSpec(parsing: batch)
        let bar = TerminalProgressBar("read")
        let read = try EventFile.read(file, options: rootInput.readOptions(), progress: bar)
        bar.finish()
        let batched = BatchedEvents(read.events, spec: spec)
        let cells = batched.events.cells
        guard !cells.isEmpty else { throw SDDError.badFile(file: file, message: "holds no events") }
        let c: Int
        if let want = cell {
            guard cells.contains(want) else {
                throw SDDError.invalidArgument("--cell", "\(file) has no events of cell \(want) (cells: \(Self.list(cells)))")
            }
            c = want
        } else {
            guard cells.count == 1 else {
                throw SDDError.invalidArgument("--cell", "\(file) holds \(cells.count) cells (\(Self.list(cells))); choose one with --cell")
            }
            c = cells[0]
        }
        let bs = batched.batches(ofCell: c)
        guard index >= 0, index < bs.count else {
            throw SDDError.invalidArgument("--index", "cell \(c) has \(bs.count) batch\(bs.count == 1 ? "" : "es") of \(spec); \(index) is out of range")
        }
        let b = bs[index]
        // Default: the batch's own range (lowest to highest value, both channels included), wherever
        // its lines are (any gain, any zero).
        var lowest = Int(UInt16.max), highest = 0
        for v in batched.adc(of: b) { lowest = Swift.min(lowest, Int(v)); highest = Swift.max(highest, Int(v)) }
        if b.count == 0 { lowest = 0 }
        let r = given ?? Double(lowest)...Double(highest + 1)
        // ADC values are 0…65535: clamp the window before sizing anything from it.
        let lo = Swift.min(Swift.max(r.lowerBound, -1), 65536), hi = Swift.min(Swift.max(r.upperBound, -1), 65536)
        // Integer ADC k covers [k − ½, k + ½): the window's bins start at a channel boundary.
        let first = Int(lo.rounded(.up))
        let channels = Swift.max(1, Int((hi - Double(first)).rounded(.up)))
        let w = binWidth ?? Double((channels + Self.defaultEventBins - 1) / Self.defaultEventBins)
        guard w == w.rounded(), w >= 1 else {
            throw SDDError.invalidArgument("--bin-width", "event data are binned in whole ADC channels; \(w) is not a positive integer")
        }
        guard w <= 65536 else { throw SDDError.invalidArgument("--bin-width", "\(w) ADC is wider than the ADC range") }
        let bins = Int((hi - Double(first)) / w)
        guard bins > 0 else { throw SDDError.invalidArgument("--range", "holds no bin of width \(w)") }
        let h = Histogram.adc(batched.adc(of: b), firstChannel: first, channelsPerBin: Int(w), bins: bins)
        return (h, Source(kind: "events", cell: c, batch: spec.description, index: index, start: b.start, end: b.end, events: b.count))
    }

    static func list(_ a: [Int]) -> String {
        a.count <= 12 ? a.map(String.init).joined(separator: ", ") : "\(a.first!)…\(a.last!), \(a.count) in all"
    }

    // MARK: text output

    func printText(_ o: Output, profile: LineProfile?) {
        var head = "\(o.file): "
        if o.source.kind == "events" {
            head += "cell \(o.source.cell!), batch \(o.source.index!) of \(o.source.batch!)"
            head += String(format: " (%.0f–%.0f s), %d events; ", o.source.start!, o.source.end!, o.source.events!)
        } else if let c = o.source.cell {
            head += "cell \(c); "
        }
        head += String(format: "%d bins of %g ADC from ADC %g, %.0f counts", o.bins, o.binWidthADC, o.lowerEdgeADC, o.totalCounts)
        print(head)
        var conds: [String] = []
        let opt = o.options
        if let c = opt.height { conds.append("height \(c)") }
        if let c = opt.threshold { conds.append("threshold \(c)") }
        if let d = opt.distance { conds.append("distance \(d)") }
        if let c = opt.prominence { conds.append("prominence \(c)") }
        if let c = opt.width { conds.append("width \(c) at rel_height \(opt.relHeight)") }
        if let w = opt.wlen { conds.append("wlen \(w)") }
        if let c = opt.plateauSize { conds.append("plateau_size \(c)") }
        if o.sigmaBins > 0 { conds.append(String(format: "smoothing σ %g bins", o.sigmaBins)) }
        if o.significance > 0 { conds.append(String(format: "prominence ≥ %g σ(bin)", o.significance)) }
        print("search: " + (conds.isEmpty ? "all local maxima" : conds.joined(separator: ", ")))
        if o.peaks.isEmpty {
            print("no peaks found")
        } else {
            print("  #  line    centroid ADC   bin ADC     height  prominence  width ADC")
            for (k, p) in o.peaks.enumerated() {
                let line = (p.line ?? "-").padding(toLength: 6, withPad: " ", startingAt: 0)
                let prom = p.prominence.map { String(format: "%10.1f", $0) } ?? String(repeating: " ", count: 9) + "-"
                let wid = p.widthADC.map { String(format: "%10.1f", $0) } ?? String(repeating: " ", count: 9) + "-"
                print(String(format: "%3d  %@ %12.2f %10.1f %10.1f", k + 1, line, p.centroidADC, p.binCenterADC, p.height) + "  " + prom + " " + wid)
            }
        }
        if let missing = o.missing, let pred = o.predictedADC, let prof = profile {
            let found = prof.calibrationLineIDs.filter { !missing.contains($0) }
            print("identified: " + (found.isEmpty ? "none" : found.joined(separator: ", ")))
            if !missing.isEmpty {
                print("missing: " + missing.map { String(format: "%@ (expected near ADC %.0f)", $0, pred[$0] ?? .nan) }.joined(separator: ", "))
            }
            if let rel = o.relation, !found.isEmpty {
                print(String(format: "relation: E = %.4f·ADC %+.1f eV (zero energy at ADC %.1f)", rel.p1, rel.p0, -rel.p0 / rel.p1))
            }
        }
    }
}
