import SDDCore

/// Everything the smooth refinement can choose.
public struct SmoothRefinementSettings: Sendable {
    /// Knot spacing: the span of the data divided so each interval holds about this many strong-line
    /// events (all windows but the highest), within [minimum, maximum] spacing (s).
    public var countsPerKnot: Double = 300
    public var minimumKnotSpacing: Double = 3600
    public var maximumKnotSpacing: Double = 4 * 86400
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
