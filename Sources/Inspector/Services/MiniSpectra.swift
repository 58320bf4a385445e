import Foundation
import SDDCore

/// Every cell's spectrum on one shared axis, in energy under the calibration in use and in ADC,
/// at a fixed fine binning: what the overview's mini-spectra are drawn from. Computed off the UI
/// thread once per calibration change; a frame only resamples the bins to its dot columns.
public struct MiniSpectra: Equatable, Sendable {
    /// The shared energy axis (eV): the profile's lines with a margin on either side.
    public var energyRange: ClosedRange<Double>
    /// The shared ADC axis: the union over cells of where each cell's lines are under its
    /// calibration, or of the ranges holding its counts when it has none (`ADCWindow.around`).
    public var adcRange: ClosedRange<Double>
    /// Counts per bin (`bins` bins over `energyRange`) by cell number; a cell without a
    /// calibration has none.
    public var energy: [Int: [Float]]
    /// Counts per bin (`bins` bins over `adcRange`) by cell number.
    public var adc: [Int: [Float]]
    /// Which calibration change these spectra belong to (`OverviewState.generation`).
    public var generation: Int

    /// Bins of the precomputed spectra: finer than any terminal shows (a 200-column meter has 400
    /// dot columns), about 10 eV each on the vip2 axis.
    public static let bins = 512

    public init(energyRange: ClosedRange<Double>, adcRange: ClosedRange<Double>, energy: [Int: [Float]],
                adc: [Int: [Float]], generation: Int) {
        self.energyRange = energyRange; self.adcRange = adcRange; self.energy = energy; self.adc = adc
        self.generation = generation
    }

    /// The shared energy axis of a profile: 600 eV below its lowest line to 400 eV above its
    /// highest, so escape-peak-free margins show where the continuum is.
    public static func energyRange(_ p: LineProfile) -> ClosedRange<Double> {
        let es = p.lines.map(\.energy)
        guard let lo = es.min(), let hi = es.max() else { return 1000...10000 }
        return (lo - 600)...(hi + 400)
    }

    /// The mini-spectra of a dataset. Events go into energy one by one under the calibration at
    /// their own time (`CalibrationSet.cursor(cell:)`: a version-2 timeline, else the batch's), each placed at a fixed fraction
    /// inside its ADC channel (a golden-ratio sequence: reproducible, and no beating of ~3 eV
    /// channels against the bins); histogram input uses the calibration of its one batch.
    public static func compute(_ d: Dataset, calibration set: CalibrationSet?, generation: Int) -> MiniSpectra {
        let er = energyRange(d.profile), ar = adcRange(d, calibration: set)
        let n = bins
        let eScale = Double(n) / (er.upperBound - er.lowerBound), aScale = Double(n) / (ar.upperBound - ar.lowerBound)
        var energy = [[Float]?](repeating: nil, count: d.cells.count)
        var adc = [[Float]](repeating: [], count: d.cells.count)
        // Cells are independent: one per worker.
        energy.withUnsafeMutableBufferPointer { eOut in
            adc.withUnsafeMutableBufferPointer { aOut in
                DispatchQueue.concurrentPerform(iterations: d.cells.count) { i in
                    let cell = d.cells[i]
                    var a = [Float](repeating: 0, count: n)
                    let h = cell.spectrum
                    // Each channel's count shared over the bins its interval overlaps: channels
                    // wider than a bin (an Amptek at ~19 eV/channel on a narrow axis) leave no gaps.
                    let bw = h.binWidth * aScale
                    for k in h.counts.indices where h.counts[k] > 0 {
                        let u0 = (h.lowerEdge + Double(k) * h.binWidth - ar.lowerBound) * aScale, u1 = u0 + bw
                        guard u1 > 0, u0 < Double(n) else { continue }
                        let perBin = h.counts[k] / bw
                        for b in Swift.max(0, Int(u0.rounded(.down)))..<Swift.min(n, Int(u1.rounded(.up))) {
                            let overlap = Swift.min(u1, Double(b + 1)) - Swift.max(u0, Double(b))
                            if overlap > 0 { a[b] += Float(perBin * overlap) }
                        }
                    }
                    aOut[i] = a
                    guard let set, var cursor = set.cursor(cell: cell.cell) else { return }
                    var e = [Float](repeating: 0, count: n)
                    if let ev = d.events {
                        let lo = cell.batches.first?.range?.lowerBound ?? 0, hi = cell.batches.last?.range?.upperBound ?? 0
                        var u = 0.5
                        for j in lo..<hi {
                            u += 0.6180339887498949; if u >= 1 { u -= 1 }
                            let x = cursor.energy(adc: Double(ev.adc[j]) - 0.5 + u, time: ev.time[j])
                            let b = Int(((x - er.lowerBound) * eScale).rounded(.down))
                            if b >= 0 && b < n { e[b] += 1 }
                        }
                    } else if let cal = set.calibration(cell: cell.cell, time: cell.batches.first?.start ?? 0) {
                        for k in h.counts.indices where h.counts[k] > 0 {
                            let x = cal.energy(h.center(k))
                            let b = Int(((x - er.lowerBound) * eScale).rounded(.down))
                            if b >= 0 && b < n { e[b] += Float(h.counts[k]) }
                        }
                    }
                    eOut[i] = e
                }
            }
        }
        var eByCell: [Int: [Float]] = [:], aByCell: [Int: [Float]] = [:]
        for (i, c) in d.cells.enumerated() {
            aByCell[c.cell] = adc[i]
            if let e = energy[i] { eByCell[c.cell] = e }
        }
        return MiniSpectra(energyRange: er, adcRange: ar, energy: eByCell, adc: aByCell, generation: generation)
    }

    /// The shared ADC axis of a dataset under a calibration set: the union over cells of
    /// `ADCWindow.around` (each cell's spectrum under the calibration of its batch with most
    /// events), the profile's nominal window only when no cell has counts. O(channels) per cell.
    public static func adcRange(_ d: Dataset, calibration set: CalibrationSet?) -> ClosedRange<Double> {
        var windows = [ClosedRange<Double>?](repeating: nil, count: d.cells.count)
        windows.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: d.cells.count) { i in
                let cell = d.cells[i]
                out[i] = ADCWindow.around(d.profile, histogram: cell.spectrum, calibration: Dataset.calibration(set, cell: cell, batch: nil))
            }
        }
        return ADCWindow.union(windows.compactMap { $0 }) ?? d.profile.adcWindow
    }

    /// Resamples a cell's bins to `dots` columns as heights 0…`levels` on a log scale of counts
    /// spanning `decades` below the cell's largest bin (Cu Kα, ~100× below Mn Kα, still shows at
    /// the default 2.5); -1 for columns with no counts. Each column takes the mean of the bins
    /// whose centres fall in it (the nearest bin when none does).
    public static func heights(_ bins: [Float], dots: Int, levels: Int, decades: Double = 2.5) -> [Int] {
        guard dots > 0, !bins.isEmpty else { return [] }
        var peak: Float = 0
        for v in bins where v > peak { peak = v }
        guard peak > 0 else { return [Int](repeating: -1, count: dots) }
        let top = log10(Double(peak)), norm = Double(levels) / decades
        let n = bins.count
        var out = [Int](repeating: -1, count: dots)
        let per = Double(n) / Double(dots)
        for x in 0..<dots {
            var b0 = Int((Double(x) * per).rounded(.up)), b1 = Int((Double(x + 1) * per).rounded(.up)) - 1
            if b1 < b0 { b0 = Swift.min(n - 1, Int((Double(x) + 0.5) * per)); b1 = b0 }
            b1 = Swift.min(n - 1, b1)
            var s: Float = 0
            for b in b0...b1 { s += bins[b] }
            let m = Double(s) / Double(b1 - b0 + 1)
            if m > 0 { out[x] = Swift.max(0, Swift.min(levels, Int(((log10(m) - top) * norm + Double(levels)).rounded()))) }
        }
        return out
    }
}
