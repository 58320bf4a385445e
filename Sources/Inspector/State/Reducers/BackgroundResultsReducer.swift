import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for results and progress posted by background work; nil when the action is not one of them.
    mutating func reduceBackgroundResults(_ action: Action) -> [Effect]? {
        switch action {
        case let .progress(text, f):
            activity = text; activityFraction = f
        case .datasetLoaded(let d):
            dataset = d
            activity = nil; activityFraction = nil
            var fx = select(0)
            if d.calibration == nil && services.calibration {
                activity = "standard calibration…"; activityFraction = 0
                fx.append(.standardCalibration)
                fx.append(.computeMiniSpectra(generation: overview.generation))
                overview.pending = true
            } else {
                fx += calibrationChanged()
            }
            return fx
        case .calibrationReady(let set):
            dataset?.calibration = set
            activity = nil; activityFraction = nil
            message = "standard calibration ready"
            initialiseSeeds()
            return calibrationChanged() + autoRefit()
        case .summaries(let s):
            guard dataset != nil else { break }
            for i in dataset!.cells.indices { if let v = s[dataset!.cells[i].cell] { dataset!.cells[i].summary = v } }
        case .miniSpectra(let m):
            if m.generation == overview.generation { overview.spectra = m; overview.pending = false }
            else if overview.spectra == nil || m.generation > overview.spectra!.generation { overview.spectra = m }
        case let .centroids(c, b, s, n):
            guard cell?.cell == c, batch == b else { break }
            scipy = s; cnn = n
            initialiseSeeds()
            return autoRefit()
        case let .seedFit(c, b, fits, cal, msg):
            guard cell?.cell == c, batch == b else { break }
            seeds.fits = fits; seeds.calibrationFit = cal; seeds.pending = false; seeds.message = msg
        case .optimizerProgress(let snaps):
            guard optimize.phase == .running || optimize.phase == .cancelling else { break }
            for s in snaps { optimize.append(s) }
        case let .optimizerFinished(set, err, cancelled):
            if let e = err { optimize.phase = .failed(e); message = "optimization failed: \(e)"; break }
            dataset?.optimized = set
            optimize.phase = cancelled ? .cancelled : .finished
            message = cancelled ? "optimization cancelled: accept (a) keeps the last iterate" : "optimization finished: a accept, d discard"
            beforeAfter.invalidate()
        case .seedsLoaded(let f):
            loadHandSeeds(f)
            if cell != nil { return selectBatch(batch, force: true) }
        case .seedsSaved(let path):
            seeds.savedTo = path
        case .failure(let m):
            message = m; activity = nil
        case .notice(let m):
            message = m
        case .tick: break
        default: return nil
        }
        return []
    }
}
