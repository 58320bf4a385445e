import Foundation
import SDDCore

/// The hardware limit of a summed Cu Kα line: the FWHM the cells' own noise (ENC) and Fano statistics
/// allow, estimated from the widths of the strong lines (``CellResolution``). No calibration can make
/// the line narrower; a measured FWHM well below it means the calibration fitted the noise of the very
/// events it is evaluated on (or the fit failed).
public struct HardwareLimit: Sendable, Equatable, Codable {
    /// Expected FWHM (eV) of the summed line and its error (statistical and systematic combined).
    public var fwhm: Double
    public var error: Double
    /// Cells that entered the estimate.
    public var cells: Int
    /// The systematic part of `error` (eV): the uncertainty of the correction for the gain's drift within
    /// the batches whose line widths the estimate uses (measured by the cells' timelines when the file
    /// has them, else ``CellResolution/withinBatchDriftVariance(_:)``), common to all cells.
    public var systematic: Double

    enum CodingKeys: String, CodingKey { case cells, fwhm = "fwhm_ev", error = "fwhm_err_ev", systematic = "fwhm_sys_ev" }

    public init(fwhm: Double, error: Double, cells: Int, systematic: Double = 0) {
        self.fwhm = fwhm; self.error = error; self.cells = cells; self.systematic = systematic
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fwhm = try c.decode(Double.self, forKey: .fwhm)
        error = try c.decode(Double.self, forKey: .error)
        cells = try c.decode(Int.self, forKey: .cells)
        systematic = try c.decodeIfPresent(Double.self, forKey: .systematic) ?? 0
    }

    /// Combines per-cell limits for a spectrum summed over cells: the summed line's variance is the
    /// weighted mean of the cells' variances (weights = each cell's share of the line's counts).
    public static func combined(_ perCell: [(resolution: CellResolution, weight: Double)]) -> HardwareLimit? {
        let used = perCell.filter { $0.weight > 0 && $0.resolution.expectedCuFWHM.isFinite && $0.resolution.expectedCuFWHM > 0 }
        let wsum = used.reduce(0) { $0 + $1.weight }
        guard wsum > 0 else { return nil }
        var v = 0.0, varErr = 0.0, sys = 0.0
        for (r, w) in used {
            let f = r.expectedCuFWHM, fe = r.expectedCuFWHMError.isFinite ? r.expectedCuFWHMError : f
            v += w / wsum * f * f
            // d(Σ w f²)/df = 2 w f; cells independent.
            varErr += pow(w / wsum * 2 * f * fe, 2)
            // The drift correction's systematic is common to the cells: it adds linearly.
            sys += w / wsum * 2 * f * (r.expectedCuFWHMSystematic.isFinite ? r.expectedCuFWHMSystematic : 0)
        }
        let f = v.squareRoot()
        let stat = varErr.squareRoot() / (2 * f), systematic = sys / (2 * f)
        return HardwareLimit(fwhm: f, error: (stat * stat + systematic * systematic).squareRoot(), cells: used.count, systematic: systematic)
    }

    /// The limit at Cu Kα of the spectrum summed over `cells` (all when nil) of a calibration file: each
    /// cell's ENC and Fano factor fitted to its Kα line widths (``CellResolution``), weighted by the
    /// cell's Cu Kα counts in the file (equal weights when the file has none). A file whose cells carry
    /// timelines (version 2, e.g. the smooth refinement's) gives the better estimate: the drift within
    /// the batches is measured by the timeline instead of inferred from the batches' movement.
    public static func cuKalpha(calibration: CalibrationSet, cells: Set<Int>? = nil, profile: LineProfile) -> HardwareLimit? {
        var perCell: [(CellResolution, Double)] = []
        var anyCounts = false
        for c in calibration.cells where cells?.contains(c.cell) ?? true {
            guard let r = CellResolution.fit(cell: c.cell, batches: c.batches, profile: profile, timeline: c.timeline) else { continue }
            let n = c.batches.reduce(0.0) { $0 + ($1.lines.first { $0.line == "CuKa" }?.counts ?? 0) }
            anyCounts = anyCounts || n > 0
            perCell.append((r, n))
        }
        if !anyCounts { perCell = perCell.map { ($0.0, 1) } }
        return combined(perCell)
    }

    /// The limit from the first of `calibrations` that has timelines (see
    /// ``cuKalpha(calibration:cells:profile:)``), else from the first that gives one.
    public static func cuKalpha(preferringTimelines calibrations: [CalibrationSet?], cells: Set<Int>? = nil, profile: LineProfile) -> HardwareLimit? {
        let sets = calibrations.compactMap { $0 }
        if let s = sets.first(where: { $0.version >= 2 }), let l = cuKalpha(calibration: s, cells: cells, profile: profile) { return l }
        for s in sets { if let l = cuKalpha(calibration: s, cells: cells, profile: profile) { return l } }
        return nil
    }

    /// True when `measured` (± `measuredError`) lies more than `sigmas` combined standard errors below the limit.
    public func isViolated(by measured: Double, error measuredError: Double, sigmas: Double = 2) -> Bool {
        let s = (measuredError * measuredError + error * error).squareRoot()
        return measured.isFinite && measured < fwhm - sigmas * s
    }

    /// A one-line warning when ``isViolated(by:error:sigmas:)``, else nil.
    public func warning(measured: Double, error measuredError: Double, label: String, sigmas: Double = 2) -> String? {
        guard isViolated(by: measured, error: measuredError, sigmas: sigmas) else { return nil }
        let s = (measuredError * measuredError + error * error).squareRoot()
        return String(format: "warning: %@ Cu Kα FWHM %.1f ± %.1f eV is %.1fσ below the hardware limit %.1f ± %.1f eV (ENC and Fano from the strong lines): "
                      + "narrower than the detector allows, so the calibration has fitted the noise of these events; trust the held-out figure",
                      label, measured, measuredError, (fwhm - measured) / s, fwhm, error)
    }
}
