import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for the spectrum view: batches, scale, axis, zoom, pan and cursor; nil when the action is not one of them.
    mutating func reduceSpectrum(_ action: Action) -> [Effect]? {
        switch action {
        case .nextBatch:
            guard let c = cell, !c.batches.isEmpty else { break }
            return selectBatch(batch.map { Swift.min(c.batches.count - 1, $0 + 1) } ?? 0)
        case .previousBatch:
            guard let c = cell, !c.batches.isEmpty else { break }
            return selectBatch(batch.map { Swift.max(0, $0 - 1) } ?? c.batches.count - 1)
        case .allBatches: return selectBatch(nil)
        case .toggleLog:
            if view == .beforeAfter { beforeAfter.logScale.toggle() } else { spectrum.logScale.toggle() }
        case .toggleEnergyAxis where view == .overview:
            overview.axis = overview.axis == .energy ? .adc : .energy
            if overview.axis == .energy, dataset?.calibration == nil { message = "no calibration yet: the energy axis follows when it is ready" }
        case .toggleEnergyAxis:
            if calibration == nil { message = "no calibration yet: energy axis unavailable" } else { spectrum.energyAxis.toggle() }
        case .zoomIn: zoom(by: 0.5)
        case .zoomOut: zoom(by: 2)
        case .resetZoom: spectrum.window = nil
        case .pan(let f):
            let w = spectrumWindow, span = w.upperBound - w.lowerBound
            let lim = histogram.map { $0.lowerEdge...$0.upperEdge } ?? w
            var lo = w.lowerBound + f * span
            lo = Swift.max(lim.lowerBound, Swift.min(lim.upperBound - span, lo))
            spectrum.window = lo...(lo + span)
            spectrum.cursor = Swift.max(lo, Swift.min(lo + span, cursorADC + f * span))
        case .moveCursor(let n):
            let w = spectrumWindow
            let step = (w.upperBound - w.lowerBound) / Double(Swift.max(10, (width - 9)))
            var x = cursorADC + Double(n) * step
            // Scroll the window when the cursor leaves it.
            if x < w.lowerBound || x > w.upperBound {
                let lim = histogram.map { $0.lowerEdge...$0.upperEdge } ?? w
                let span = w.upperBound - w.lowerBound
                var lo = x < w.lowerBound ? x : x - span
                lo = Swift.max(lim.lowerBound, Swift.min(lim.upperBound - span, lo))
                spectrum.window = lo...(lo + span)
                x = Swift.max(lo, Swift.min(lo + span, x))
            }
            spectrum.cursor = x
        default: return nil
        }
        return []
    }
}
