import Foundation
import SDDCore

/// The calibration set with one batch of one cell replaced by the seeds view's refit: the
/// polynomial through the fitted centroids, and those centroids (with their residuals) as the
/// batch's lines, so the overview's flags judge the new calibration. The batch keeps its time
/// window and event count; `method` records that the inspector changed it. A cell with a timeline
/// becomes piecewise constant first (its other batches get the timeline averaged over them).
///
/// - Parameters:
///   - refit: the calibration fitted through the centroids (`SeedsState.calibrationFit`).
///   - lineFits: the line fits started from the seeds (ADC); a line without a fit but with a seed
///     enters with the seed as its centroid (the build has no line fitter).
///   - batchIndex: the batch's `index` in the set (`BatchInfo.index`).
/// - Returns: nil when the set has no such cell or batch.
public func applyingSeedRefit(_ refit: CentroidCalibrationFit, lineFits: [String: PeakFitSummary], seeds: [String: Double],
                              to set: CalibrationSet, cell: Int, batchIndex: Int, profile: LineProfile) -> CalibrationSet? {
    guard let ci = set.cells.firstIndex(where: { $0.cell == cell }),
          let bi = set.cells[ci].batches.firstIndex(where: { $0.index == batchIndex }) else { return nil }
    var out = set
    // A timeline (version 2) would override the refit batch: the cell falls back to batch constants.
    out.cells[ci] = out.cells[ci].piecewiseConstant()
    var batch = out.cells[ci].batches[bi]
    var lines: [CalibrationSet.LineResult] = []
    var missing: [String] = []
    for line in profile.calibrationLines {
        let fit = lineFits[line.id]
        guard let adc = fit?.position ?? (lineFits.isEmpty ? seeds[line.id] : nil), refit.residuals[line.id] != nil else {
            missing.append(line.id)
            continue
        }
        // FWHM of a Gaussian is 2√(2 ln 2) σ.
        lines.append(CalibrationSet.LineResult(line: line.id, centroidADC: adc, centroidError: fit?.positionError ?? 0.5,
                                               energy: line.energy, residual: refit.residuals[line.id],
                                               sigmaADC: fit.map { $0.fwhm / (8 * log(2.0)).squareRoot() }, counts: nil))
    }
    batch.calibration = refit.calibration
    batch.status = missing.isEmpty ? .ok : .partial(reason: "missing " + missing.joined(separator: ", ") + " (inspector seeds refit)")
    batch.lines = lines
    batch.missingLines = missing
    out.cells[ci].batches[bi] = batch
    let mark = "inspector seeds refit"
    if !out.method.contains(mark) { out.method += " + " + mark }
    return out
}
