import Foundation

/// How good a cell's calibration is, judged by named rules with thresholds: the same verdicts for
/// `sddcal calibrate` and the inspector's overview.
///
/// A verdict is a list of ``Finding``s, each with its level and the reason in words; the cell's level is
/// the worst of them (``Level/ok`` when there is none).
public struct CalibrationQuality: Sendable, Hashable {
    /// How serious a finding is.
    public enum Level: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Nothing to look at.
        case ok
        /// Worth a look: the calibration may be off.
        case check
        /// Miscalibrated or unusable.
        case bad

        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var description: String { self == .ok ? "ok" : self == .check ? "check" : "bad" }
    }

    /// One rule that fired, with what it measured.
    public enum Finding: Sendable, Hashable, CustomStringConvertible {
        /// The cell has no calibration at all.
        case notCalibrated
        /// Batches whose standard fit failed (they borrow a neighbour's calibration).
        case failedFits(batches: Int)
        /// The largest |calibrated centroid − tabulated energy| over the cell's lines (eV).
        case residual(eV: Double, level: Level)
        /// Batches that left lines out of their calibration.
        case missingLines(batches: Int)
        /// The largest pull: a residual over its centroid's energy error (σ).
        case pull(sigmas: Double)
        /// The Cu Kα line of the cell's calibrated events could not be fitted.
        case cuKaFitFailed
        /// Cu Kα FWHM over the hardware limit by this fraction (0.2 = 20 %).
        case overHardwareLimit(fraction: Double)

        /// How serious it is.
        public var level: Level {
            switch self {
            case .notCalibrated, .failedFits, .cuKaFitFailed: return .bad
            case .residual(_, let l): return l
            case .missingLines, .pull, .overHardwareLimit: return .check
            }
        }

        /// The reason in a physicist's words, e.g. "residual 31 eV", "2 batch fit(s) failed".
        public var description: String {
            switch self {
            case .notCalibrated: return "not calibrated"
            case .failedFits(let n): return "\(n) batch fit(s) failed"
            case .residual(let e, _): return String(format: "residual %.0f eV", e)
            case .missingLines(let n): return "lines missing in \(n)"
            case .pull(let p): return String(format: "pull %.0fσ", p)
            case .cuKaFitFailed: return "Cu Kα fit failed"
            case .overHardwareLimit(let f): return String(format: "Cu %.0f%% over limit", f * 100)
            }
        }
    }

    /// A line whose calibrated centroid misses its tabulated energy by more than this is miscalibrated (eV).
    public var badResidual = 30.0
    /// … and by more than this worth a check (eV): several times a good batch's centroid error in energy.
    public var checkResidual = 10.0
    /// A residual this many times its centroid's energy error is worth a check, even when small in eV.
    public var checkPull = 5.0
    /// Cu Kα FWHM more than this fraction over the cell's hardware limit is worth a check.
    public var checkOverHardwareLimit = 0.15

    public init() {}

    /// The findings from a cell's batches in the calibration file (status, residuals, pulls, missing lines).
    public func findings(batches: [CalibrationSet.Batch]) -> [Finding] {
        var out: [Finding] = []
        let failed = batches.filter { !$0.status.isUsable }.count
        if failed > 0 { out.append(.failedFits(batches: failed)) }
        let maxResidual = batches.flatMap { $0.lines.compactMap { $0.residual.map(abs) } }.max() ?? 0
        if maxResidual > badResidual { out.append(.residual(eV: maxResidual, level: .bad)) }
        else if maxResidual > checkResidual { out.append(.residual(eV: maxResidual, level: .check)) }
        let missing = batches.filter { !$0.missingLines.isEmpty }.count
        if missing > 0 { out.append(.missingLines(batches: missing)) }
        // Pull of a line: its residual over the energy error of its centroid.
        let maxPull = batches.flatMap { b in b.lines.compactMap { l -> Double? in
            guard let r = l.residual, l.centroidError > 0 else { return nil }
            return abs(r) / (abs(b.calibration.slope(l.centroidADC)) * l.centroidError)
        } }.max() ?? 0
        if maxPull > checkPull { out.append(.pull(sigmas: maxPull)) }
        return out
    }

    /// The finding from the cell's Cu Kα resolution against its hardware limit (both FWHM in eV), if any.
    public func finding(cuKaFWHM: Double, hardwareLimit: Double) -> Finding? {
        cuKaFWHM > hardwareLimit * (1 + checkOverHardwareLimit) ? .overHardwareLimit(fraction: cuKaFWHM / hardwareLimit - 1) : nil
    }

    /// The worst level of some findings (ok for none).
    public static func level(_ findings: [Finding]) -> Level { findings.map(\.level).max() ?? .ok }
}
