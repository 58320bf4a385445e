import Foundation
import SDDCore

/// The standard calibration's check of each batch against its neighbours in time.
///
/// Seeds are found batch by batch, so a batch can come out with its lines mislabelled (a Mn Kα escape
/// peak taken for Ti Kα, Ti Kα for Ti Kβ, Mn Kα for Mn Kβ: a cell whose gain has drifted far from the
/// nominal one): its calibration is then off by the ratio of two line energies (≈ 10 %), while a gain
/// drifts by about a percent between batches. Such a batch (and a failed one) is refitted from seeds
/// that its neighbour's calibration predicts, and the refit is kept when it uses more lines (or as
/// many with a smaller polynomial χ²). Corrections propagate: a run of mislabelled batches is mended
/// from the good side, one batch after another.
extension StandardCalibrator {
    /// How far apart two neighbouring batches' line positions are, as a fraction of the span of the
    /// calibration lines (the largest difference over the lines of the ADC each calibration gives
    /// the line, divided by the span the neighbour gives them); nil when either cannot be inverted.
    public func discontinuity(_ a: EnergyCalibration, _ b: EnergyCalibration) -> Double? {
        let lines = profile.calibrationLines
        guard let lo = lines.first, let hi = lines.last, lo.energy < hi.energy,
              let b0 = b.adc(forEnergy: lo.energy), let b1 = b.adc(forEnergy: hi.energy), b1 > b0 else { return nil }
        var worst = 0.0
        for l in lines {
            guard let xa = a.adc(forEnergy: l.energy), let xb = b.adc(forEnergy: l.energy) else { return nil }
            worst = Swift.max(worst, abs(xa - xb))
        }
        return worst / (b1 - b0)
    }

    /// `batch` refitted from the seeds `neighbour` predicts for the calibration lines.
    func refit(_ batch: BatchCalibration, seededBy neighbour: EnergyCalibration) -> BatchCalibration {
        var seeds: [String: Double] = [:]
        for l in profile.calibrationLines {
            if let x = neighbour.adc(forEnergy: l.energy), x.isFinite { seeds[l.id] = x }
        }
        return calibrateBatch(windowed: batch.histogram, cell: batch.cell, index: batch.index, start: batch.start,
                              end: batch.end, seeds: seeds)
    }

    /// True when `candidate` is a better calibration of the batch than `current`: it has one where
    /// `current` has none, or uses more lines, or as many with a smaller χ² per degree of freedom.
    static func isBetter(_ candidate: BatchCalibration, than current: BatchCalibration) -> Bool {
        guard candidate.calibration != nil else { return false }
        guard current.calibration != nil else { return true }
        if candidate.points.count != current.points.count { return candidate.points.count > current.points.count }
        func perDOF(_ b: BatchCalibration) -> Double { b.polynomialNDF > 0 && b.polynomialChi2.isFinite ? b.polynomialChi2 / Double(b.polynomialNDF) : .infinity }
        return perDOF(candidate) < perDOF(current)
    }

    /// The batches of one cell (any order) with discontinuous and failed batches refitted from their
    /// neighbours (see the type's discussion); `tolerance` is the ``discontinuity(_:_:)`` above which a
    /// batch is refitted. Batches of other cells are not looked at.
    public func mendingDiscontinuities(ofCell batches: [BatchCalibration], tolerance: Double) -> [BatchCalibration] {
        var b = batches.sorted { $0.index < $1.index }
        guard b.count >= 2 else { return b }
        // Forward and backward sweeps until nothing changes (each change can only add lines or lower
        // χ², so this ends; bounded anyway).
        for _ in 0..<4 {
            var changed = false
            for forward in [true, false] {
                let order: [Int] = forward ? Array(1..<b.count) : Array((0..<(b.count - 1)).reversed())
                for i in order {
                    let n = forward ? i - 1 : i + 1
                    guard let neighbour = b[n].calibration else { continue }
                    if let own = b[i].calibration {
                        guard let d = discontinuity(own, neighbour), d > tolerance else { continue }
                    }
                    let candidate = refit(b[i], seededBy: neighbour)
                    if Self.isBetter(candidate, than: b[i]) { b[i] = candidate; changed = true }
                }
            }
            if !changed { break }
        }
        return b
    }

    /// ``mendingDiscontinuities(ofCell:tolerance:)`` for every cell, cells in parallel; results in
    /// the order of `batches`.
    public func mendingDiscontinuities(_ batches: [BatchCalibration], tolerance: Double) -> [BatchCalibration] {
        var positions: [Int: [Int]] = [:]
        for (k, b) in batches.enumerated() { positions[b.cell, default: []].append(k) }
        let cells = positions.keys.sorted()
        var mended = [[BatchCalibration]](repeating: [], count: cells.count)
        mended.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: cells.count) { j in
                out[j] = mendingDiscontinuities(ofCell: positions[cells[j]]!.map { batches[$0] }, tolerance: tolerance)
            }
        }
        var out = batches
        for (j, c) in cells.enumerated() {
            // Same batches, sorted by index; put each back where its original stood.
            let slots = positions[c]!.sorted { batches[$0].index < batches[$1].index }
            for (slot, b) in zip(slots, mended[j]) { out[slot] = b }
        }
        return out
    }
}
