import SDDCore

/// The inspector's views, in tab order.
public enum View: Int, CaseIterable, Sendable {
    case overview, spectrum, seeds, optimize, beforeAfter

    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .spectrum: return "Spectrum"
        case .seeds: return "Seeds"
        case .optimize: return "Optimize"
        case .beforeAfter: return "Before/after"
        }
    }
}

/// Everything that can change the inspector's state: keys become actions through `KeyBindings`,
/// background work reports through actions too, and so do resizes and ticks (the Elm shape).
public enum Action: Sendable {
    // Navigation and frame.
    case show(View)
    case nextView, previousView
    case toggleHelp
    case back
    case quit
    case resize(width: Int, height: Int)
    case cycleGlyphs
    // Overview and cell selection.
    case move(dx: Int, dy: Int)
    case open
    case nextCell, previousCell
    case toggleCellSelection, selectAllCells
    /// A page of cells down (+1) or up (-1) in the overview.
    case page(Int)
    /// The jump-to-cell prompt: open it, type a character of a cell number or label, delete one, go, or close it.
    case beginJump, jumpDigit(Character), jumpBackspace, commitJump, cancelJump
    // Spectrum.
    case nextBatch, previousBatch, allBatches
    case toggleLog, toggleEnergyAxis
    case zoomIn, zoomOut, resetZoom
    case pan(Double)
    case moveCursor(Int)
    // Seeds.
    case selectSeed(Int)
    case nudgeSeed(Double)
    case undoSeed
    case refit
    case applySeedRefit
    // Optimize.
    case startOptimization, cancelOptimization, acceptOptimization, discardOptimization
    // Before/after.
    case recomputeBeforeAfter
    /// The next reference (long-batch standard → standard → truth).
    case cycleReference
    /// Summed over the selected cells ↔ the cell under the cursor alone.
    case toggleBeforeAfterScope
    /// Start or cancel the held-out (cross-fitted) figures in the background.
    case startHeldOut, cancelHeldOut
    // Results of background work.
    case progress(String, Double?)
    case datasetLoaded(Dataset)
    case calibrationReady(CalibrationSet)
    case summaries([Int: CellSummary])
    case miniSpectra(MiniSpectra)
    case centroids(cell: Int, batch: Int?, scipy: [CentroidMark]?, cnn: [CentroidMark]?)
    case seedFit(cell: Int, batch: Int?, fits: [String: PeakFitSummary], calibration: CentroidCalibrationFit?, message: String?)
    /// Seeds from a seeds file (`--seeds FILE`), taken as hand-set.
    case seedsLoaded(SeedsFile)
    /// The hand-set seeds were written to this path.
    case seedsSaved(String)
    case optimizerProgress([OptimizerSnapshot])
    case optimizerFinished(CalibrationSet?, error: String?, cancelled: Bool)
    case beforeAfterReady(BeforeAfterResult)
    /// The standard calibration in long batches (the before/after reference) is ready, or failed.
    case referenceCalibrationReady(CalibrationSet?, error: String?)
    case heldOutProgress(String, Double?)
    case heldOutFinished(HeldOutFigures?, error: String?, cancelled: Bool)
    case failure(String)
    /// A note for the status bar that does not end background activity.
    case notice(String)
    case tick(Double)
}

/// Work the state asks for; the engine runs it off the UI thread and answers with actions.
public enum Effect: Equatable, Sendable {
    case standardCalibration
    case computeSummaries
    /// The overview's mini-spectra under the calibration in use, tagged with the state's generation.
    case computeMiniSpectra(generation: Int)
    case computeCentroids(cell: Int, batch: Int?)
    case refitSeeds(cell: Int, batch: Int?, seeds: [String: Double])
    case startOptimization
    case cancelOptimization
    case computeBeforeAfter(BeforeAfterRequest)
    /// The standard calibration in the dataset's reference batches (`Dataset.referenceBatch`).
    case computeReferenceCalibration
    case startHeldOut(HeldOutRequest)
    case cancelHeldOut
    case saveCalibration
    /// Write the hand-set seeds (`--seeds FILE`).
    case saveSeeds(SeedsFile)
}
