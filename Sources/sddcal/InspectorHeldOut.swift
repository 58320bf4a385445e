import CalibrationRefinement
import Foundation
import Inspector
import LineFitting
import SDDCore

/// The before/after view's held-out figures: the inspector's own chain (its standard calibrator with
/// the session's seeder, in the reference's long batches and in the inspector's batches, then view 4's
/// refinement) cross-fitted over the selected cells' events (``CrossFitting``, as `demo` and
/// `fit --held-out` do). Progress goes to the listener per run and step; a cancel stops the
/// refinement at its next iteration and the chain before its next step.
struct InspectorHeldOut: Sendable {
    var calibrator: StandardCalibrator
    var smooth: Bool
    var refinement: RefinementSettings

    func run(_ d: Dataset, request: HeldOutRequest, listener: HeldOutListener) throws -> Inspector.HeldOutFigures {
        guard let all = d.events else { throw SDDError.failed("held-out figures need an event file") }
        let events = Fit.cells(Set(request.cells), of: all)
        guard !events.isEmpty else { throw SDDError.failed("no events in the selected cells") }
        let batch = try BatchSpec(parsing: d.batchSpec)
        let long = d.offersLongBatchReference ? try BatchSpec(parsing: d.referenceBatch) : nil
        let runs = Double(request.folds + 1)
        let position = RunPosition()
        let (calibrator, smooth, refinement) = (self.calibrator, self.smooth, self.refinement)
        let procedure: CalibrationProcedure = { e in
            let (run, label) = position.current
            func step(_ what: String, _ f: Double) throws {
                if listener.isCancelled { throw HeldOutCancelled() }
                listener.progress("\(label): \(what)", fraction: (Double(run) + f) / runs)
            }
            var stages: [CalibrationStage] = []
            if let long {
                try step("\(d.referenceBatch) standard calibration", 0)
                stages.append(CalibrationStage(name: ChainStage.longBatches.rawValue, calibration: calibrator.calibrate(BatchedEvents(e, spec: long))))
            }
            try step("\(d.batchSpec) standard calibration", 0.2)
            let batched = BatchedEvents(e, spec: batch)
            let standard = calibrator.calibrate(batched)
            stages.append(CalibrationStage(name: ChainStage.standard.rawValue, calibration: standard))
            let what = smooth ? "smooth refinement" : "per-batch refinement"
            try step(what, 0.5)
            let flag = CancellationFlag()
            let relay = HeldOutCancelRelay(listener, flag: flag, label: "\(label): \(what)", fraction: (Double(run) + 0.5) / runs)
            let refined: CalibrationSet
            if smooth {
                let r = try SmoothCalibrationRefiner().refine(events: batched.events, initial: standard, observer: relay, cancel: flag)
                refined = r.calibration.calibrationSet(like: standard)
            } else {
                refined = try CalibrationRefiner(settings: refinement).refine(events: e, calibration: standard, observer: relay, cancel: flag).calibration
            }
            // A cancelled refinement returns its last iterate: not a result to measure.
            if listener.isCancelled { throw HeldOutCancelled() }
            stages.append(CalibrationStage(name: ChainStage.refined.rawValue, calibration: refined))
            return stages
        }
        let cf = CrossFitting(folds: request.folds, seed: 1)
        let r = try cf.evaluate(events: events, procedure: procedure) { position.advance($0) }
        listener.progress("measuring Cu Kα", fraction: 1)
        func figure(_ f: LineFitResult) -> CuKalphaFigure {
            CuKalphaFigure(position: f.position, positionError: f.positionError, fwhm: f.fwhm, fwhmError: f.fwhmError, chi2PerNDF: f.chi2PerNDF)
        }
        let rows = r.stages.compactMap { s in
            ChainStage(rawValue: s.name).map { Inspector.HeldOutFigures.Row(stage: $0, heldOut: figure(s.heldOut), inSample: figure(s.inSample)) }
        }
        let short = BeforeAfterReference.batchName(d.batchSpec)
        let chain = "\(calibrator.seeder.name) seeds, \(long != nil ? BeforeAfterReference.batchName(d.referenceBatch) + " and " : "")\(short) standard, "
            + (smooth ? "smooth" : "per-batch") + " refinement; \(request.folds) folds of \(events.count) events"
        return Inspector.HeldOutFigures(request: request, rows: rows, chain: chain)
    }
}

/// Which run of the cross-fitting is going (0: all events, k: fold k), from its progress reports.
private final class RunPosition: @unchecked Sendable {
    private let lock = NSLock()
    private var run = -1
    private var label = ""
    func advance(_ text: String) { lock.lock(); run += 1; label = text; lock.unlock() }
    var current: (Int, String) { lock.lock(); defer { lock.unlock() }; return (Swift.max(0, run), label) }
}

/// Counts the held-out run's refinement iterations into its progress line, and stops the refinement
/// at its next iteration once the inspector cancels.
private final class HeldOutCancelRelay: OptimizationObserver, @unchecked Sendable {
    let listener: HeldOutListener
    let flag: CancellationFlag
    let label: String
    let fraction: Double
    private let lock = NSLock()
    private var iterations = 0
    init(_ l: HeldOutListener, flag: CancellationFlag, label: String, fraction: Double) {
        listener = l; self.flag = flag; self.label = label; self.fraction = fraction
    }
    func observe(_ event: OptimizationEvent) {
        if listener.isCancelled { flag.cancel(); return }
        guard case .iterated = event else { return }
        lock.lock(); iterations += 1; let n = iterations; lock.unlock()
        listener.progress("\(label), iteration \(n)", fraction: fraction)
    }
}
