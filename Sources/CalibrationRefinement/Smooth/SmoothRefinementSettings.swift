import SDDCore

/// Everything the smooth refinement can choose.
public struct SmoothRefinementSettings: Sendable {
    /// Knot spacing: the span of the data divided so each interval holds about this many strong-line
    /// events (all windows but the highest), within [minimum, maximum] spacing (s).
    public var countsPerKnot: Double = 300
    public var minimumKnotSpacing: Double = 3600
    public var maximumKnotSpacing: Double = 4 * 86400
    /// With `estimatePrior`: after the prior's estimate, a cell whose knots are more than
    /// `knotRefinementFactor` times wider than `knotSpacingPerTimeConstant` times the time over which
    /// the estimated walk and its data know the calibration
    /// (``SmoothCalibrationRefiner/knotSpacing(hessian:grid:prior:perTimeConstant:)``) is refitted on
    /// that finer grid (not below `minimumAdaptedKnotSpacing`). A fast walk at a low rate (an hourly
    /// walk of 1 %/√day at 1,000 events per day: τ ≈ 1 h) needs knots well under the
    /// counts-per-knot spacing (~8 h there).
    public var adaptKnotSpacing: Bool = true
    public var knotSpacingPerTimeConstant: Double = 0.5
    public var knotRefinementFactor: Double = 1.25
    public var minimumAdaptedKnotSpacing: Double = 600
    /// The highest line's window (Cu) informs the curvature only, not the knots
    /// (``SmoothCellLikelihood/curvatureOnlyGroups``): its few events per knot would fit their own noise.
    public var highestLineInformsCurvatureOnly: Bool = true
    /// With `highestLineInformsCurvatureOnly` and the curvature pooled over at least
    /// `minimumPooledCells` cells: the other windows inform the knots only, not the
    /// curvature (``SmoothCellLikelihood/frozenCurvature``). Their pull on q comes from the Kβ lines and
    /// from the lines' widths through the Jacobian (the slope at Ti against Mn via the ENC/Fano model),
    /// which drift inside a knot interval, calibration noise and the model's width law bias: at knots
    /// 0.5 h apart the strong lines held q ~3 eV from where the Cu events put it (hourly walk at rate 1000).
    public var strongLinesInformKnotsOnly: Bool = true
    /// The curvature w vanishes at the strongest line and at the strongest line of another element
    /// (``SmoothCellModel/lowADC``), not only at the strongest.
    public var curvatureVanishesAtTwoLines: Bool = true
    /// Each element's window: its lines' energies ± this margin (eV); overlapping windows merge.
    public var windowMargin: Double = 350
    /// Starting prior (and the curvature prior σ); with `estimatePrior` the strengths are re-estimated.
    public var prior = RandomWalkPrior(offsetStrength: 3, gainStrength: 3e-3, curvatureSigma: 30)
    public var estimatePrior: Bool = true
    /// With `estimatePrior`: the cells' curvatures share a prior N(μ, τ²) estimated from all cells
    /// (``CurvaturePool``; τ searched in the range, eV at the highest line), when at least
    /// `minimumPooledCells` cells are fitted; otherwise each cell's curvature has the starting prior.
    public var poolCurvature: Bool = true
    public var pooledCurvatureSigmaRange: ClosedRange<Double> = 0.1...100
    public var minimumPooledCells: Int = 4
    /// Rounds of (nuisance fit, Newton, prior estimate) before the final Newton.
    public var rounds: Int = 2
    /// The first round fits every n-th event only (its result only seeds the nuisances of the next).
    public var firstRoundStride: Int = 4
    public var newton = BandedNewton()
    /// Newton iterations of the rounds before the last (they only prepare the nuisance and prior estimates).
    public var earlyRoundIterations: Int = 4
    public var nuisance = SmoothNuisanceFit()
    /// Node spacing (eV) of the line-shape tables.
    public var tableStep: Double = 2
    /// Cells with fewer strong-line events than this keep their starting calibration.
    public var minimumEvents: Int = 200

    public init() {}
}
