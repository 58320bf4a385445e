import Dispatch
import Foundation

/// Estimates the random-walk strengths (s_o, s_g) by maximum marginal likelihood, pooled over cells.
///
/// Laplace approximation per cell: log Z(s) = −min_θ[ℓ(θ) + P_s(θ)] − ½·log det(H_ℓ + Q_s) + ½·log pdet Q_s,
/// with P_s the prior's negative log, Q_s its precision (the flat first knot handled by the
/// pseudo-determinant, ``RandomWalkPrior/halfLogPseudoDeterminant(grid:)``). The likelihood ℓ is
/// replaced by its second-order expansion at the current fit (value, gradient, Hessian; with
/// thousands of strong-line counts per knot it is quadratic to high accuracy over the range of
/// refits a change of s causes), so each trial s costs one banded factorisation per cell and no
/// pass over the events. The cells share the strengths (one detector, one environment): the sum of
/// their log Z is maximised, by golden-section search in log s, one coordinate at a time.
public struct PriorStrengthEstimator: Sendable {
    /// The second-order expansion of one cell's negative log-likelihood.
    public struct CellExpansion: Sendable {
        public var grid: KnotGrid
        public var x: [Double]
        public var value: Double
        public var gradient: [Double]
        public var hessian: BorderedBlockTridiagonal
        /// The cell's base curvature (``SmoothCellModel/baseCurvature``), for a pooled curvature prior.
        public var baseCurvature: Double
        public init(grid: KnotGrid, x: [Double], value: Double, gradient: [Double], hessian: BorderedBlockTridiagonal,
                    baseCurvature: Double = 0) {
            self.grid = grid; self.x = x; self.value = value; self.gradient = gradient; self.hessian = hessian
            self.baseCurvature = baseCurvature
        }
    }

    public var offsetRange: ClosedRange<Double> = 0.01...100
    public var gainRange: ClosedRange<Double> = 1e-6...0.1
    public var cycles: Int = 2
    public var steps: Int = 12

    public init() {}

    /// The minimiser of the quadratic model plus `prior` (the refit a prior change implies), or nil.
    public static func minimizer(_ c: CellExpansion, prior: RandomWalkPrior) -> [Double]? {
        var m = c.hessian
        var g0 = [Double](repeating: 0, count: c.x.count)
        prior.add(to: &g0, hessian: &m, at: [Double](repeating: 0, count: c.x.count), grid: c.grid, baseCurvature: c.baseCurvature)
        guard let f = m.factorize() else { return nil }
        // (H + Q)θ = H·x̂ − g − ∇P(0): the prior's gradient at zero carries its mean.
        let hx = c.hessian.multiply(c.x)
        return f.solve((0..<c.x.count).map { hx[$0] - c.gradient[$0] - g0[$0] })
    }

    /// Laplace log evidence of one cell under `prior` (up to a constant independent of the strengths).
    public static func logEvidence(_ c: CellExpansion, prior: RandomWalkPrior) -> Double {
        var m = c.hessian
        var g0 = [Double](repeating: 0, count: c.x.count)
        let zero = [Double](repeating: 0, count: c.x.count)
        prior.add(to: &g0, hessian: &m, at: zero, grid: c.grid, baseCurvature: c.baseCurvature)
        guard let f = m.factorize() else { return -.infinity }
        // Minimiser of the quadratic model: (H + Q)θ = H·x̂ − g − ∇P(0).
        let hx = c.hessian.multiply(c.x)
        let theta = f.solve((0..<c.x.count).map { hx[$0] - c.gradient[$0] - g0[$0] })
        let d = zip(theta, c.x).map { $0 - $1 }
        let hd = c.hessian.multiply(d)
        var lin = 0.0, quad = 0.0
        for i in d.indices { lin += c.gradient[i] * d[i]; quad += d[i] * hd[i] }
        let fmin = c.value + lin + 0.5 * quad + prior.value(theta, grid: c.grid, baseCurvature: c.baseCurvature)
        return -fmin - 0.5 * f.logDeterminant + prior.halfLogPseudoDeterminant(grid: c.grid)
    }

    /// Pooled log evidence (cells in parallel).
    public static func logEvidence(_ cells: [CellExpansion], prior: RandomWalkPrior) -> Double {
        var parts = [Double](repeating: 0, count: cells.count)
        parts.withUnsafeMutableBufferPointer { p in
            DispatchQueue.concurrentPerform(iterations: cells.count) { i in p[i] = logEvidence(cells[i], prior: prior) }
        }
        return parts.reduce(0, +)
    }

    /// Standard errors of ln s_o and ln s_g at `prior` (relative errors of the strengths), from the
    /// curvature of the pooled log evidence in ln s (central differences of step `h`):
    /// SE = 1/√(−∂²log Z/∂(ln s)²). Nan where the evidence is not concave there.
    public static func logStrengthErrors(_ cells: [CellExpansion], prior: RandomWalkPrior, step h: Double = 0.05) -> (offset: Double, gain: Double) {
        let z0 = logEvidence(cells, prior: prior)
        func se(_ set: (inout RandomWalkPrior, Double) -> Void) -> Double {
            var up = prior, down = prior
            set(&up, Foundation.exp(h)); set(&down, Foundation.exp(-h))
            let d2 = (logEvidence(cells, prior: up) - 2 * z0 + logEvidence(cells, prior: down)) / (h * h)
            return d2 < 0 ? 1 / (-d2).squareRoot() : .nan
        }
        return (se { $0.offsetStrength *= $1 }, se { $0.gainStrength *= $1 })
    }

    /// The strengths maximising the pooled evidence, starting from `prior` (its curvature σ is kept).
    public func estimate(_ cells: [CellExpansion], from prior: RandomWalkPrior) -> (prior: RandomWalkPrior, logEvidence: Double) {
        var p = prior
        var best = Self.logEvidence(cells, prior: p)
        func search(_ range: ClosedRange<Double>, _ set: (inout RandomWalkPrior, Double) -> Void) {
            var a = Foundation.log(range.lowerBound), b = Foundation.log(range.upperBound)
            let phi = 0.6180339887498949
            var c = b - phi * (b - a), d = a + phi * (b - a)
            func f(_ v: Double) -> Double { var t = p; set(&t, Foundation.exp(v)); return Self.logEvidence(cells, prior: t) }
            var fc = f(c), fd = f(d)
            for _ in 0..<steps {
                if fc > fd { b = d; d = c; fd = fc; c = b - phi * (b - a); fc = f(c) }
                else { a = c; c = d; fc = fd; d = a + phi * (b - a); fd = f(d) }
            }
            let (v, fv) = fc > fd ? (c, fc) : (d, fd)
            if fv > best { set(&p, Foundation.exp(v)); best = fv }
        }
        for cycle in 0..<cycles {
            // After the first cycle, search near the current values (a decade either way).
            let oR = cycle == 0 ? offsetRange : max(offsetRange.lowerBound, p.offsetStrength / 10)...min(offsetRange.upperBound, p.offsetStrength * 10)
            search(oR) { $0.offsetStrength = $1 }
            let gR = cycle == 0 ? gainRange : max(gainRange.lowerBound, p.gainStrength / 10)...min(gainRange.upperBound, p.gainStrength * 10)
            search(gR) { $0.gainStrength = $1 }
        }
        return (p, best)
    }
}
