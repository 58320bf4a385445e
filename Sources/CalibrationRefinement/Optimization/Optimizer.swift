import Foundation

/// A function of three parameters with automatic first and second derivatives.
public protocol ThreeParameterObjective {
    func value(_ x: SIMD3<Double>) -> Double
    func valueAndGradient(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>)
    func valueGradientHessian(_ x: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>, hessian: [Double])
}

extension BatchLoss: ThreeParameterObjective {}

/// The step rule.
public enum OptimizerMethod: String, Sendable, Codable, CaseIterable {
    /// Plain gradient descent with a fixed learning rate (the paper's).
    case gradientDescent = "gd"
    /// Adam (Kingma & Ba 2015) with bias correction (the paper's).
    case adam
    /// Newton's method on the automatic Hessian, damped when not positive definite, with a
    /// backtracking line search: converges in a handful of iterations.
    case newton
}

/// Why an optimization stopped.
public enum StopReason: String, Sendable, Codable {
    /// Gradient norm (scaled coordinates) below tolerance.
    case gradient
    /// Loss changed less than its tolerance twice in a row.
    case lossChange = "loss-change"
    /// Step shorter than its tolerance.
    case step
    case maxIterations = "max-iterations"
    case cancelled
    /// The loss became non-finite and no step could be taken.
    case failed

    /// True for the reasons that mean "converged".
    public var converged: Bool { self == .gradient || self == .lossChange || self == .step }
}

/// Settings of one optimization. Parameters are whitened by the Hessian at the start point
/// (x = x₀ + L⁻ᵀu with H(x₀) = LLᵀ), so u is measured in statistical standard deviations in every
/// cell and batch whatever its counts: one learning rate and one tolerance serve all of them.
public struct OptimizerSettings: Sendable, Codable, Hashable {
    public var method: OptimizerMethod = .newton
    /// Step scale in whitened units (gd: fraction of the Newton step at the start; adam: σ per step).
    public var learningRate: Double = 0.5
    public var maxIterations: Int = 200
    /// Stop when the whitened gradient norm is below this (≈ distance to the optimum in σ).
    public var gradientTolerance: Double = 1e-4
    /// Stop when |Δloss| is below this twice in a row.
    public var lossTolerance: Double = 1e-10
    /// Stop when a step is shorter than this (whitened units).
    public var stepTolerance: Double = 1e-9
    /// Adam's moment decay rates.
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    /// Report every n-th iteration to the observer (start and end are always reported).
    public var reportEvery: Int = 1

    public init() {}

    /// Defaults per method (learning rates in whitened units). Adam's constant-size steps jitter around
    /// the optimum, so it stops at a gradient of 0.01 (≈ 0.01σ from the optimum).
    public static func defaults(for method: OptimizerMethod) -> OptimizerSettings {
        var s = OptimizerSettings()
        s.method = method
        switch method {
        case .newton: s.learningRate = 1; s.maxIterations = 50
        case .gradientDescent: s.learningRate = 0.5; s.maxIterations = 500
        case .adam: s.learningRate = 0.3; s.maxIterations = 500; s.gradientTolerance = 1e-2
        }
        return s
    }
}

/// The outcome of one optimization.
public struct OptimizationOutcome: Sendable {
    public var x: SIMD3<Double>
    public var loss: Double
    public var initialLoss: Double
    public var iterations: Int
    public var reason: StopReason
    /// Hessian of the loss at `x` (row-major), for errors.
    public var hessian: [Double]
    /// Inverse Hessian (covariance of x), nil if the Hessian is not positive definite.
    public var covariance: [Double]?
    /// Loss after each iteration (index 0 = start).
    public var lossHistory: [Double]
}

/// Minimizes a ``ThreeParameterObjective`` with gradient descent, Adam or Newton.
public struct Optimizer: Sendable {
    public var settings: OptimizerSettings
    public init(_ settings: OptimizerSettings = .defaults(for: .newton)) { self.settings = settings }

    /// Runs from `start`. `report` maps a point and its loss to an observer snapshot (it knows the
    /// calibration coordinates); events go to `observer`; `cancel` is checked every iteration.
    public func minimize<F: ThreeParameterObjective>(
        _ f: F, from start: SIMD3<Double>,
        observer: OptimizationObserver? = nil, cancel: CancellationFlag? = nil,
        snapshot: (Int, SIMD3<Double>, Double, Double) -> OptimizationSnapshot = { i, _, v, g in
            OptimizationSnapshot(id: OptimizationID(cell: 0, batch: 0), iteration: i, logLikelihood: -v, p0: .nan, p1: .nan, p2: .nan, gradientNorm: g)
        }
    ) -> OptimizationOutcome {
        let s = settings
        // Whitening u ↦ x = x0 + M·u, M = L⁻ᵀ; fall back to the diagonal, then to identity.
        // One second-order evaluation serves the whitening, the first gradient and the first Newton step;
        // Newton then evaluates value, gradient and Hessian together at each accepted point.
        let (v0, g0, h0) = f.valueGradientHessian(start)
        let m = Self.whitening(h0)
        var hessianAtU: [Double]? = h0
        func toX(_ u: SIMD3<Double>) -> SIMD3<Double> { start + Self.mul(m, u) }
        func gradU(_ gx: SIMD3<Double>) -> SIMD3<Double> { Self.mulT(m, gx) }

        var u = SIMD3<Double>.zero
        var value = v0
        var g = gradU(g0)
        var history = [value]
        observer?.observe(.started(snapshot(0, start, value, Self.norm(g))))
        var reason = StopReason.maxIterations
        var iteration = 0
        var smallChanges = 0
        var mom = SIMD3<Double>.zero, vel = SIMD3<Double>.zero

        if !value.isFinite { reason = .failed; iteration = s.maxIterations }
        else if Self.norm(g) < s.gradientTolerance { reason = .gradient; iteration = s.maxIterations }

        while iteration < s.maxIterations {
            if cancel?.isCancelled == true { reason = .cancelled; break }
            iteration += 1
            var step: SIMD3<Double>
            switch s.method {
            case .gradientDescent:
                step = -s.learningRate * g
            case .adam:
                mom = s.beta1 * mom + (1 - s.beta1) * g
                vel = s.beta2 * vel + (1 - s.beta2) * g * g
                let mh = mom / (1 - Foundation.pow(s.beta1, Double(iteration)))
                let vh = vel / (1 - Foundation.pow(s.beta2, Double(iteration)))
                step = -s.learningRate * mh / (vh.squareRoot() + 1e-12)
            case .newton:
                let hx = hessianAtU ?? f.valueGradientHessian(toX(u)).hessian
                let hu = Self.congruence(m, hx)
                step = -Self.dampedSolve(hu, g) * s.learningRate
            }
            // Backtracking keeps every method out of non-finite regions; Newton also needs descent.
            var trial = u + step
            var tv = f.value(toX(trial))
            var halvings = 0
            let needsDescent = s.method == .newton
            while halvings < 40 && (!tv.isFinite || (needsDescent && tv > value + 1e-4 * (g * step).sum() * Foundation.pow(0.5, Double(halvings)))) {
                step *= 0.5
                trial = u + step
                tv = f.value(toX(trial))
                halvings += 1
            }
            if !tv.isFinite { reason = .failed; iteration -= 1; break }
            let change = abs(value - tv)
            u = trial
            value = tv
            if s.method == .newton {
                let r = f.valueGradientHessian(toX(u))
                g = gradU(r.gradient)
                hessianAtU = r.hessian
            } else {
                g = gradU(f.valueAndGradient(toX(u)).gradient)
                hessianAtU = nil
            }
            history.append(value)
            if iteration % Swift.max(1, s.reportEvery) == 0 {
                observer?.observe(.iterated(snapshot(iteration, toX(u), value, Self.norm(g))))
            }
            if Self.norm(g) < s.gradientTolerance { reason = .gradient; break }
            if Self.norm(step) < s.stepTolerance { reason = .step; break }
            smallChanges = change < s.lossTolerance ? smallChanges + 1 : 0
            if smallChanges >= 2 { reason = .lossChange; break }
        }
        let x = toX(u)
        let final: (value: Double, gradient: SIMD3<Double>, hessian: [Double])
        if let h = hessianAtU { final = (value, Self.mulTInverse(m, g), h) } else { final = f.valueGradientHessian(x) }
        let outcome = OptimizationOutcome(x: x, loss: final.value, initialLoss: v0, iterations: iteration, reason: reason,
                                          hessian: final.hessian, covariance: Matrix3.inverseSPD(final.hessian), lossHistory: history)
        observer?.observe(.finished(snapshot(iteration, x, final.value, Self.norm(gradU(final.gradient))), reason))
        return outcome
    }

    // MARK: small linear algebra

    static func norm(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }

    /// M·u for row-major M.
    static func mul(_ m: [Double], _ u: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(m[0] * u[0] + m[1] * u[1] + m[2] * u[2], m[3] * u[0] + m[4] * u[1] + m[5] * u[2], m[6] * u[0] + m[7] * u[1] + m[8] * u[2])
    }
    /// Mᵀ·g.
    static func mulT(_ m: [Double], _ g: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(m[0] * g[0] + m[3] * g[1] + m[6] * g[2], m[1] * g[0] + m[4] * g[1] + m[7] * g[2], m[2] * g[0] + m[5] * g[1] + m[8] * g[2])
    }
    /// The x-gradient from a u-gradient: solves Mᵀ·gx = gu (M is triangular up to transposition, and
    /// invertible by construction); used only to report the final gradient norm.
    static func mulTInverse(_ m: [Double], _ gu: SIMD3<Double>) -> SIMD3<Double> {
        // Invert Mᵀ by Cramer's rule (3×3).
        let a = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]
        let det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) + a[2] * (a[3] * a[7] - a[4] * a[6])
        guard det != 0 else { return gu }
        func col(_ j: Int) -> [Double] { var c = a; for i in 0..<3 { c[3 * i + j] = gu[i] }; return c }
        func d(_ c: [Double]) -> Double { c[0] * (c[4] * c[8] - c[5] * c[7]) - c[1] * (c[3] * c[8] - c[5] * c[6]) + c[2] * (c[3] * c[7] - c[4] * c[6]) }
        return SIMD3(d(col(0)) / det, d(col(1)) / det, d(col(2)) / det)
    }

    /// Mᵀ·H·M.
    static func congruence(_ m: [Double], _ h: [Double]) -> [Double] {
        let mt = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]
        return Matrix3.sandwich(mt, h)
    }

    /// M = L⁻ᵀ for H = LLᵀ (so MᵀHM = I); the diagonal version or identity when H is not positive definite.
    static func whitening(_ h: [Double]) -> [Double] {
        if let l = Matrix3.cholesky(h) {
            // Invert the lower-triangular L, then transpose.
            var li = [Double](repeating: 0, count: 9)
            for i in 0..<3 {
                li[3 * i + i] = 1 / l[3 * i + i]
                for j in 0..<i {
                    var s = 0.0
                    for k in j..<i { s -= l[3 * i + k] * li[3 * k + j] }
                    li[3 * i + j] = s / l[3 * i + i]
                }
            }
            return [li[0], li[3], li[6], li[1], li[4], li[7], li[2], li[5], li[8]]
        }
        var m = [Double](repeating: 0, count: 9)
        for i in 0..<3 { let d = h[4 * i]; m[4 * i] = d > 0 && d.isFinite ? 1 / d.squareRoot() : 1 }
        return m
    }

    /// Solves (H + λI)·s = g with the smallest λ ≥ 0 (tried in decades) that makes it positive definite.
    static func dampedSolve(_ h: [Double], _ g: SIMD3<Double>) -> SIMD3<Double> {
        var lambda = 0.0
        for _ in 0..<30 {
            var hd = h
            for i in 0..<3 { hd[4 * i] += lambda }
            if let s = Matrix3.solveSPD(hd, g) { return s }
            lambda = lambda == 0 ? 1e-6 : lambda * 10
        }
        return g
    }
}
