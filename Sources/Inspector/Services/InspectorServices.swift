import Foundation
import SDDCore

/// A fitted peak: centroid and width in the histogram's units, with errors and the fit quality,
/// and the model curve sampled for overlay.
public struct PeakFitSummary: Equatable, Sendable {
    public var position: Double
    public var positionError: Double?
    public var fwhm: Double
    public var fwhmError: Double?
    public var chi2: Double
    public var ndf: Int
    /// The fitted model as a density (counts per x unit) at `curveX`; views multiply by their bin width.
    public var curveX: [Double]
    public var curveY: [Double]
    public init(position: Double, positionError: Double? = nil, fwhm: Double, fwhmError: Double? = nil,
                chi2: Double, ndf: Int, curveX: [Double] = [], curveY: [Double] = []) {
        self.position = position; self.positionError = positionError; self.fwhm = fwhm; self.fwhmError = fwhmError
        self.chi2 = chi2; self.ndf = ndf; self.curveX = curveX; self.curveY = curveY
    }
    public var chi2PerNdf: Double { ndf > 0 ? chi2 / Double(ndf) : .nan }
}

/// The outcome of refitting a batch's lines from seeds: per-line fits (ADC), the calibration
/// through the fitted centroids with residuals, and a note (failed or rejected lines).
public struct SeedRefit: Sendable {
    public var fits: [String: PeakFitSummary]
    public var calibration: CentroidCalibrationFit?
    public var message: String?
    public init(fits: [String: PeakFitSummary], calibration: CentroidCalibrationFit?, message: String?) {
        self.fits = fits; self.calibration = calibration; self.message = message
    }
}

/// One progress report of the optimizer, as the UI thread sees it.
public struct OptimizerSnapshot: Equatable, Sendable {
    /// Iterations done so far (over all batches).
    public var iteration: Int
    /// Gain in log-likelihood since the start (summed over batches): 0 at the start, rising.
    public var logLikelihood: Double
    public var elapsed: Double
    public init(iteration: Int, logLikelihood: Double, elapsed: Double) {
        self.iteration = iteration; self.logLikelihood = logLikelihood; self.elapsed = elapsed
    }
}

/// Receives the optimizer's iterations on the worker thread and tells it when to stop.
public protocol OptimizationListener: AnyObject, Sendable {
    func iteration(_ i: Int, logLikelihood: Double)
    var isCancelled: Bool { get }
}

/// The computations the inspector shows, as closures so views and state can be tested with simple
/// stand-ins while the real modules (peak finding, CNN, line fits, refinement) are wired in by the
/// `sddcal inspect` command. A nil closure means "not available"; the view says so.
public struct InspectorServices: Sendable {
    /// SciPy-style peak finding with line identification on an ADC histogram.
    public var scipyCentroids: (@Sendable (Histogram, LineProfile) -> [CentroidMark])?
    /// CNN centroid prediction on an ADC histogram.
    public var cnnCentroids: (@Sendable (Histogram, LineProfile) -> [CentroidMark])?
    /// Fits one line in an ADC histogram starting from a seed centroid (ADC); nil if the fit fails.
    public var fitLine: (@Sendable (Histogram, SpectralLine, Double) -> PeakFitSummary?)?
    /// Fits every seeded line of a batch from the given seeds and the calibration through them at
    /// once (the standard calibration's own path); when nil, `fitLine` and a weighted polynomial are used.
    public var refitSeeds: (@Sendable (Histogram, LineProfile, [String: Double]) -> SeedRefit)?
    /// Fits the Cu Kα doublet in an energy histogram (eV); position and FWHM in eV.
    public var fitCuKa: (@Sendable (Histogram) -> PeakFitSummary?)?
    /// The standard calibration of a dataset (background, with progress).
    public var standardCalibration: (@Sendable (Dataset, ProgressObserver) throws -> CalibrationSet)?
    /// The gradient refinement of a calibration; reports iterations to the listener, stops when it
    /// says so, and returns the refined calibration.
    public var optimize: (@Sendable (Dataset, CalibrationSet, OptimizationListener) throws -> CalibrationSet)?
    /// Saves an accepted calibration (e.g. through `AtomicFile`); returns where it went.
    public var saveCalibration: (@Sendable (CalibrationSet) throws -> String)?
    /// Saves the hand-set seeds (`--seeds FILE`); returns where they went.
    public var saveSeeds: (@Sendable (SeedsFile) throws -> String)?
    /// Held-out (cross-fitted) Cu Kα figures: reruns the whole chain on the request's cells without
    /// each fold of their events (slow: run on its own thread); reports progress to the listener and
    /// throws ``HeldOutCancelled`` once it says so.
    public var heldOut: (@Sendable (Dataset, HeldOutRequest, HeldOutListener) throws -> HeldOutFigures)?

    public init(scipyCentroids: (@Sendable (Histogram, LineProfile) -> [CentroidMark])? = nil,
                cnnCentroids: (@Sendable (Histogram, LineProfile) -> [CentroidMark])? = nil,
                fitLine: (@Sendable (Histogram, SpectralLine, Double) -> PeakFitSummary?)? = nil,
                refitSeeds: (@Sendable (Histogram, LineProfile, [String: Double]) -> SeedRefit)? = nil,
                fitCuKa: (@Sendable (Histogram) -> PeakFitSummary?)? = nil,
                standardCalibration: (@Sendable (Dataset, ProgressObserver) throws -> CalibrationSet)? = nil,
                optimize: (@Sendable (Dataset, CalibrationSet, OptimizationListener) throws -> CalibrationSet)? = nil,
                saveCalibration: (@Sendable (CalibrationSet) throws -> String)? = nil) {
        self.scipyCentroids = scipyCentroids; self.cnnCentroids = cnnCentroids; self.fitLine = fitLine
        self.refitSeeds = refitSeeds
        self.fitCuKa = fitCuKa; self.standardCalibration = standardCalibration; self.optimize = optimize
        self.saveCalibration = saveCalibration
    }
}
