import Foundation
import LineFitting
import SDDCore

/// The computations behind the views that combine services: cell summaries, seed refits and the
/// before/after sums. Run by the engine off the UI thread.
public enum Analysis {
    /// Energy bin width (eV) of the before/after spectra: 10 eV, spread per ADC channel so bins
    /// narrower than ~3 eV/ADC channels do not beat (docs/physics.md §8).
    public static let energyBinWidth = 10.0

    /// The energy spectrum over `range` of the given cells, each event under the calibration at its time.
    /// Nil when no cell has a calibration in `set`.
    public static func energyHistogram(_ d: Dataset, cells: [Int], calibration set: CalibrationSet,
                                       range: ClosedRange<Double> = BeforeAfterState.range, binWidth: Double = energyBinWidth) -> Histogram? {
        let bins = Int(((range.upperBound - range.lowerBound) / binWidth).rounded())
        var total = Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        var any = false
        for c in cells {
            guard let i = d.index(ofCell: c) else { continue }
            let cell = d.cells[i]
            if let ev = d.events {
                // Every event under the calibration at its own time (a version-2 timeline, else its batch's).
                guard var cursor = set.cursor(cell: c) else { continue }
                for info in cell.batches {
                    guard let r = info.range else { continue }
                    EventEnergies.addSpectrum(into: &total, adc: ev.adc[r], time: ev.time[r], cursor: &cursor,
                                              seed: SpectrumBuilder.ditherSeed(cell: c, batch: info.index))
                    any = true
                }
            } else if let cal = Dataset.calibration(set, cell: cell, batch: nil) {
                // Histogram input: O(channels), whole channels dithered as events are (one multinomial draw each).
                total = total + Histogram.energy(adcHistogram: cell.spectrum, calibration: cal, lowerEdge: range.lowerBound,
                                                 binWidth: binWidth, bins: bins)
                any = true
            }
        }
        return any ? total : nil
    }

    /// The energy spectrum over `range` of the given cells' events under the simulator's true
    /// calibration at each event's time, each event dithered within its channel (seeded per cell and
    /// batch, like `energyHistogram`). Nil without events.
    public static func energyHistogram(_ d: Dataset, cells: [Int], truth: SimulationTruth,
                                       range: ClosedRange<Double> = BeforeAfterState.range, binWidth: Double = energyBinWidth) -> Histogram? {
        guard let ev = d.events else { return nil }
        let bins = Int(((range.upperBound - range.lowerBound) / binWidth).rounded())
        var total = Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        let lo = total.lowerEdge, hi = total.upperEdge
        var any = false
        for c in cells {
            guard let i = d.index(ofCell: c), let cellTruth = truth.cell(c) else { continue }
            for info in d.cells[i].batches {
                guard let r = info.range else { continue }
                var rng = SeededGenerator(seed: SpectrumBuilder.ditherSeed(cell: c, batch: info.index))
                for k in r {
                    let e = EventEnergies.energy(adc: ev.adc[k], calibration: cellTruth.calibration(at: ev.time[k]), uniform: rng.uniform())
                    if e >= lo && e < hi { total.fill(e) }
                }
                any = true
            }
        }
        return any ? total : nil
    }

    /// Before/after figures of a request: the Cu Kα region of its cells under the reference (before)
    /// and under the optimized calibration (after; against another reference than the standard
    /// calibration, the standard one when nothing is optimized yet), both fitted, and the hardware
    /// limit of the cells from the strong lines (of the calibration with timelines when there is one, else the standard).
    public static func beforeAfter(_ d: Dataset, request: BeforeAfterRequest, services: InspectorServices) -> BeforeAfterResult {
        var r = BeforeAfterResult(request: request)
        guard let standard = d.calibration else { r.message = "no calibration yet"; return r }
        let cells = request.cells
        let hb: Histogram?
        switch request.reference {
        case .longBatches: hb = d.referenceCalibration.flatMap { energyHistogram(d, cells: cells, calibration: $0) }
        case .standard: hb = energyHistogram(d, cells: cells, calibration: standard)
        case .truth: hb = d.truth.flatMap { energyHistogram(d, cells: cells, truth: $0) }
        }
        let afterSet = d.optimized ?? (request.reference == .standard ? nil : standard)
        let ha = afterSet.flatMap { energyHistogram(d, cells: cells, calibration: $0) }
        r.beforeHistogram = hb; r.afterHistogram = ha
        if let fit = services.fitCuKa {
            r.before = hb.flatMap(fit); r.after = ha.flatMap(fit)
        } else {
            r.message = "Cu Kα fit not available in this build"
        }
        let only = Set(cells)
        r.hardwareLimit = HardwareLimit.cuKalpha(preferringTimelines: [standard, d.optimized, d.referenceCalibration], cells: only, profile: d.profile)
        return r
    }

    /// Fits every seeded line and refits the calibration through the fitted centroids. Without a
    /// line fitter, the seeds themselves (±0.5 ADC) are the centroids, and the message says so.
    public static func refit(_ h: Histogram, profile: LineProfile, seeds: [String: Double], services: InspectorServices)
        -> (fits: [String: PeakFitSummary], calibration: CentroidCalibrationFit?, message: String?) {
        if let r = services.refitSeeds {
            let out = r(h, profile, seeds)
            return (out.fits, out.calibration, out.message)
        }
        var fits: [String: PeakFitSummary] = [:]
        var points: [CalibrationPoint] = []
        var failed: [String] = []
        for line in profile.calibrationLines {
            guard let seed = seeds[line.id] else { continue }
            if let f = services.fitLine {
                if let r = f(h, line, seed) {
                    fits[line.id] = r
                    points.append(CalibrationPoint(line: line.id, adc: r.position, adcError: r.positionError ?? 0.5, energy: line.energy))
                } else { failed.append(line.label) }
            } else {
                points.append(CalibrationPoint(line: line.id, adc: seed, adcError: 0.5, energy: line.energy))
            }
        }
        var msg: String? = services.fitLine == nil ? "no line fitter in this build: calibration through the seeds" : nil
        if !failed.isEmpty { msg = "fit failed: " + failed.joined(separator: ", ") }
        return (fits, fitCalibration(points), msg)
    }

    /// Overview figures per cell: Cu Kα FWHM under the calibration, the hardware limit from the
    /// strongest line's width, and the verdict of SDDCore's ``CalibrationQuality`` (the rules
    /// `sddcal calibrate` reports too): bad for failed batch fits, |residual| > 30 eV or a failed Cu Kα
    /// fit; check for |residual| > 10 eV, missing lines, a line pull above 5σ, or Cu Kα FWHM more
    /// than 15 % over the hardware limit (by twice its error beyond that).
    public static func summaries(_ d: Dataset, calibration set: CalibrationSet?, services: InspectorServices,
                                 quality: CalibrationQuality = CalibrationQuality()) -> [Int: CellSummary] {
        var out: [Int: CellSummary] = [:]
        var encs: [Int: Double] = [:]
        let response = DetectorResponse()
        let cuKa = SpectralLine(id: "CuKa")!
        let strongest = d.profile.strongestCalibrationLine
        for cell in d.cells {
            var s = CellSummary()
            var findings: [CalibrationQuality.Finding] = []
            if let set, let batches = set.batches(ofCell: cell.cell) {
                findings = quality.findings(batches: batches, profile: d.profile)
                if let fit = services.fitCuKa {
                    if let h = energyHistogram(d, cells: [cell.cell], calibration: set), let f = fit(h) { s.cuKaFWHM = f.fwhm; s.cuKaFWHMError = f.fwhmError }
                    else { findings.append(.cuKaFitFailed) }
                }
                // The batches' own events (``BatchLineCheck``) and the cell's ENC for the array-wide noisy check.
                // (`ordered` below puts every finding in its place, whatever the order they are found in.)
                findings += quality.findings(lineChecks: lineChecks(d, cell: cell, calibration: set))
                if let line = strongest, let e = enc(of: batches, line: line) { encs[cell.cell] = e }
            } else if set != nil {
                findings.append(.notCalibrated)
            }
            // Hardware limit: ENC from the strongest line's width in its largest batch, then FWHM at Cu Kα.
            if let line = strongest, let f = services.fitLine {
                let bi = cell.batches.indices.max { cell.batches[$0].events < cell.batches[$1].events }
                let h = d.histogram(cell: d.index(ofCell: cell.cell)!, batch: bi)
                let cal = Dataset.calibration(set, cell: cell, batch: bi)
                let seed = cal?.adc(forEnergy: line.energy) ?? h.center(h.counts.indices.max { h.counts[$0] < h.counts[$1] } ?? 0)
                if let r = f(h, line, seed), let cal {
                    let fwhmE = r.fwhm * cal.slope(r.position)
                    let enc = response.enc(forFWHM: fwhmE, at: line.energy)
                    var resp = response; resp.enc = enc
                    s.hardwareFWHM = resp.fwhm(at: cuKa.energy)
                }
            }
            // The limit `fit` and `report` warn against (from the line widths of the standard calibration,
            // or of a calibration with timelines, which measure the drift within the batches).
            s.hardwareLimit = HardwareLimit.cuKalpha(preferringTimelines: [d.calibration, set], cells: [cell.cell], profile: d.profile)
            if let a = s.cuKaFWHM, let b = s.hardwareFWHM, let f = quality.finding(cuKaFWHM: a, cuKaFWHMError: s.cuKaFWHMError, hardwareLimit: b) {
                findings.append(f)
            }
            s.findings = findings
            out[cell.cell] = s
        }
        // The array's view: dead cells (few events) and noisy cells (ENC) against the median cell.
        let events = d.cells.map { Double($0.events) }.sorted()
        let medianEvents = events.isEmpty ? 0 : events[events.count / 2]
        let encValues = encs.values.sorted()
        let medianENC = encValues.isEmpty ? 0 : encValues[encValues.count / 2]
        for cell in d.cells {
            guard var s = out[cell.cell] else { continue }
            if let f = quality.deadCell(events: cell.events, arrayEvents: medianEvents) { s.findings.append(f) }
            if encValues.count >= 3, let e = encs[cell.cell], let f = quality.noisy(enc: e, arrayENC: medianENC) { s.findings.append(f) }
            s.findings = CalibrationQuality.ordered(s.findings)
            // Without a calibration nothing is judged but the resolution and the event count.
            s.flag = set == nil && s.findings.isEmpty ? .unknown : CellFlag(CalibrationQuality.level(s.findings))
            s.note = s.findings.map(\.description).joined(separator: "; ")
            out[cell.cell] = s
        }
        return out
    }

    /// ``BatchLineCheck`` of every batch of a cell: its events under the calibration at their own
    /// times (the timeline for version-2 cells). Empty for histogram input.
    public static func lineChecks(_ d: Dataset, cell: CellInfo, calibration set: CalibrationSet) -> [BatchLineCheck] {
        guard let ev = d.events, var cursor = set.cursor(cell: cell.cell) else { return [] }
        var out: [BatchLineCheck] = []
        for info in cell.batches {
            guard let r = info.range else { continue }
            var energies = [Double]()
            energies.reserveCapacity(r.count)
            for k in r { energies.append(cursor.energy(adc: Double(ev.adc[k]), time: ev.time[k])) }
            if let c = BatchLineCheck.measure(energies: energies, times: ev.time[r], batch: info.index, start: info.start,
                                              end: info.end, profile: d.profile) { out.append(c) }
        }
        return out
    }

    /// A cell's ENC (e⁻): the median over its usable batches of the ENC the fitted width of `line`
    /// (the profile's strongest) implies.
    public static func enc(of batches: [CalibrationSet.Batch], line: SpectralLine) -> Double? {
        let response = DetectorResponse()
        var encs: [Double] = []
        for b in batches where b.status.isUsable {
            guard let l = b.lines.first(where: { $0.line == line.id }), let sigma = l.sigmaADC, sigma > 0 else { continue }
            let fwhm = DetectorResponse.fwhmPerSigma * sigma * abs(b.calibration.slope(l.centroidADC))
            let e = response.enc(forFWHM: fwhm, at: line.energy)
            if e.isFinite { encs.append(e) }
        }
        guard !encs.isEmpty else { return nil }
        encs.sort()
        return encs[encs.count / 2]
    }
}
