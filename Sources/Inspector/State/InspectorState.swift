import Foundation
import SDDCore

/// Zoom, scale and cursor of the spectrum view.
public struct SpectrumViewState: Equatable, Sendable {
    /// Visible ADC range; nil means the profile's window.
    public var window: ClosedRange<Double>?
    public var logScale = false
    public var energyAxis = false
    /// Cursor position in ADC; nil means the window's centre.
    public var cursor: Double?
    /// The line a flag points at (Enter on a flagged cell in the overview), drawn highlighted.
    public var highlight: String?
    public init() {}
}

/// One nudge of a seed, for undo.
public struct SeedEdit: Equatable, Sendable {
    public var lineID: String
    public var from: Double
    public var to: Double
}

/// The seeds view: centroid seeds per calibration line of the selected cell and batch, the line
/// fits started from them and the calibration refitted through the fitted centroids.
public struct SeedsState: Equatable, Sendable {
    public var selected = 0
    /// Current seed (ADC) of each calibration line.
    public var seeds: [String: Double] = [:]
    public var undo: [SeedEdit] = []
    public var fits: [String: PeakFitSummary] = [:]
    public var calibrationFit: CentroidCalibrationFit?
    public var pending = false
    public var message: String?
    /// The seeds the last automatic refit was asked for (so it runs once per set of seeds).
    public var autoFitted: [String: Double]?
    /// The hand-set seeds of this spectrum when it was selected (what undoing every nudge returns to).
    public var handAtStart: [String: Double]?
    /// Where the hand-set seeds were last written (`--seeds FILE`).
    public var savedTo: String?
    public init() {}
}

/// Where the optimization is.
public enum OptimizePhase: Equatable, Sendable {
    case idle, running, cancelling, finished, cancelled, accepted, discarded
    case failed(String)
}

/// The optimize view: the live log-likelihood trace and the result waiting for accept/discard.
public struct OptimizeState: Equatable, Sendable {
    public var phase: OptimizePhase = .idle
    /// Convergence trace, thinned to at most `maxHistory` points (every other point dropped when full).
    public var history: [OptimizerSnapshot] = []
    public var last: OptimizerSnapshot?
    public var stride = 1
    public static let maxHistory = 2048
    public init() {}

    /// Iterations per second over the run so far.
    public var rate: Double {
        guard let l = last, l.elapsed > 0 else { return 0 }
        return Double(l.iteration) / l.elapsed
    }

    mutating func append(_ s: OptimizerSnapshot) {
        last = s
        if s.iteration % stride == 0 { history.append(s) }
        if history.count > Self.maxHistory {
            history = history.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            stride *= 2
        }
    }
}

/// The whole inspector state. `update` is the only thing that changes it; `render` only reads it.
public struct InspectorState: Sendable {
    public var width: Int
    public var height: Int
    public var glyphs: GlyphSet
    public var view: View = .overview
    public var showHelp = false
    public var shouldQuit = false

    public var dataset: Dataset?
    public var services: ServiceAvailability
    /// Progress of background work shown in the status bar (text, fraction when known).
    public var activity: String?
    public var activityFraction: Double?
    public var message: String?

    /// Index (into dataset.cells) of the selected cell, and its batch (nil: all batches summed).
    public var selected = 0
    public var batch: Int?
    /// Cells (numbers) selected for the before/after sum; empty means all cells.
    public var selection: Set<Int> = []
    /// The selected cell and batch's ADC histogram (cached on selection changes so rendering is cheap).
    public var histogram: Histogram?
    public var scipy: [CentroidMark]?
    public var cnn: [CentroidMark]?

    public var overview = OverviewState()
    /// Seeds nudged by hand, per cell and batch, kept across selections and written to the seeds
    /// file (`--seeds FILE`) when there is one.
    public var handSeeds: [SeedKey: [String: Double]] = [:]
    public var spectrum = SpectrumViewState()
    public var seeds = SeedsState()
    public var optimize = OptimizeState()
    public var beforeAfter = BeforeAfterState()

    public init(width: Int, height: Int, glyphs: GlyphSet = .unicode, services: ServiceAvailability = ServiceAvailability()) {
        self.width = width
        self.height = height
        self.glyphs = glyphs
        self.services = services
    }

    public var cell: CellInfo? {
        guard let d = dataset, selected >= 0, selected < d.cells.count else { return nil }
        return d.cells[selected]
    }

    /// The calibration in force for the selected cell and batch: an accepted optimization, else
    /// the standard (or loaded) one.
    public var calibration: EnergyCalibration? {
        guard let c = cell else { return nil }
        if optimize.phase == .accepted, let e = Dataset.calibration(dataset?.optimized, cell: c, batch: batch) { return e }
        return Dataset.calibration(dataset?.calibration, cell: c, batch: batch)
    }

    /// The ADC window the spectrum shows.
    public var spectrumWindow: ClosedRange<Double> {
        if let w = spectrum.window { return w }
        return defaultWindow
    }

    /// Where the selected cell and batch's lines are under its calibration, else the range of its
    /// counts (`ADCWindow.around`): the data's own gain, not the profile's nominal window.
    var defaultWindow: ClosedRange<Double> {
        guard let d = dataset, let h = histogram else { return 0...4096 }
        return ADCWindow.around(d.profile, histogram: h, calibration: calibration) ?? h.lowerEdge...h.upperEdge
    }

    public var cursorADC: Double {
        let w = spectrumWindow
        return spectrum.cursor.map { Swift.min(w.upperBound, Swift.max(w.lowerBound, $0)) } ?? (w.lowerBound + w.upperBound) / 2
    }

    /// Calibration lines of the profile, in seed-list order.
    public var seedLines: [SpectralLine] { dataset?.profile.calibrationLines ?? [] }
}

/// Which services the engine has, so views can say what is not available instead of showing nothing.
public struct ServiceAvailability: Equatable, Sendable {
    public var scipy = false, cnn = false, lineFit = false, cuKaFit = false, calibration = false, optimizer = false
    /// Whether accepting an optimization also writes it (`sddcal inspect --out`).
    public var save = false
    /// Whether hand-set seeds are written to a seeds file (`sddcal inspect --seeds`).
    public var saveSeeds = false
    /// Whether the before/after view can compute held-out (cross-fitted) figures.
    public var heldOut = false
    public init(scipy: Bool = false, cnn: Bool = false, lineFit: Bool = false, cuKaFit: Bool = false,
                calibration: Bool = false, optimizer: Bool = false) {
        self.scipy = scipy; self.cnn = cnn; self.lineFit = lineFit; self.cuKaFit = cuKaFit
        self.calibration = calibration; self.optimizer = optimizer
    }
    public init(_ s: InspectorServices) {
        self.init(scipy: s.scipyCentroids != nil, cnn: s.cnnCentroids != nil, lineFit: s.fitLine != nil,
                  cuKaFit: s.fitCuKa != nil, calibration: s.standardCalibration != nil, optimizer: s.optimize != nil)
        save = s.saveCalibration != nil
        saveSeeds = s.saveSeeds != nil
        heldOut = s.heldOut != nil
    }
}
