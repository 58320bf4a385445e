import LineFitting
import SDDCore

/// A held-out (cross-fitted) evaluation to run: the whole chain (seeds, standard calibration in long
/// and in short batches, refinement) rerun on the events of `cells` without each of `folds` folds,
/// every event then calibrated by the run that did not see it.
public struct HeldOutRequest: Equatable, Sendable {
    public var cells: [Int]
    public var folds: Int
    public init(cells: [Int], folds: Int = BeforeAfterState.folds) {
        self.cells = cells; self.folds = folds
    }
}

/// The stages of the chain the held-out run measures.
public enum ChainStage: String, CaseIterable, Equatable, Sendable {
    /// The standard calibration in the reference's long batches (`Dataset.referenceBatch`).
    case longBatches
    /// The standard calibration in the inspector's batches.
    case standard
    /// The standard calibration refined (view 4's method).
    case refined
}

/// One Cu Kα measurement (eV) of a summed spectrum.
public struct CuKalphaFigure: Equatable, Sendable {
    public var position: Double
    public var positionError: Double
    public var fwhm: Double
    public var fwhmError: Double
    public var chi2PerNDF: Double
    public init(position: Double, positionError: Double, fwhm: Double, fwhmError: Double, chi2PerNDF: Double) {
        self.position = position; self.positionError = positionError; self.fwhm = fwhm; self.fwhmError = fwhmError
        self.chi2PerNDF = chi2PerNDF
    }
}

/// The held-out figures of one request: Cu Kα under every stage of the chain, held-out and in-sample
/// (the chain rerun on all the cells' events, calibrated and fitted on the same events).
public struct HeldOutFigures: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var stage: ChainStage
        public var heldOut: CuKalphaFigure
        public var inSample: CuKalphaFigure
        public init(stage: ChainStage, heldOut: CuKalphaFigure, inSample: CuKalphaFigure) {
            self.stage = stage; self.heldOut = heldOut; self.inSample = inSample
        }
    }
    public var request: HeldOutRequest
    public var rows: [Row]
    /// The chain rerun, in words ("seeds: cnn; 30d and 2d standard; smooth refinement").
    public var chain: String
    public init(request: HeldOutRequest, rows: [Row], chain: String) {
        self.request = request; self.rows = rows; self.chain = chain
    }
    public func row(_ s: ChainStage) -> Row? { rows.first { $0.stage == s } }
}

/// Where the held-out evaluation is.
public enum HeldOutPhase: Equatable, Sendable {
    case idle, running, cancelling, finished, cancelled
    case failed(String)
}

/// The held-out evaluation of the before/after view: a background run with progress and cancel.
public struct HeldOutState: Equatable, Sendable {
    public var phase: HeldOutPhase = .idle
    public var request: HeldOutRequest?
    public var progress: String?
    public var fraction: Double?
    public var figures: HeldOutFigures?
    public init() {}
    public var isRunning: Bool { phase == .running || phase == .cancelling }
}

/// Receives the held-out run's progress on its worker thread and tells it when to stop.
public protocol HeldOutListener: AnyObject, Sendable {
    func progress(_ text: String, fraction: Double?)
    var isCancelled: Bool { get }
}

/// Thrown by a held-out run that stopped because its listener was cancelled.
public struct HeldOutCancelled: Error, Sendable {
    public init() {}
}

/// The hardware-limit check (issue 11) on the inspector's figures: a Cu Kα FWHM more than 2σ
/// below ``HardwareLimit`` is narrower than the detector allows.
public enum HardwareLimitCheck {
    /// How many combined standard errors below the limit `fwhm` lies, when more than `sigmas`; else nil.
    public static func sigmasBelow(_ limit: HardwareLimit?, fwhm: Double?, error: Double?, sigmas: Double = 2) -> Double? {
        guard let limit, let fwhm, fwhm.isFinite else { return nil }
        let e = (error ?? 0).isFinite ? (error ?? 0) : 0
        guard limit.isViolated(by: fwhm, error: e, sigmas: sigmas) else { return nil }
        return (limit.fwhm - fwhm) / (e * e + limit.error * limit.error).squareRoot()
    }
}
