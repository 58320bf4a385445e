import Foundation

/// The cells' curvatures pooled over the detector (a hierarchical prior, empirical Bayes).
///
/// A cell's curvature is measured only by its highest line (Cu Kα) against the strong lines: with a
/// few dozen Cu events per cell a free curvature per cell fits their noise (the in-sample Cu Kα
/// looks narrower than it is, the held-out one wider). The cells of one detector share the
/// distribution of their ADC non-linearity, so each cell's total curvature Q_c (eV at the highest
/// line, ``SmoothCellModel/baseCurvature`` plus the fitted correction) is given the prior N(μ, τ²)
/// with μ and τ estimated from all cells: τ large (the cells differ by more than their errors) gives
/// each cell its own curvature, τ small one shared curvature.
///
/// Per cell, the quadratic expansion of its likelihood with the walk prior and a flat curvature
/// prior gives a Gaussian measurement Q̂_c ± √v_c (exact for the quadratic model: the other
/// coefficients integrated out). (μ, τ) maximise the restricted likelihood of Q̂_c ~ N(μ, v_c + τ²):
/// μ is the precision-weighted mean, τ found on a logarithmic grid.
public enum CurvaturePool {
    /// One cell's total curvature and its variance from its expansion under the walk of `prior`
    /// (its curvature prior replaced by a flat one); nil when the expansion is not positive definite.
    public static func measurement(_ c: PriorStrengthEstimator.CellExpansion, prior: RandomWalkPrior) -> (curvature: Double, variance: Double)? {
        var flat = prior
        flat.curvatureMean = nil
        flat.curvatureSigma = 1e6
        let n = c.x.count
        var m = c.hessian
        var g0 = [Double](repeating: 0, count: n)
        flat.add(to: &g0, hessian: &m, at: [Double](repeating: 0, count: n), grid: c.grid)
        guard let f = m.factorize() else { return nil }
        let hx = c.hessian.multiply(c.x)
        let theta = f.solve((0..<n).map { hx[$0] - c.gradient[$0] - g0[$0] })
        var e = [Double](repeating: 0, count: n)
        e[n - 1] = 1
        let v = f.solve(e)[n - 1]
        let q = theta[n - 1] + c.baseCurvature
        // A curvature known to no better than ±1 keV at the highest line is no measurement (a cell with a
        // handful of Cu events): its estimate from a nearly flat quadratic can be anything.
        guard v > 0, v < 1e6, q.isFinite, abs(q) < 1e5 else { return nil }
        return (q, v)
    }

    /// Restricted log-likelihood of the measurements at τ, and the μ that maximises it there.
    public static func restrictedLogLikelihood(_ m: [(curvature: Double, variance: Double)], sigma tau: Double) -> (value: Double, mean: Double) {
        var sw = 0.0, swq = 0.0, logDet = 0.0
        for r in m {
            let w = 1 / (r.variance + tau * tau)
            sw += w; swq += w * r.curvature; logDet -= Foundation.log(w)
        }
        let mu = swq / sw
        var chi2 = 0.0
        for r in m { let d = r.curvature - mu; chi2 += d * d / (r.variance + tau * tau) }
        return (-0.5 * (logDet + chi2 + Foundation.log(sw)), mu)
    }

    /// (μ, τ) maximising ``restrictedLogLikelihood(_:sigma:)`` for τ on a logarithmic grid over
    /// `sigmaRange` (`points` points); nil for fewer than `minimumCells` measurements.
    public static func estimate(_ m: [(curvature: Double, variance: Double)], sigmaRange: ClosedRange<Double> = 0.1...100,
                                points: Int = 61, minimumCells: Int = 4) -> (mean: Double, sigma: Double)? {
        guard m.count >= minimumCells, points >= 2, sigmaRange.lowerBound > 0 else { return nil }
        let a = Foundation.log(sigmaRange.lowerBound), b = Foundation.log(sigmaRange.upperBound)
        var best: (value: Double, mean: Double, sigma: Double)? = nil
        for i in 0..<points {
            let tau = Foundation.exp(a + (b - a) * Double(i) / Double(points - 1))
            let r = restrictedLogLikelihood(m, sigma: tau)
            if r.value.isFinite, best == nil || r.value > best!.value { best = (r.value, r.mean, tau) }
        }
        return best.map { ($0.mean, $0.sigma) }
    }
}
