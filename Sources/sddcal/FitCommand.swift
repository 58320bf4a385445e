import ArgumentParser
import CalibrationRefinement
import Foundation
import LineFitting
import SDDCore

/// `sddcal fit`: the Cu Kα measurement (table 1 of the paper) on the summed calibrated spectrum.
struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sum the calibrated spectra and fit one line: position, FWHM, tail, χ²/ndf.",
        discussion: """
        Every batch's events are histogrammed in energy with that batch's calibration, each ADC channel \
        spread uniformly over its energy interval (no bin beating), and summed over cells. The line is \
        fitted with a Poisson likelihood (Baker–Cousins χ²): a Kα1/Kα2 doublet (tabulated ratio and \
        splitting, 20 eV for Cu) or a single Kβ line, Gaussian cores of common σ, the low-energy tail and \
        a linear background (eq. 4 of the paper).
        position = the Kα1 component (what table 1 quotes; 8047.8 eV tabulated for Cu); centroid = the \
        intensity-weighted mean of the components; fwhm = 2.3548·σ of the Gaussian cores (the detector \
        resolution, comparable with the intrinsic FWHM); profile_fwhm = the half-maximum width of the \
        whole fitted shape (doublet + tail), as read off a plot.
        With --truth instead of --calib the simulator's exact calibration is used (hourly), and the \
        intrinsic FWHM of the line is printed for comparison.
        The FWHM of a calibration fitted on these same events is in-sample: a calibration that fits the \
        noise of its own Cu events makes the line look narrower than it is. --held-out reruns the chain \
        that made --calib (read from its method and batch: standard with cnn/scipy/pattern seeds, or \
        optimized from it with default settings) on --folds folds of the events and fits Cu Kα on every \
        event calibrated without it: the honest figure. For Cu Kα the hardware limit (ENC and Fano from \
        the file's strong-line widths) is printed, with a warning when a FWHM lies more than 2σ below it.
        """)

    @Argument(help: "Events file (.csv or .bin, a ROOT tree) or histogram file, one spectrum per cell (ROOT histograms, a 2-D .npy, a folder of spectra, a CSV of columns).") var events: String
    @Option(help: "Calibration file (from sddcal calibrate).") var calib: String?
    @Option(help: "Simulator truth file: use the true calibration instead of --calib.") var truth: String?
    @Option(help: "Line to fit (e.g. CuKa, MnKa, TiKb).") var line = "CuKa"
    @Option(help: "Fit window in eV, LOW:HIGH (default 7000:8500 for Cu Kα, else the line −6σ/+5σ).") var roi: String?
    @Option(help: "Bin width in eV.") var bin = 5.0
    @Option(help: "Only these cells (comma-separated).") var cells: String?
    @Option(help: "Tail: fraction (f_T fitted, β fixed at 1.4, the typical slope, docs/physics.md §4), free (f_T and β fitted; nearly degenerate below ~10⁵ counts), none.") var tail = "fraction"
    @Option(help: "Background: linear (eq. 4 of the paper) or quadratic.") var background = "linear"
    @Option(help: "Kα2/Kα1 intensity ratio (default: the table [S], 0.513 for Cu; the paper's eq. 4 uses 0.51).") var ratio: Double?
    @Flag(help: "Also fit each cell on its own, with its hardware-limit FWHM (ENC, F from the calibration's line widths).") var perCell = false
    @Flag(help: "Also fit the whole 4–10 keV spectrum (every profile line, Kβ/Kα free, one ENC/F resolution model).") var fullSpectrum = false
    @Option(help: "Line profile for --full-spectrum and the hardware limit.") var profile = "vip2"
    @Flag(help: "Cu Kα only: also the held-out FWHM, rerunning the chain that made --calib without each fold of the events.") var heldOut = false
    @Option(help: "Folds for --held-out (≥ 2).") var folds = 5
    @Flag(help: "JSON output.") var json = false
    @OptionGroup var rootInput: ROOTInputOptions

    func run() throws {
        try reportingErrors {
            guard let spectral = SpectralLine(id: line) else { throw SDDError.invalidArgument("--line", "unknown line '\(line)'") }
            // Other lines: 6σ below to 5σ above (nominal resolution), the windows of the standard calibration.
            let sNominal = DetectorResponse().sigma(at: spectral.energy)
            let window = try roi.map(Self.parseROI) ?? (spectral.id == "CuKa" ? CuKalphaLineFit.roi
                : (spectral.energy - 6 * sNominal)...(spectral.energy + 5 * sNominal))
            guard bin > 0, bin.isFinite, (window.upperBound - window.lowerBound) / bin >= 10 else {
                throw SDDError.invalidArgument("--bin", "needs a positive width giving at least 10 bins in the window")
            }
            let maxBins = InputLimits.current.maxChannels
            guard CheckedSize.binCount(span: window.upperBound - window.lowerBound, width: bin, limit: maxBins) != nil else {
                throw SDDError.invalidArgument(roi != nil ? "--roi" : "--bin",
                                               "bins of \(bin) eV over \(window.lowerBound)…\(window.upperBound) eV would be more than \(maxBins) (limit SDDCAL_MAX_CHANNELS)")
            }
            var options = LineFitOptions()
            switch tail {
            case "free": options.tail = .free
            case "fraction": options.tail = .fractionFree(slope: 1.4)
            case "none": options.tail = .none
            default: throw SDDError.invalidArgument("--tail", "'\(tail)' is not free, fraction or none")
            }
            switch background {
            case "linear": options.quadraticBackground = false
            case "quadratic": options.quadraticBackground = true
            default: throw SDDError.invalidArgument("--background", "'\(background)' is not linear or quadratic")
            }
            if let r = ratio {
                guard r > 0, r < 2 else { throw SDDError.invalidArgument("--ratio", "must be between 0 and 2, was \(r)") }
                options.kAlpha2Ratio = r
            }
            let only = try cells.map(Self.parseCells)
            guard (calib == nil) != (truth == nil) else { throw SDDError.invalidArgument("--calib", "give exactly one of --calib or --truth") }
            let calibration = try calib.map(CalibrationSet.load)
            // Histogram input (a ROOT file's TH1s, a 2-D .npy, a folder, a CSV of columns): one spectrum
            // per cell under its cell's calibration, O(channels). Options it cannot take are refused
            // before anything is read (the truth's pairing check would read the input as events).
            let holdsHistograms = try !EventFile.holdsEvents(events)
            if holdsHistograms {
                if truth != nil { throw SDDError.invalidArgument("--truth", "needs an events file (the truth is a function of time); histogram input takes --calib") }
                if heldOut { throw SDDError.invalidArgument("--held-out", "needs an events file (folds of events); histogram input has none") }
            }
            let truthSet = try truth.map { try SimulationTruth.load($0, pairedWith: events) }
            let histograms = holdsHistograms ? try Calibrate.cellSpectra(SpectrumFile.read(events)) : nil
            var table = EventTable()
            if histograms == nil {
                let bar = TerminalProgressBar("read")
                table = try EventFile.read(events, options: rootInput.readOptions(), progress: bar).events
                bar.finish()
            }

            let batched: BatchedEvents
            let set: CalibrationSet
            if let t = truthSet {
                // Hourly batches with the truth averaged over each hour: drift within an hour is negligible.
                batched = BatchedEvents(table, spec: .duration(3600))
                set = t.calibrationSet(for: batched, source: truth!)
            } else {
                set = calibration!
                let spec = (try? BatchSpec(parsing: set.batch)) ?? Self.countSpec(set.batch) ?? .all
                batched = BatchedEvents(table, spec: spec)
            }
            /// The summed energy spectrum of the chosen cells and how many batches (cells) had no calibration.
            func spectrum(_ cells: Set<Int>?, _ range: ClosedRange<Double>, _ width: Double) -> (Histogram, Int) {
                if let histograms {
                    let r = SpectrumBuilder.energySpectrum(histograms: histograms.map { ($0.cell, $0.histogram) }, calibration: set,
                                                           cells: cells, range: range, binWidth: width)
                    return (r.histogram, r.uncalibrated.count)
                }
                let r = SpectrumBuilder.energySpectrum(batched, calibration: set, cells: cells, range: range, binWidth: width)
                return (r.histogram, r.uncalibrated.count)
            }
            // A fit needs data: no calibrated cell, or none of --cells, is an error, not a fabricated line.
            guard !set.cells.isEmpty else {
                throw SDDError.badFile(file: calib ?? truth!, message: "calibrates no cells")
            }
            if let only {
                let covered = Set(set.cells.map(\.cell))
                guard !only.isDisjoint(with: covered) else {
                    throw SDDError.invalidArgument("--cells", "none of \(only.sorted().map(String.init).joined(separator: ",")) is calibrated in \(calib ?? truth!) (cells: \(set.cells.map { String($0.cell) }.joined(separator: ",")))")
                }
            }
            let bins = Int(((window.upperBound - window.lowerBound) / bin).rounded())
            let range = window.lowerBound...(window.lowerBound + Double(bins) * bin)
            let (h, skipped) = spectrum(only, range, bin)
            guard let prof = LineProfile.named(profile) else { throw SDDError.invalidArgument("--profile", "unknown profile '\(profile)'") }
            guard h.total > 0 else {
                throw SDDError.failed(String(format: "no counts in ROI %g–%g eV (of the selected cells): nothing to fit", range.lowerBound, range.upperBound))
            }
            let outcome = LineFit.fit(h, line: spectral, neighbours: prof.lines, options: options)
            guard outcome.result.ndf > 0, outcome.result.chi2PerNDF.isFinite, outcome.result.position.isFinite else {
                throw SDDError.failed(String(format: "the fit in %g–%g eV has %d degrees of freedom (%.0f counts in %d bins): widen --roi or use smaller --bin",
                                             range.lowerBound, range.upperBound, outcome.result.ndf, h.total, h.binCount))
            }
            var report = FitReport(outcome.result, events: h.total, cells: only?.sorted() ?? set.cells.map(\.cell),
                                   bin: bin, uncalibratedBatches: skipped, source: calib ?? truth!)
            if let t = truthSet {
                let used = only ?? Set(t.cells.map(\.cell))
                let cs = t.cells.filter { used.contains($0.cell) }
                // Counts-weighted mean intrinsic width of the line over the cells summed.
                let w = cs.map { $0.ratePerDay[spectral.id] ?? 0 }
                let f = zip(cs, w).reduce(0) { $0 + ($1.0.lineFWHM[spectral.id] ?? 0) * $1.1 } / Swift.max(w.reduce(0, +), 1e-300)
                report.intrinsicFWHM = f
            }
            if spectral.id == "CuKa", let calibration {
                report.hardwareLimit = HardwareLimit.cuKalpha(calibration: calibration, cells: only, profile: prof)
            }
            if heldOut {
                guard spectral.id == "CuKa" else { throw SDDError.invalidArgument("--held-out", "only for --line CuKa") }
                guard let calibration, let file = calib else { throw SDDError.invalidArgument("--held-out", "needs --calib (a truth calibration does not depend on the events)") }
                guard folds >= 2, folds <= 50 else { throw SDDError.invalidArgument("--folds", "must be 2…50") }
                let recipe = try CalibrationRecipe(of: calibration, file: file)
                var cf = CrossFitting(folds: folds, seed: 1)
                cf.roi = range; cf.binWidth = bin; cf.options = options
                if let only { table = Self.cells(only, of: table) }
                if let procedure = try recipe.procedure(name: "calibration", profile: prof) {
                    let r = try cf.evaluate(events: table, procedure: procedure) { statusLine("held-out: " + $0) }
                    statusLine(nil)
                    if let st = r.stages.first {
                        report.heldOut = HeldOutFigures(folds: folds, heldOut: .init(st.heldOut), rerunInSample: .init(st.inSample),
                                                        recipe: recipe.description)
                    }
                }
            }
            if fullSpectrum {
                let (hf, _) = spectrum(only, 4000...10000, Swift.max(bin, 10))
                let r = FullSpectrumFit.fit(hf, profile: prof)
                let cu = r.fwhm(at: SpectralLine(id: "CuKa")!.energy)
                var ratios: [String: [Double]] = [:]
                for el in r.model.elements { if let q = r.kBetaRatio(el) { ratios[el] = [q.value, q.error] } }
                report.fullSpectrum = FullSpectrumReport(enc: r.enc, encErr: r.encError, fano: r.fano, fanoErr: r.fanoError,
                                                         expectedCuFWHM: cu.value, expectedCuFWHMErr: cu.error, kbKa: ratios,
                                                         shiftEV: r.fit.value("shift"), scale: r.fit.value("scale"),
                                                         chi2NDF: r.fit.chi2PerNDF, status: r.fit.status.rawValue)
            }
            if perCell {
                var unfitted: [Int] = []
                report.perCell = (only?.sorted() ?? set.cells.map(\.cell)).compactMap { c in
                    let (hc, _) = spectrum([c], range, bin)
                    var o = options
                    if case .free = o.tail { o.tail = .fractionFree(slope: outcome.result.tailSlope) }
                    // A cell without counts in the ROI, or too few for the fit's parameters, is listed, not fitted.
                    guard hc.total > 0 else { unfitted.append(c); return nil }
                    let r = LineFit.fit(hc, line: spectral, neighbours: prof.lines, options: o).result
                    guard r.ndf > 0, r.chi2PerNDF.isFinite, r.position.isFinite else { unfitted.append(c); return nil }
                    let limit = CellResolution.fit(cell: c, batches: set.batches(ofCell: c) ?? [], profile: prof)
                    return CellFit(cell: c, events: hc.total, positionEV: r.position, positionErrorEV: r.positionError,
                                   fwhmEV: r.fwhm, fwhmErrorEV: r.fwhmError, chi2PerNDF: r.chi2PerNDF, status: r.status.rawValue,
                                   hardwareFWHM: limit?.expectedCuFWHM, hardwareFWHMError: limit?.expectedCuFWHMError,
                                   enc: limit?.enc, fano: limit?.fano)
                }
                report.cellsNotFitted = unfitted
            }
            if json { try printJSON(report); return }
            print(report.text)
        }
    }

    /// The events of the given cells.
    static func cells(_ only: Set<Int>, of t: EventTable) -> EventTable {
        var out = EventTable()
        for i in 0..<t.count where only.contains(Int(t.cell[i])) { out.append(cell: t.cell[i], adc: t.adc[i], time: t.time[i]) }
        return out
    }

    static func parseROI(_ s: String) throws -> ClosedRange<Double> {
        let parts = s.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a < b, a.isFinite, b.isFinite else {
            throw SDDError.invalidArgument("--roi", "'\(s)' is not LOW:HIGH in eV with LOW < HIGH")
        }
        return a...b
    }

    static func parseCells(_ s: String) throws -> Set<Int> {
        var out = Set<Int>()
        for p in s.split(separator: ",") {
            guard let v = Int(p.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                throw SDDError.invalidArgument("--cells", "'\(p)' is not a cell number")
            }
            out.insert(v)
        }
        return out
    }

    /// "20000 events" (BatchSpec's description of a count spec) back to the spec.
    static func countSpec(_ s: String) -> BatchSpec? {
        guard s.hasSuffix(" events"), let n = Int(s.dropLast(7)), n > 0 else { return nil }
        return .count(n)
    }
}

struct CellFit: Encodable {
    var cell: Int
    var events: Double
    var positionEV: Double
    var positionErrorEV: Double
    var fwhmEV: Double
    var fwhmErrorEV: Double
    var chi2PerNDF: Double
    var status: String
    /// Intrinsic Cu Kα FWHM from the cell's ENC and F (fitted to its per-batch line widths).
    var hardwareFWHM: Double?
    var hardwareFWHMError: Double?
    var enc: Double?
    var fano: Double?
    enum CodingKeys: String, CodingKey {
        case cell, status, enc, fano, events = "counts_in_roi"
        case hardwareFWHM = "hardware_limit_fwhm_ev", hardwareFWHMError = "hardware_limit_fwhm_err_ev"
        case positionEV = "position_ev", positionErrorEV = "position_err_ev", fwhmEV = "fwhm_ev", fwhmErrorEV = "fwhm_err_ev"
        case chi2PerNDF = "chi2_ndf"
    }
}

/// The held-out figures of `fit --held-out`.
struct HeldOutFigures: Encodable {
    var folds: Int
    var heldOut: SeedValidation.Measurement
    /// The rerun chain on all events, fitted on the same events (should match the file's in-sample figure).
    var rerunInSample: SeedValidation.Measurement
    var recipe: String
    enum CodingKeys: String, CodingKey { case folds, recipe, heldOut = "held_out", rerunInSample = "rerun_in_sample" }
}

/// The `fit` output: the paper's table 1 row plus the rest of the fit.
struct FitReport: Encodable {
    var r: LineFitResult
    var events: Double
    var cells: [Int]
    var bin: Double
    var uncalibratedBatches: Int
    var source: String
    var intrinsicFWHM: Double?
    var perCell: [CellFit]?
    /// With --per-cell: cells left out for lack of counts in the ROI (or of degrees of freedom).
    var cellsNotFitted: [Int]?
    var fullSpectrum: FullSpectrumReport?
    var hardwareLimit: HardwareLimit?
    var heldOut: HeldOutFigures?

    /// Warnings for a Cu Kα FWHM (in-sample or held-out) more than 2σ below the hardware limit.
    var warnings: [String] {
        guard let hw = hardwareLimit else { return [] }
        return [hw.warning(measured: r.fwhm, error: r.fwhmError, label: "in-sample"),
                heldOut.flatMap { hw.warning(measured: $0.heldOut.fwhm, error: $0.heldOut.fwhmError, label: "held-out") }].compactMap { $0 }
    }

    init(_ r: LineFitResult, events: Double, cells: [Int], bin: Double, uncalibratedBatches: Int, source: String) {
        self.r = r; self.events = events; self.cells = cells; self.bin = bin
        self.uncalibratedBatches = uncalibratedBatches; self.source = source
    }

    enum K: String, CodingKey {
        case line, position_ev, position_err_ev, centroid_ev, centroid_err_ev, fwhm_ev, fwhm_err_ev, profile_fwhm_ev
        case sigma_ev, sigma_err_ev, area, area_err, tail_fraction, tail_fraction_err, tail_slope, tail_slope_err
        case background_per_ev, background_slope, chi2, ndf, chi2_ndf, status, roi_ev, bin_ev, counts_in_roi, cells
        case uncalibrated_batches, calibration, intrinsic_fwhm_ev, per_cell, fwhm_definition, full_spectrum
        case per_cell_not_fitted
        case hardware_limit, held_out, warnings, fwhm_kind
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try c.encode(r.line, forKey: .line)
        try c.encode(r.position, forKey: .position_ev); try c.encode(r.positionError, forKey: .position_err_ev)
        try c.encode(r.centroid, forKey: .centroid_ev); try c.encode(r.centroidError, forKey: .centroid_err_ev)
        try c.encode(r.fwhm, forKey: .fwhm_ev); try c.encode(r.fwhmError, forKey: .fwhm_err_ev)
        try c.encode(r.profileFWHM, forKey: .profile_fwhm_ev)
        try c.encode(r.sigma, forKey: .sigma_ev); try c.encode(r.sigmaError, forKey: .sigma_err_ev)
        try c.encode(r.area, forKey: .area); try c.encode(r.areaError, forKey: .area_err)
        try c.encode(r.tailFraction, forKey: .tail_fraction); try c.encode(r.tailFractionError, forKey: .tail_fraction_err)
        try c.encode(r.tailSlope, forKey: .tail_slope); try c.encode(r.tailSlopeError, forKey: .tail_slope_err)
        try c.encode(r.backgroundConstant, forKey: .background_per_ev); try c.encode(r.backgroundSlope, forKey: .background_slope)
        try c.encode(r.chi2, forKey: .chi2); try c.encode(r.ndf, forKey: .ndf); try c.encode(r.chi2PerNDF, forKey: .chi2_ndf)
        try c.encode(r.status.rawValue, forKey: .status)
        try c.encode([r.windowLow, r.windowHigh], forKey: .roi_ev); try c.encode(bin, forKey: .bin_ev)
        try c.encode(events, forKey: .counts_in_roi); try c.encode(cells, forKey: .cells)
        try c.encode(uncalibratedBatches, forKey: .uncalibrated_batches); try c.encode(source, forKey: .calibration)
        try c.encodeIfPresent(intrinsicFWHM, forKey: .intrinsic_fwhm_ev)
        try c.encodeIfPresent(perCell, forKey: .per_cell)
        try c.encodeIfPresent(cellsNotFitted, forKey: .per_cell_not_fitted)
        try c.encodeIfPresent(fullSpectrum, forKey: .full_spectrum)
        try c.encodeIfPresent(hardwareLimit, forKey: .hardware_limit)
        try c.encodeIfPresent(heldOut, forKey: .held_out)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(source.hasSuffix(".json") && intrinsicFWHM == nil ? "in-sample (calibration fitted on these events)" : "calibration given", forKey: .fwhm_kind)
        try c.encode("2.3548·sigma of the Gaussian core of each component", forKey: .fwhm_definition)
    }

    var text: String {
        var s = "\(r.line) fit, \(String(format: "%.0f", events)) counts in \(String(format: "%.0f–%.0f", r.windowLow, r.windowHigh)) eV, "
            + "bins of \(bin) eV, \(cells.count) cells (\(source))\n"
        s += String(format: "  position (Kα1)  %9.2f ± %.2f eV\n", r.position, r.positionError)
        s += String(format: "  centroid        %9.2f ± %.2f eV\n", r.centroid, r.centroidError)
        s += String(format: "  FWHM (2.3548σ)  %9.2f ± %.2f eV", r.fwhm, r.fwhmError)
        if intrinsicFWHM == nil { s += "  in-sample (calibration fitted on these events)" + (heldOut == nil && r.line == "CuKa" ? "; --held-out for the honest figure" : "") }
        s += "\n"
        if let h = heldOut {
            s += String(format: "  FWHM held-out   %9.2f ± %.2f eV  (%d-fold cross-fitted: %@ rerun without each fold; rerun in-sample %.2f ± %.2f)\n",
                        h.heldOut.fwhm, h.heldOut.fwhmError, h.folds, h.recipe, h.rerunInSample.fwhm, h.rerunInSample.fwhmError)
            s += String(format: "  position held-out %7.2f ± %.2f eV\n", h.heldOut.position, h.heldOut.positionError)
        }
        if let hw = hardwareLimit {
            s += String(format: "  hardware limit  %9.2f ± %.2f eV (ENC and Fano from the strong lines, %d cells)\n", hw.fwhm, hw.error, hw.cells)
        }
        if let f = intrinsicFWHM { s += String(format: "  intrinsic FWHM  %9.2f eV (simulator truth)\n", f) }
        s += String(format: "  profile FWHM    %9.2f eV (doublet + tail, half maximum)\n", r.profileFWHM)
        s += String(format: "  tail            f_T %.4f ± %.4f, β %.3f ± %.3f\n", r.tailFraction, r.tailFractionError, r.tailSlope, r.tailSlopeError)
        s += String(format: "  area            %9.0f ± %.0f counts; background %.3f counts/eV\n", r.area, r.areaError, r.backgroundConstant)
        s += String(format: "  χ²/ndf          %9.3f (%.1f / %d), status %@", r.chi2PerNDF, r.chi2, r.ndf, r.status.rawValue)
        for w in warnings { s += "\n  " + w }
        if uncalibratedBatches > 0 { s += "\n  \(uncalibratedBatches) batches without calibration left out" }
        if let f = fullSpectrum {
            s += String(format: "\n  full spectrum 4–10 keV: ENC %.2f ± %.2f e⁻, F %.4f ± %.4f → intrinsic Cu Kα FWHM %.1f ± %.1f eV; shift %.2f eV, scale %.5f; χ²/ndf %.3f (%@)",
                        f.enc, f.encErr, f.fano, f.fanoErr, f.expectedCuFWHM, f.expectedCuFWHMErr, f.shiftEV, f.scale, f.chi2NDF, f.status)
            s += "\n  Kβ/Kα: " + f.kbKa.keys.sorted().map { String(format: "%@ %.4f ± %.4f", $0, f.kbKa[$0]![0], f.kbKa[$0]![1]) }.joined(separator: ", ")
        }
        if let pc = perCell {
            if let u = cellsNotFitted, !u.isEmpty {
                s += "\n  not fitted (no counts in the ROI or too few for the fit): cells " + u.map(String.init).joined(separator: ", ")
            }
            s += "\n  cell   counts   position [eV]        FWHM [eV]        hardware limit [eV]   χ²/ndf  status"
            for c in pc {
                let hw = c.hardwareFWHM.map { String(format: "%6.1f ± %4.1f", $0, c.hardwareFWHMError ?? .nan) } ?? "     -       "
                s += String(format: "\n  %4d  %7.0f   %8.2f ± %5.2f   %6.1f ± %5.1f   %@         %5.2f  %@", c.cell, c.events, c.positionEV,
                            c.positionErrorEV, c.fwhmEV, c.fwhmErrorEV, hw, c.chi2PerNDF, c.status)
            }
        }
        return s
    }
}

struct FullSpectrumReport: Encodable {
    var enc, encErr, fano, fanoErr, expectedCuFWHM, expectedCuFWHMErr: Double
    var kbKa: [String: [Double]]
    var shiftEV, scale, chi2NDF: Double
    var status: String
    enum CodingKeys: String, CodingKey {
        case enc, fano, scale, status
        case encErr = "enc_err", fanoErr = "fano_err", expectedCuFWHM = "expected_cu_fwhm_ev"
        case expectedCuFWHMErr = "expected_cu_fwhm_err_ev", kbKa = "kb_ka", shiftEV = "shift_ev", chi2NDF = "chi2_ndf"
    }
}
