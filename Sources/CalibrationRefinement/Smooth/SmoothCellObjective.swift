/// What the smooth refinement minimises for one cell: the negative log-likelihood of its events
/// plus the negative log of the random-walk prior (a negative log-posterior).
public struct SmoothCellObjective: Sendable {
    public var likelihood: SmoothCellLikelihood
    public var prior: RandomWalkPrior

    public init(likelihood: SmoothCellLikelihood, prior: RandomWalkPrior) {
        self.likelihood = likelihood; self.prior = prior
    }

    public var grid: KnotGrid { likelihood.events.grid }

    public func value(_ x: [Double]) -> Double {
        let v = likelihood.value(x)
        return v.isFinite ? v + prior.value(x, grid: grid, baseCurvature: likelihood.model.baseCurvature) : .infinity
    }

    /// Value, gradient and Hessian of the posterior; also the likelihood's own (for the marginal likelihood).
    public func evaluate(_ x: [Double]) -> (value: Double, gradient: [Double], hessian: BorderedBlockTridiagonal,
                                            data: (value: Double, gradient: [Double], hessian: BorderedBlockTridiagonal)) {
        let d = likelihood.evaluate(x)
        guard d.value.isFinite else { return (.infinity, d.gradient, d.hessian, d) }
        var g = d.gradient, h = d.hessian
        let b = likelihood.model.baseCurvature
        prior.add(to: &g, hessian: &h, at: x, grid: grid, baseCurvature: b)
        return (d.value + prior.value(x, grid: grid, baseCurvature: b), g, h, d)
    }
}
