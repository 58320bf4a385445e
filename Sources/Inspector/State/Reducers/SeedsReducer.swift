import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for the seeds view: picking, nudging and undoing seeds, refits and writing them; nil when the action is not one of them.
    mutating func reduceSeeds(_ action: Action) -> [Effect]? {
        switch action {
        case .selectSeed(let d):
            let n = seedLines.count
            guard n > 0 else { break }
            seeds.selected = Swift.max(0, Swift.min(n - 1, seeds.selected + d))
        case .nudgeSeed(let d):
            guard let c = cell, seeds.selected < seedLines.count else { break }
            let id = seedLines[seeds.selected].id
            guard let from = seeds.seeds[id] else { message = "no seed for \(seedLines[seeds.selected].label) yet"; break }
            seeds.seeds[id] = from + d
            seeds.undo.append(SeedEdit(lineID: id, from: from, to: from + d))
            seeds.pending = true
            return [.refitSeeds(cell: c.cell, batch: batch, seeds: seeds.seeds)] + recordHandSeeds()
        case .undoSeed:
            guard let c = cell, let e = seeds.undo.popLast() else { message = "nothing to undo"; break }
            seeds.seeds[e.lineID] = e.from
            if let i = seedLines.firstIndex(where: { $0.id == e.lineID }) { seeds.selected = i }
            seeds.pending = true
            return [.refitSeeds(cell: c.cell, batch: batch, seeds: seeds.seeds)] + recordHandSeeds()
        case .refit:
            guard let c = cell, !seeds.seeds.isEmpty else { break }
            seeds.pending = true
            return [.refitSeeds(cell: c.cell, batch: batch, seeds: seeds.seeds)]
        case .applySeedRefit:
            guard let c = cell else { break }
            // A refit belongs to one batch; the summed spectrum stands for one only when there is one.
            guard let b = batch ?? (c.batches.count == 1 ? 0 : nil), b < c.batches.count else {
                message = "choose a batch with [ or ] first: a refit replaces one batch's calibration"; break
            }
            guard !seeds.pending else { message = "the refit is still running: w again when it shows"; break }
            guard let fit = seeds.calibrationFit else { message = "no refit yet: nudge a seed or press r"; break }
            // The running optimization started from the calibration as it was.
            guard optimize.phase != .running, optimize.phase != .cancelling else {
                message = "the optimization is running: let it finish or cancel it (view 4, c) first"; break
            }
            let toOptimized = optimize.phase == .accepted && dataset?.optimized != nil
            guard let set = toOptimized ? dataset?.optimized : dataset?.calibration else {
                message = "waiting for the standard calibration"; break
            }
            guard let profile = dataset?.profile,
                  let updated = applyingSeedRefit(fit, lineFits: seeds.fits, seeds: seeds.seeds, to: set, cell: c.cell,
                                                  batchIndex: c.batches[b].index, profile: profile) else {
                message = "cell \(c.cell) batch \(b + 1) is not in the calibration"; break
            }
            if toOptimized { dataset?.optimized = updated } else { dataset?.calibration = updated }
            message = "cell \(c.cell) batch \(b + 1): \(toOptimized ? "optimized" : "standard") calibration replaced by the refit"
                + (services.save ? "" : " (kept in memory: --out FILE writes it)")
            return calibrationChanged() + (services.save ? [.saveCalibration] : [])
        default: return nil
        }
        return []
    }
}
