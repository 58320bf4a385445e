import CalibrationRefinement
import Foundation
import Inspector
import LineFitting
import PeakFinding
import SDDCore

/// The inspector's services backed by the computation modules: SciPy-style peak finding,
/// line fits and the standard calibration (LineFitting), the Cu Kα fit, and the gradient refinement
/// (CalibrationRefinement). The CNN is not wired yet (no predictor in this build): its overlay says so.
enum InspectorLiveServices {
    static func make(profile: LineProfile) -> InspectorServices {
        let calibrator = StandardCalibrator(profile: profile)
        return InspectorServices(
            scipyCentroids: { h, p in scipyCentroids(h, profile: p) },
            cnnCentroids: nil,
            fitLine: { h, line, seed in fitLine(h, line: line, seed: seed) },
            refitSeeds: { h, p, seeds in refit(h, profile: p, seeds: seeds, calibrator: calibrator) },
            fitCuKa: { h in fitCuKa(h) },
            standardCalibration: { d, progress in
                guard let ev = d.events else { throw SDDError.failed("standard calibration needs events") }
                let batched = BatchedEvents(ev, spec: try BatchSpec(parsing: d.batchSpec == "all" ? "all" : d.batchSpec))
                return calibrator.calibrate(batched, source: "sddcal inspect \(d.name)", progress: progress)
            },
            optimize: { d, cal, listener in
                guard let ev = d.events else { throw SDDError.failed("optimization needs events") }
                let flag = CancellationFlag()
                let relay = RefinementRelay(listener, flag: flag)
                return try CalibrationRefiner().refine(events: ev, calibration: cal, observer: relay, cancel: flag).calibration
            })
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
        var adc: [UInt16] = []
        adc.reserveCapacity(Int(h.total))
        for i in h.counts.indices where h.counts[i] > 0 {
            let v = UInt16(clamping: Int(h.center(i).rounded()))
            for _ in 0..<Int(h.counts[i].rounded()) { adc.append(v) }
        }
        let b = calibrator.calibrateBatch(adc: adc, cell: 0, index: 0, start: 0, end: 0, seeds: seeds)
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
        if b.calibration == nil { notes.append("calibration failed: \(b.status)") }
        return SeedRefit(fits: fits, calibration: fit, message: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    /// SciPy-style peaks: `find_peaks` on the profile window rebinned to 10 ADC per bin (the CNN's
    /// input binning), prominence ≥ max(8, 2 % of the highest bin); each peak's centroid is the
    /// count-weighted mean of its three bins. Peaks are identified with the nearest line seed of the
    /// line-pattern search within 25 ADC; others stay unidentified.
    static func scipyCentroids(_ h: Histogram, profile: LineProfile) -> [CentroidMark] {
        let lo = Int(profile.adcWindow.lowerBound), hi = Int(profile.adcWindow.upperBound)
        let step = 10
        let n = (hi - lo) / step
        guard n > 3 else { return [] }
        var x = [Double](repeating: 0, count: n)
        for i in 0..<n { for k in 0..<step { if let b = h.bin(of: Double(lo + i * step + k)) { x[i] += h.counts[b] } } }
        let top = x.max() ?? 0
        guard top > 0, let r = try? PeakFinder.findPeaks(x, options: PeakSearchOptions(distance: 3, prominence: PeakCondition(min: Swift.max(8, 0.02 * top))))
        else { return [] }
        let seeds = PatternSeeder().seeds(for: h, profile: profile, cell: 0, batch: 0)
        return r.peaks.map { p in
            var w = 0.0, m = 0.0
            for j in Swift.max(0, p - 1)...Swift.min(n - 1, p + 1) {
                w += x[j]; m += x[j] * (Double(lo + j * step) + Double(step - 1) / 2)
            }
            let c = w > 0 ? m / w : Double(lo + p * step)
            let id = seeds.filter { abs($0.value - c) < 25 }.min { abs($0.value - c) < abs($1.value - c) }?.key
            return CentroidMark(lineID: id, adc: c)
        }
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
