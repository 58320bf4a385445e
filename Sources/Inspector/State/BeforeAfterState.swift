import LineFitting
import SDDCore

/// What the before/after view compares the calibration in use against ("before").
public enum BeforeAfterReference: String, CaseIterable, Equatable, Sendable {
    /// The standard calibration with long batches (`inspect --reference`, 30 d): the paper's reference.
    case longBatches
    /// The standard (or loaded) calibration in the inspector's own batches (48 h).
    case standard
    /// The simulator's true calibration (`inspect --truth`), independent of the events.
    case truth

    /// The references a dataset offers, in the order `r` cycles through them.
    public static func available(in d: Dataset?) -> [BeforeAfterReference] {
        guard let d else { return [.standard] }
        var out: [BeforeAfterReference] = []
        if d.offersLongBatchReference { out.append(.longBatches) }
        out.append(.standard)
        if d.truth != nil { out.append(.truth) }
        return out
    }

    /// The reference's name on screen, e.g. "30d standard", "48h standard".
    public func label(_ d: Dataset?) -> String {
        switch self {
        case .longBatches: return Self.batchName(d?.referenceBatch ?? "30d") + " standard"
        case .standard: return Self.batchName(d?.calibration?.batch ?? d?.batchSpec ?? "") + " standard"
        case .truth: return "truth"
        }
    }

    /// A batch length as a physicist says it: whole hours below 3 days ("48h", not "2d").
    public static func batchName(_ spec: String) -> String {
        guard let b = try? BatchSpec(parsing: spec), case .duration(let s) = b, s < 3 * 86400,
              s >= 3600, s.truncatingRemainder(dividingBy: 3600) == 0 else { return spec }
        return "\(Int(s / 3600))h"
    }
}

/// Which events the before/after view sums: the selected cells (all when none is selected), or the
/// cell under the cursor alone (`n`/`p` move it).
public enum BeforeAfterScope: Equatable, Sendable {
    case summed, cell
}

/// What one before/after computation was asked for: results of an older request are dropped.
public struct BeforeAfterRequest: Equatable, Sendable {
    public var cells: [Int]
    public var reference: BeforeAfterReference
    /// Bumped whenever a calibration the view shows changes (optimization finished, accepted,
    /// discarded, a seeds refit written, the reference calibration computed).
    public var generation: Int
    public init(cells: [Int], reference: BeforeAfterReference, generation: Int) {
        self.cells = cells; self.reference = reference; self.generation = generation
    }
}

/// The before/after spectra and fits of one request, and the hardware limit of its cells.
public struct BeforeAfterResult: Equatable, Sendable {
    public var request: BeforeAfterRequest
    public var before: PeakFitSummary?
    public var after: PeakFitSummary?
    public var beforeHistogram: Histogram?
    public var afterHistogram: Histogram?
    /// The Cu Kα FWHM the cells' noise and Fano statistics allow (``HardwareLimit``, from the strong lines).
    public var hardwareLimit: HardwareLimit?
    public var message: String?
    public init(request: BeforeAfterRequest, before: PeakFitSummary? = nil, after: PeakFitSummary? = nil,
                beforeHistogram: Histogram? = nil, afterHistogram: Histogram? = nil, hardwareLimit: HardwareLimit? = nil,
                message: String? = nil) {
        self.request = request; self.before = before; self.after = after
        self.beforeHistogram = beforeHistogram; self.afterHistogram = afterHistogram
        self.hardwareLimit = hardwareLimit; self.message = message
    }
}

/// The before/after view: the Cu Kα region of the selected cells (or one cell) under the reference
/// and under the calibration in use, both fits, the hardware limit, and the held-out figures.
public struct BeforeAfterState: Equatable, Sendable {
    public var reference: BeforeAfterReference = .longBatches
    public var scope: BeforeAfterScope = .summed
    public var generation = 0
    /// The request shown (or being computed) and its result.
    public var requested: BeforeAfterRequest?
    public var result: BeforeAfterResult?
    public var pending = false
    public var message: String?
    public var logScale = false
    /// The long-batch reference calibration is being computed, or failed (then the standard one is shown).
    public var referencePending = false
    public var referenceFailed = false
    public var heldOut = HeldOutState()
    public init() {}

    public var before: PeakFitSummary? { result?.before }
    public var after: PeakFitSummary? { result?.after }
    public var beforeHistogram: Histogram? { result?.beforeHistogram }
    public var afterHistogram: Histogram? { result?.afterHistogram }

    /// A calibration the view shows changed: the figures shown are stale (held-out figures are not:
    /// they rerun the chain and do not depend on the calibration in use).
    public mutating func invalidate() {
        generation += 1
        result = nil
        requested = nil
        pending = false
    }

    /// Energy range shown and fitted (eV), the paper's table 1 window.
    public static let range: ClosedRange<Double> = 7000...8500
    /// The Pauli-forbidden Cu transition searched by VIP-2 (docs/physics.md §2).
    public static let forbiddenLine = 7746.73
    /// Folds of the held-out cross-fitting (as `demo` and `fit --held-out`).
    public static let folds = 5
}
