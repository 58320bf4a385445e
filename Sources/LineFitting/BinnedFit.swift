import Foundation

/// The statistic a binned fit minimizes.
public enum FitStatistic: Sendable, Equatable {
    /// Baker–Cousins likelihood χ²: 2·Σ(μ − n + n·ln(n/μ)), the Poisson deviance. Correct at low counts;
    /// its minimum value is a goodness-of-fit χ². The default.
    case poisson
    /// Least squares Σ((n − μ)/σ)², with σ² = max(n, 1) (Neyman) unless per-bin errors are given.
    case leastSquares(errors: [Double]?)
}

/// A binned fit of a model to counts: a Levenberg–Marquardt minimizer on the Gauss–Newton (Fisher)
/// approximation of the Hessian, with box bounds (active set), fixed and tied parameters; the
/// covariance comes from the exact Hessian at the minimum (central differences of the analytic gradient).
///
/// Minuit's MIGRAD is a quasi-Newton method on the statistic alone; here the model's Jacobian gives the
/// curvature directly, so a line fit converges in a handful of model passes.
public struct BinnedFit<Model: BinnedModel>: Sendable {
    public let model: Model
    public let counts: [Double]
    public var statistic: FitStatistic
    /// Iteration limit.
    public var maxIterations = 200
    /// Convergence when the EDM is below this (Minuit's default is 2·10⁻⁴ for Δχ² = 1; tighter here).
    public var edmTolerance = 1e-7
    /// How the covariance at the minimum is computed.
    public var covariance: CovarianceMethod = .hessian

    /// Source of the covariance matrix.
    public enum CovarianceMethod: Sendable, Equatable {
        /// The exact Hessian of the statistic (forward differences of the analytic gradient): what
        /// Minuit's HESSE gives. One extra gradient per free parameter.
        case hessian
        /// The Gauss–Newton (expected Fisher) matrix at the minimum: no extra model passes; asymptotically
        /// the same for well-populated Poisson fits. Used where thousands of fits must be fast.
        case fisher
    }

    public init(model: Model, counts: [Double], statistic: FitStatistic = .poisson) {
        precondition(counts.count == model.binCount, "one count per model bin")
        self.model = model
        self.counts = counts
        self.statistic = statistic
    }

    /// Minimizes the statistic from the starting values in `parameters`.
    public func minimize(_ parameters: FitParameters) -> FitResult {
        precondition(parameters.count == model.parameterCount, "parameter count does not match the model")
        let w = Workspace(fit: self, parameters: parameters)
        return w.run()
    }

    /// The statistic at a full parameter vector (ties applied), for tests and scans.
    public func statisticValue(_ theta: [Double]) -> Double {
        let mu = model.expected(theta)
        return Self.accumulate(counts: counts, mu: mu, statistic: statistic)
    }

    static func accumulate(counts: [Double], mu: [Double], statistic: FitStatistic) -> Double {
        var s = 0.0
        switch statistic {
        case .poisson:
            for i in counts.indices {
                let n = counts[i], m = mu[i]
                if !(m > 0) {
                    if m == 0 && n == 0 { continue }
                    return .infinity
                }
                s += n > 0 ? 2 * (m - n + n * log(n / m)) : 2 * m
            }
        case .leastSquares(let errors):
            for i in counts.indices {
                let r = counts[i] - mu[i]
                let v = errors.map { $0[i] * $0[i] } ?? Swift.max(counts[i], 1)
                s += r * r / v
            }
        }
        return s.isNaN ? .infinity : s
    }
}

/// Mutable state of one minimization.
private final class Workspace<Model: BinnedModel> {
    let fit: BinnedFit<Model>
    var params: FitParameters
    let free: [Int]
    let nb: Int, np: Int, nf: Int
    var mu: [Double]
    var jac: [Double]
    var jf: [Double]        // free Jacobian, column-major nb × nf
    var r: [Double]         // dS/dμ per bin
    var wgt: [Double]       // Fisher weight per bin
    var evaluations = 0
    /// Ties in a fixed order (dictionary order varies between runs; sums must not).
    let tieList: [(Int, FitParameters.Tie)]

    init(fit: BinnedFit<Model>, parameters: FitParameters) {
        self.fit = fit
        params = parameters
        free = parameters.freeIndices
        nb = fit.model.binCount
        np = fit.model.parameterCount
        nf = free.count
        mu = [Double](repeating: 0, count: nb)
        jac = [Double](repeating: 0, count: nb * np)
        jf = [Double](repeating: 0, count: nb * nf)
        r = [Double](repeating: 0, count: nb)
        wgt = [Double](repeating: 0, count: nb)
        tieList = parameters.ties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func theta(_ phi: [Double]) -> [Double] {
        var t = params.values
        for (a, i) in free.enumerated() { t[i] = phi[a] }
        return params.resolved(t)
    }

    func clamp(_ phi: [Double]) -> [Double] {
        var p = phi
        for (a, i) in free.enumerated() { p[a] = Swift.min(Swift.max(p[a], params.lower[i]), params.upper[i]) }
        return p
    }

    /// Statistic, gradient and Fisher matrix (over free parameters) at phi.
    func evaluate(_ phi: [Double], derivatives: Bool) -> (s: Double, g: [Double], f: [Double]) {
        evaluations += 1
        let t = theta(phi)
        // The scratch arrays move into locals for the call (no copy): the hot loops below then index
        // plain local arrays instead of class properties, each access of which pays a dynamic
        // exclusivity check and a uniqueness test.
        var mu: [Double] = [], jac: [Double] = [], jf: [Double] = [], r: [Double] = [], wgt: [Double] = []
        swap(&mu, &self.mu); swap(&jac, &self.jac); swap(&jf, &self.jf); swap(&r, &self.r); swap(&wgt, &self.wgt)
        defer { swap(&mu, &self.mu); swap(&jac, &self.jac); swap(&jf, &self.jf); swap(&r, &self.r); swap(&wgt, &self.wgt) }
        if derivatives {
            jac.withUnsafeMutableBufferPointer { fit.model.evaluate(t, values: &mu, jacobian: $0.baseAddress) }
        } else {
            fit.model.evaluate(t, values: &mu, jacobian: nil)
        }
        var s = 0.0
        let counts = fit.counts
        switch fit.statistic {
        case .poisson:
            for i in 0..<nb {
                let n = counts[i], m = mu[i]
                if !(m > 0) {
                    if m == 0 && n == 0 { r[i] = 2; wgt[i] = 0; continue }
                    return (.infinity, [], [])
                }
                let q = n / m
                s += n > 0 ? 2 * (m - n + n * log(q)) : 2 * m
                r[i] = 2 * (1 - q)
                wgt[i] = 2 / m
            }
        case .leastSquares(let errors):
            for i in 0..<nb {
                let v = errors.map { $0[i] * $0[i] } ?? Swift.max(counts[i], 1)
                let d = counts[i] - mu[i]
                s += d * d / v
                r[i] = -2 * d / v
                wgt[i] = 2 / v
            }
        }
        guard s.isFinite else { return (.infinity, [], []) }
        guard derivatives else { return (s, [], []) }
        // Free Jacobian: own column plus the columns of parameters tied to it.
        for (a, i) in free.enumerated() {
            for b in 0..<nb { jf[a * nb + b] = jac[i * nb + b] }
            for (k, tie) in tieList where tie.source == i {
                for b in 0..<nb { jf[a * nb + b] += tie.scale * jac[k * nb + b] }
            }
        }
        var g = [Double](repeating: 0, count: nf)
        var f = [Double](repeating: 0, count: nf * nf)
        jf.withUnsafeBufferPointer { J in
            for a in 0..<nf {
                let ca = J.baseAddress! + a * nb
                var ga = 0.0
                for b in 0..<nb { ga += r[b] * ca[b] }
                g[a] = ga
                for c in 0...a {
                    let cc = J.baseAddress! + c * nb
                    var x = 0.0
                    for b in 0..<nb { x += wgt[b] * ca[b] * cc[b] }
                    f[a * nf + c] = x
                    f[c * nf + a] = x
                }
            }
        }
        return (s, g, f)
    }

    /// Free parameters held at a bound because the gradient pushes them outward.
    func activeSet(_ phi: [Double], _ g: [Double]) -> [Bool] {
        (0..<nf).map { a in
            let i = free[a]
            return (phi[a] <= params.lower[i] && g[a] > 0) || (phi[a] >= params.upper[i] && g[a] < 0)
        }
    }

    static func sub(_ m: [Double], _ n: Int, _ idx: [Int]) -> [Double] {
        var out = [Double](repeating: 0, count: idx.count * idx.count)
        for (x, i) in idx.enumerated() { for (y, j) in idx.enumerated() { out[x * idx.count + y] = m[i * n + j] } }
        return out
    }

    func run() -> FitResult {
        var phi = clamp(free.map { params.values[$0] })
        var cur = evaluate(phi, derivatives: true)
        guard cur.s.isFinite else { return result(phi: phi, s: .infinity, status: .invalidModel, edm: .nan, iterations: 0, cov: nil) }
        var lambda = 1e-3
        var status = FitStatus.maxIterations
        var edm = Double.infinity
        var iterations = 0
        while iterations < fit.maxIterations {
            iterations += 1
            let active = activeSet(phi, cur.g)
            let idx = (0..<nf).filter { !active[$0] }
            if idx.isEmpty { edm = 0; status = .converged; break }
            let fI = Self.sub(cur.f, nf, idx)
            let gI = idx.map { cur.g[$0] }
            let k = idx.count
            // EDM from the undamped Gauss–Newton system (a tiny ridge keeps degenerate directions solvable).
            // Solved with Jacobi scaling (parameters differ in scale by many orders of magnitude); a tiny ridge
            // keeps directions without influence solvable.
            var ridge = fI
            let maxDiag = (0..<k).map { fI[$0 * k + $0] }.max() ?? 1
            for a in 0..<k { ridge[a * k + a] = ridge[a * k + a] * (1 + 1e-10) + 1e-300 * maxDiag }
            if let x = SymmetricSolve.solveScaled(ridge, k, gI) {
                edm = 0.5 * zip(gI, x).reduce(0) { $0 + $1.0 * $1.1 }
                if edm < fit.edmTolerance { status = .converged; break }
            }
            var damped = fI
            for a in 0..<k { damped[a * k + a] += lambda * fI[a * k + a] + 1e-300 * maxDiag }
            guard let step = SymmetricSolve.solveScaled(damped, k, gI) else {
                lambda *= 10
                if lambda > 1e12 { status = .stalled; break }
                continue
            }
            var trial = phi
            for (x, a) in idx.enumerated() { trial[a] -= step[x] }
            trial = clamp(trial)
            var next = evaluate(trial, derivatives: true)
            // A step into the region where the model expects ≤ 0 counts (e.g. a background edge) is shortened
            // along the same direction before the damping is raised.
            var shrink = 0.5
            while !next.s.isFinite && shrink > 1e-3 {
                trial = phi
                for (x, a) in idx.enumerated() { trial[a] -= shrink * step[x] }
                trial = clamp(trial)
                next = evaluate(trial, derivatives: true)
                shrink *= 0.5
            }
            if next.s.isFinite && next.s <= cur.s {
                let gain = cur.s - next.s
                phi = trial
                cur = next
                lambda = Swift.max(lambda * 0.2, 1e-10)
                // A step that changes nothing measurable at tiny EDM has converged (bounded directions).
                if gain < 1e-12 * (1 + cur.s) && edm < 10 * fit.edmTolerance { status = .converged; break }
            } else {
                lambda *= 10
                if lambda > 1e12 { status = edm < 10 * fit.edmTolerance ? .converged : .stalled; break }
            }
        }
        // Covariance from the exact Hessian over the free parameters not held at a bound.
        let active = activeSet(phi, cur.g)
        // Parameters without any influence at the minimum (e.g. the position of a line whose area ended on
        // its bound 0) have no defined error: they are left out of the covariance (error 0) rather than
        // making the whole matrix singular.
        let idx = (0..<nf).filter { !active[$0] && !atBound(phi, $0) && cur.f[$0 * nf + $0] > 0 }
        var cov: [Double]? = nil
        if !idx.isEmpty {
            let fI = Self.sub(cur.f, nf, idx)
            let fisherInv = SymmetricSolve.inverseScaled(fI, idx.count)
            if fit.covariance == .fisher, let fi = fisherInv {
                cov = fi.map { 2 * $0 }
            } else if let h = exactHessian(phi, cur.g, idx, fisherInverse: fisherInv), let hinv = SymmetricSolve.inverseScaled(h, idx.count) {
                cov = hinv.map { 2 * $0 }
            } else if let fi = fisherInv {
                cov = fi.map { 2 * $0 }
                if status == .converged { status = .hessianNotPositiveDefinite }
            } else if status == .converged {
                status = .hessianNotPositiveDefinite
            }
            if let c = cov { return result(phi: phi, s: cur.s, status: status, edm: edm, iterations: iterations, cov: (idx, c)) }
        }
        return result(phi: phi, s: cur.s, status: status, edm: edm, iterations: iterations, cov: cov.map { (idx, $0) })
    }

    func atBound(_ phi: [Double], _ a: Int) -> Bool {
        let i = free[a]
        return phi[a] <= params.lower[i] || phi[a] >= params.upper[i]
    }

    /// ∂²S over the free parameters `idx`, by forward differences of the analytic gradient `g0` at phi,
    /// with steps of 10⁻³ of each parameter's Fisher error.
    func exactHessian(_ phi: [Double], _ g0: [Double], _ idx: [Int], fisherInverse: [Double]?) -> [Double]? {
        let k = idx.count
        var h = [Double](repeating: 0, count: k * k)
        for (x, a) in idx.enumerated() {
            var scale = fisherInverse.map { (2 * $0[x * k + x]).squareRoot() } ?? 0
            if !(scale > 0 && scale.isFinite) { scale = 1e-4 * Swift.max(1, abs(phi[a])) }
            let step = 1e-3 * scale
            // Forward differences (one gradient per parameter): with a step of 10⁻³σ the relative error
            // of the curvature is ~10⁻³, far below what errors need.
            var p = phi
            p[a] += step
            let gp = evaluate(p, derivatives: true)
            guard gp.s.isFinite else { return nil }
            for (y, b) in idx.enumerated() { h[y * k + x] = (gp.g[b] - g0[b]) / step }
        }
        for x in 0..<k { for y in 0..<x { let v = 0.5 * (h[x * k + y] + h[y * k + x]); h[x * k + y] = v; h[y * k + x] = v } }
        return h
    }

    func result(phi: [Double], s: Double, status: FitStatus, edm: Double, iterations: Int, cov: ([Int], [Double])?) -> FitResult {
        let t = theta(phi)
        var full = [Double](repeating: 0, count: np * np)
        if let (idx, c) = cov {
            let k = idx.count
            for x in 0..<k { for y in 0..<k { full[free[idx[x]] * np + free[idx[y]]] = c[x * k + y] } }
        }
        // Tied parameters: θ_k = s·θ_src + o ⇒ cov(θ_k, ·) = s·cov(θ_src, ·).
        for (k, tie) in params.ties {
            for j in 0..<np { full[k * np + j] = tie.scale * full[tie.source * np + j] }
            for j in 0..<np { full[j * np + k] = tie.scale * full[j * np + tie.source] }
            full[k * np + k] = tie.scale * tie.scale * full[tie.source * np + tie.source]
        }
        let errors = (0..<np).map { Swift.max(0, full[$0 * np + $0]).squareRoot() }
        let limits = (0..<nf).filter { atBound(phi, $0) }.map { params.names[free[$0]] }
        return FitResult(names: params.names, values: t, errors: errors, covariance: full, chi2: s,
                         ndf: nb - nf, status: status, edm: edm, iterations: iterations, evaluations: evaluations,
                         parametersAtLimit: limits)
    }
}
