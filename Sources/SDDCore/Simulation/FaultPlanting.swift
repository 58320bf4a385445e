import Foundation

/// Applies the calibration-side faults of a simulated run (``PlantedFault/Kind/wrongIdentification``
/// and ``PlantedFault/Kind/offsetShift``) to a calibration made from its events, as a pipeline that
/// went wrong would have: the fault finder then judges the result like any other calibration.
public enum FaultPlanting {
    /// The calibration with every calibration-side fault applied to the batch that holds the fault's
    /// window (by time, so the batch numbering of the calibration does not matter). Data-side faults
    /// are already in the events and are left alone.
    public static func apply(_ faults: [PlantedFault], to set: CalibrationSet, profile: LineProfile) -> CalibrationSet {
        var out = set
        for f in faults where !f.kind.isInData {
            guard let ci = out.cells.firstIndex(where: { $0.cell == f.cell }), let mid = f.midTime,
                  let bi = out.cells[ci].batches.firstIndex(where: { $0.start <= mid && mid < $0.end }) else { continue }
            var b = out.cells[ci].batches[bi]
            switch f.kind {
            case .offsetShift:
                // Only the coefficients move (as with a pedestal applied twice): the line results stay as fitted.
                b.calibration = EnergyCalibration(p0: b.calibration.p0 + (f.size ?? 0), p1: b.calibration.p1, p2: b.calibration.p2)
            case .wrongIdentification:
                guard let id = f.identification, let wrong = misidentified(b, as: id, profile: profile) else { continue }
                b = wrong
            default: continue
            }
            out.cells[ci].batches[bi] = b
            // A timeline (version 2) would take precedence over the batch: drop it for the faulty cell.
            out.cells[ci].timeline = nil
        }
        return out
    }

    /// The batch recalibrated on misidentified peaks: each true peak (found where the batch's own
    /// calibration puts it) is taken for another line, a line is fitted through the claimed energies,
    /// and the line results claim those lines. Nil when the profile lacks the lines the swap needs.
    public static func misidentified(_ batch: CalibrationSet.Batch, as id: PlantedFault.Identification,
                                     profile: LineProfile) -> CalibrationSet.Batch? {
        let alphas = profile.calibrationLines.filter { $0.kind == .kAlpha }.sorted { $0.energy < $1.energy }
        var claims: [(actual: SpectralLine, claimed: SpectralLine)] = []
        switch id {
        case .kBetaForKAlpha:
            for a in alphas { if let b = profile.line(a.element + "Kb") { claims.append((b, a)) } }
        case .lighterForHeavier:
            for k in alphas.indices.dropLast() { claims.append((alphas[k], alphas[k + 1])) }
        case .heavierForLighter:
            for k in alphas.indices.dropFirst() { claims.append((alphas[k], alphas[k - 1])) }
        }
        let cal = batch.calibration
        let points = claims.compactMap { c in cal.adc(forEnergy: c.actual.energy).map { (adc: $0, claimed: c.claimed) } }
        guard points.count >= 2 else { return nil }
        // Unweighted straight line through (ADC, claimed energy).
        let n = Double(points.count)
        let mx = points.reduce(0) { $0 + $1.adc } / n, my = points.reduce(0) { $0 + $1.claimed.energy } / n
        let sxy = points.reduce(0) { $0 + ($1.adc - mx) * ($1.claimed.energy - my) }
        let sxx = points.reduce(0) { $0 + ($1.adc - mx) * ($1.adc - mx) }
        guard sxx > 0, sxy > 0 else { return nil }
        let p1 = sxy / sxx
        let wrong = EnergyCalibration(p0: my - p1 * mx, p1: p1, p2: 0)
        var b = batch
        b.calibration = wrong
        b.lines = points.map { p in
            let old = batch.lines.first { $0.line == p.claimed.id }
            return CalibrationSet.LineResult(line: p.claimed.id, centroidADC: p.adc, centroidError: old?.centroidError ?? 0.5,
                                             energy: p.claimed.energy, residual: wrong.energy(p.adc) - p.claimed.energy,
                                             sigmaADC: old?.sigmaADC, counts: old?.counts)
        }
        b.missingLines = []
        return b
    }
}

extension PlantedFault {
    /// The middle of the fault's batch window (nil for cell faults).
    public var midTime: Double? {
        guard let s = start, let e = end else { return nil }
        return (s + e) / 2
    }
}
