import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for the before/after view (keys and the results of its background work);
    /// nil when the action is not one of them.
    mutating func reduceBeforeAfter(_ action: Action) -> [Effect]? {
        switch action {
        case .recomputeBeforeAfter:
            beforeAfter.requested = nil
            return requestBeforeAfter()
        case .cycleReference:
            let all = BeforeAfterReference.available(in: dataset)
            let i = all.firstIndex(of: effectiveReference) ?? -1
            beforeAfter.reference = all[(i + 1) % all.count]
            return requestBeforeAfter()
        case .toggleBeforeAfterScope:
            beforeAfter.scope = beforeAfter.scope == .summed ? .cell : .summed
            return requestBeforeAfter()
        case .startHeldOut:
            guard services.heldOut else { message = "held-out figures not available in this build"; break }
            guard dataset?.events != nil else { message = "held-out figures need an event file (cell, ADC, time)"; break }
            guard !beforeAfter.heldOut.isRunning else { message = "held-out figures are being computed: c cancels"; break }
            let req = HeldOutRequest(cells: beforeAfterCells)
            beforeAfter.heldOut.phase = .running
            beforeAfter.heldOut.request = req
            beforeAfter.heldOut.progress = "starting"
            beforeAfter.heldOut.fraction = 0
            return [.startHeldOut(req)]
        case .cancelHeldOut:
            guard beforeAfter.heldOut.phase == .running else { break }
            beforeAfter.heldOut.phase = .cancelling
            return [.cancelHeldOut]
        case .beforeAfterReady(let r):
            // Only the answer to the request on screen counts.
            guard r.request == beforeAfter.requested else { break }
            beforeAfter.result = r
            beforeAfter.pending = false
            beforeAfter.message = r.message
        case let .referenceCalibrationReady(set, err):
            beforeAfter.referencePending = false
            activity = nil; activityFraction = nil
            if let set {
                dataset?.referenceCalibration = set
                beforeAfter.invalidate()
            } else {
                // Without it the view falls back to the standard calibration.
                beforeAfter.referenceFailed = true
                beforeAfter.message = "\(BeforeAfterReference.longBatches.label(dataset)) calibration failed: \(err ?? "unknown error")"
            }
            return requestBeforeAfter()
        case let .heldOutProgress(text, f):
            guard beforeAfter.heldOut.isRunning else { break }
            beforeAfter.heldOut.progress = text
            beforeAfter.heldOut.fraction = f
        case let .heldOutFinished(figures, err, cancelled):
            var h = beforeAfter.heldOut
            h.progress = nil; h.fraction = nil
            if let err { h.phase = .failed(err); message = "held-out figures failed: \(err)" }
            else if cancelled || figures == nil { h.phase = .cancelled; message = "held-out figures cancelled" }
            else { h.phase = .finished; h.figures = figures; message = "held-out figures ready" }
            beforeAfter.heldOut = h
        default: return nil
        }
        return []
    }

    /// The cells the before/after view sums: the cell under the cursor alone, or the selected cells
    /// (all when none is selected).
    public var beforeAfterCells: [Int] {
        guard let d = dataset else { return [] }
        if beforeAfter.scope == .cell, let c = cell { return [c.cell] }
        return selection.isEmpty ? d.cells.map(\.cell) : selection.sorted()
    }

    /// The reference shown: the chosen one when the dataset offers it, else the standard calibration.
    public var effectiveReference: BeforeAfterReference {
        let all = BeforeAfterReference.available(in: dataset)
        if beforeAfter.reference == .longBatches && beforeAfter.referenceFailed { return .standard }
        return all.contains(beforeAfter.reference) ? beforeAfter.reference : .standard
    }

    /// Asks for the before/after figures of the current cells, reference and calibrations unless they
    /// are on screen or on their way; first the long-batch reference calibration when it is missing.
    mutating func requestBeforeAfter() -> [Effect] {
        guard let d = dataset else { return [] }
        guard d.calibration != nil else { beforeAfter.message = "waiting for a calibration"; return [] }
        let ref = effectiveReference
        if ref == .longBatches && d.referenceCalibration == nil {
            guard !beforeAfter.referencePending else { return [] }
            beforeAfter.referencePending = true
            beforeAfter.message = nil
            activity = "\(ref.label(d)) calibration (the reference)…"; activityFraction = 0
            return [.computeReferenceCalibration]
        }
        let req = BeforeAfterRequest(cells: beforeAfterCells, reference: ref, generation: beforeAfter.generation)
        guard req != beforeAfter.requested else { return [] }
        beforeAfter.requested = req
        beforeAfter.pending = true
        beforeAfter.message = nil
        return [.computeBeforeAfter(req)]
    }
}
