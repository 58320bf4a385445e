import CalibrationRefinement
import CentroidNetwork
import Foundation
import Inspector
import LineFitting
import PeakFinding
import SDDCore

/// The inspector's services backed by the computation modules: SciPy-style peak finding,
/// line fits and the standard calibration (LineFitting), the Cu Kα fit, and the gradient refinement
/// (CalibrationRefinement), and the CNN centroids (CentroidNetwork) when a model for the profile is
/// found; without one the overlay says "CNN n/a".
enum InspectorLiveServices {
    /// - Parameter model: a CNN model file; nil looks for the shipped one.
    /// - Returns: the services and, when no usable CNN model was found, why.
    /// - Parameter out: where the calibration in use is written when it changes (nil: nowhere).
    /// - Parameter smooth: refine with the smooth-in-time refinement (all lines) instead of per batch.
    static func make(profile: LineProfile, model: String?, refinement: RefinementSettings = RefinementSettings(),
                     smooth: Bool = true, out: String? = nil, overwrite: Bool = false, seeds: SeedsFile? = nil) throws -> (InspectorServices, String?) {
        // The standard calibration replays hand-set seeds from a seeds file over the pattern seeder.
        let calibrator = seeds.map { StandardCalibrator(profile: profile, seeder: SeedsFileSeeder(base: PatternSeeder(), file: $0)) }
            ?? StandardCalibrator(profile: profile)
        var cnn: CNNBox? = nil
        var note: String? = nil
        do {
            let p = try model.map(CentroidPredictor.load) ?? CentroidPredictor.bundled()
            try p.check(profile: profile)
            cnn = CNNBox(p)
        } catch let e as SDDError {
            if model != nil { throw e }      // asked for explicitly: a bad model is an error
            note = "CNN n/a: \(e.description)"
        }
        var services = InspectorServices(
            scipyCentroids: { h, p in scipyCentroids(h, profile: p) },
            cnnCentroids: cnn.map { box in { @Sendable h, _ in box.centroids(h) } },
            fitLine: { h, line, seed in fitLine(h, line: line, seed: seed) },
            refitSeeds: { h, p, seeds in refit(h, profile: p, seeds: seeds, calibrator: calibrator) },
            fitCuKa: { h in fitCuKa(h) },
            standardCalibration: { d, progress in
                guard let ev = d.events else { return calibrateHistograms(d, calibrator: calibrator, progress: progress) }
                let batched = BatchedEvents(ev, spec: try BatchSpec(parsing: d.batchSpec == "all" ? "all" : d.batchSpec))
                return calibrator.calibrate(batched, source: "sddcal inspect \(d.name)", progress: progress)
            },
            optimize: { d, cal, listener in
                guard let ev = d.events else { throw SDDError.failed("optimization needs events") }
                let flag = CancellationFlag()
                let relay = RefinementRelay(listener, flag: flag)
                if smooth {
                    // Every Newton iteration of every cell reaches the live plot; a cancel stops them at the
                    // next iteration and the cells keep their last iterate.
                    let r = try SmoothCalibrationRefiner().refine(events: ev, initial: cal, observer: relay, cancel: flag)
                    return r.calibration.calibrationSet(like: cal)
                }
                return try CalibrationRefiner(settings: refinement).refine(events: ev, calibration: cal, observer: relay, cancel: flag).calibration
            })
        let heldOut = InspectorHeldOut(calibrator: calibrator, smooth: smooth, refinement: refinement)
        services.heldOut = { d, request, listener in try heldOut.run(d, request: request, listener: listener) }
        if let out {
            // The first save respects --force; later ones replace the file this session wrote.
            let written = SessionFile()
            services.saveCalibration = { set in
                try set.save(out, overwrite: overwrite || written.isWritten)
                written.markWritten()
                return out
            }
        }
        return (services, note)
    }

    /// The standard calibration of histogram input: each cell's spectrum as one batch, cells in
    /// parallel, in O(channels) (the histograms are fitted as they are, never expanded into events).
    static func calibrateHistograms(_ d: Dataset, calibrator: StandardCalibrator, progress: ProgressObserver) -> CalibrationSet {
        let out = calibrator.calibrateHistograms(d.cells.map { (cell: $0.cell, histogram: $0.spectrum) }, progress: progress)
        var set = StandardCalibrator.assemble(out, profile: d.profile, batch: "all", method: "standard (seeds: \(calibrator.seeder.name))",
                                              source: "sddcal inspect \(d.name)")
        set.setLabels(Dictionary(d.cells.compactMap { c in c.label.map { (c.cell, $0) } }, uniquingKeysWith: { a, _ in a }))
        return set
    }

    /// The window of ±4σ (nominal resolution) around a seed, in ADC of a ~3.1 eV/ADC gain.
    static func window(_ h: Histogram, around seed: Double, line: SpectralLine, sigmas: Double = 4) -> Histogram {
        let s = DetectorResponse().sigma(at: line.energy) / 3.1
        return h.slice((seed - sigmas * s)...(seed + sigmas * s))
    }

    static func summary(_ o: LineFitOutcome, useCentroid: Bool) -> PeakFitSummary? {
        let r = o.result
        guard r.status != .stalled, r.position.isFinite, r.fwhm.isFinite else { return nil }
        return PeakFitSummary(position: useCentroid ? r.centroid : r.position,
                              positionError: useCentroid ? r.centroidError : r.positionError,
                              fwhm: r.fwhm, fwhmError: r.fwhmError, chi2: r.chi2, ndf: r.ndf,
                              curveX: o.model.centers, curveY: o.expected.map { $0 / o.model.binWidth })
    }

    static func fitLine(_ h: Histogram, line: SpectralLine, seed: Double) -> PeakFitSummary? {
        let w = window(h, around: seed, line: line)
        guard w.total > 30 else { return nil }
        return summary(LineFit.fit(w, line: line, xPerEV: 1 / 3.1, seedCentroid: seed), useCentroid: true)
    }

    static func fitCuKa(_ h: Histogram) -> PeakFitSummary? {
        guard h.slice(CuKalphaLineFit.roi).total > 30 else { return nil }
        return summary(CuKalphaLineFit.fitOutcome(histogram: h), useCentroid: false)
    }

    /// The standard calibration's own refit of one batch from the given seeds.
    static func refit(_ h: Histogram, profile: LineProfile, seeds: [String: Double], calibrator: StandardCalibrator) -> SeedRefit {
        let b = calibrator.calibrateBatch(histogram: h, cell: 0, seeds: seeds)
        var fits: [String: PeakFitSummary] = [:]
        for (id, o) in b.lineFits { if let s = summary(o, useCentroid: true) { fits[id] = s } }
        var fit: CentroidCalibrationFit? = nil
        if let cal = b.calibration {
            var res: [String: Double] = [:]
            for (k, p) in b.points.enumerated() where k < b.residuals.count { res[p.line] = b.residuals[k] }
            fit = CentroidCalibrationFit(calibration: cal, residuals: res, chi2: b.polynomialChi2, ndf: b.polynomialNDF)
        }
        var notes: [String] = []
        if !b.rejected.isEmpty { notes.append("rejected: " + b.rejected.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")) }
        if b.calibration == nil { notes.append("calibration \(b.status)") }
        return SeedRefit(fits: fits, calibration: fit, message: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// SciPy-style peaks as `sddcal peaks` and `calibrate --seeds scipy` find them by default: the
    /// batch's whole range with counts, smoothing of half the measured peak σ, prominence ≥ 3·√height,
    /// and identification of the calibration lines at any gain (PeakFinding's `SpectrumPeakSearch`).
    static func scipyCentroids(_ h: Histogram, profile: LineProfile) -> [CentroidMark] {
        let w = h.trimmedToCounts()
        guard w.binCount > 3, let report = try? SpectrumPeakSearch.adaptive(profile: profile).run(w) else { return [] }
        return report.peaks.map { CentroidMark(lineID: $0.line, adc: $0.centroidADC) }
    }
}

/// The CNN predictor, used from the engine's one analysis queue (the predictor also locks itself).
final class CNNBox: @unchecked Sendable {
    let predictor: CentroidPredictor
    init(_ p: CentroidPredictor) { predictor = p }

    /// The model's centroids for the profile's calibration lines (nil when the window is empty).
    func centroids(_ h: Histogram) -> [CentroidMark] {
        guard let c = try? predictor.predict(h) else { return [] }
        return zip(predictor.lineIDs, c).filter { $0.1.isFinite }.map { CentroidMark(lineID: $0.0, adc: $0.1) }
    }
}

/// Feeds the refinement's per-batch iterations to the inspector as one trace: the summed gain in
/// log-likelihood over all batches (started batches at their latest iterate) against the total
/// iteration count; forwards a cancel from the inspector to the optimizers.
final class RefinementRelay: OptimizationObserver, @unchecked Sendable {
    let listener: OptimizationListener
    let flag: CancellationFlag
    private let lock = NSLock()
    private var initial: [OptimizationID: Double] = [:]
    private var latest: [OptimizationID: Double] = [:]
    private var gain = 0.0
    private var iterations = 0

    init(_ l: OptimizationListener, flag: CancellationFlag) { listener = l; self.flag = flag }

    func observe(_ event: OptimizationEvent) {
        let s = event.snapshot
        lock.lock()
        switch event {
        case .started: initial[s.id] = s.logLikelihood; latest[s.id] = s.logLikelihood
        case .iterated, .finished:
            if case .iterated = event { iterations += 1 }
            if let prev = latest[s.id], s.logLikelihood.isFinite { gain += s.logLikelihood - prev }
            latest[s.id] = s.logLikelihood
        }
        let (it, g) = (iterations, gain)
        lock.unlock()
        listener.iteration(it, logLikelihood: g)
        if listener.isCancelled { flag.cancel() }
    }
}

/// Whether the inspector has written its output file yet (saves come from the analysis queue).
final class SessionFile: @unchecked Sendable {
    private let lock = NSLock()
    private var written = false
    var isWritten: Bool { lock.lock(); defer { lock.unlock() }; return written }
    func markWritten() { lock.lock(); written = true; lock.unlock() }
}
