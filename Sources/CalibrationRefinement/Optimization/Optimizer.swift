import Foundation

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

/// Minimizes a ``ThreeParameterObjective`` with gradient descent, Adam or Newton, in argmin's shape:
/// the problem in whitened coordinates (``WhitenedProblem``), one step rule per method
/// (``StepRule``), and this executor's single loop: termination check (``Termination``), step,
/// backtracking, acceptance, observers.
public struct Optimizer: Sendable {
    public var settings: OptimizerSettings
    public init(_ settings: OptimizerSettings = .defaults(for: .newton)) { self.settings = settings }

    /// Runs from `start`. `snapshot` maps an iteration, a point, its loss and gradient norm to an
    /// observer snapshot (it knows the calibration coordinates); events go to `observer`; `cancel` is
    /// checked before every step. A start that already meets a stopping rule takes 0 steps.
    public func minimize<F: ThreeParameterObjective>(
        _ f: F, from start: SIMD3<Double>,
        observer: OptimizationObserver? = nil, cancel: CancellationFlag? = nil,
        snapshot: (Int, SIMD3<Double>, Double, Double) -> OptimizationSnapshot = { i, _, v, g in
            OptimizationSnapshot(id: OptimizationID(cell: 0, batch: 0), iteration: i, logLikelihood: -v, p0: .nan, p1: .nan, p2: .nan, gradientNorm: g)
        }
    ) -> OptimizationOutcome {
        let (problem, v0, g0, h0) = WhitenedProblem.at(start, of: f)
        var state = OptimizerState(value: v0, gradient: problem.gradientInU(g0), hessian: h0)
        var rule = settings.method.stepRule(settings)
        let termination = Termination(settings: settings)
        observer?.observe(.started(snapshot(0, start, state.value, state.gradientNorm)))

        var reason = termination.reason(for: state)
        while reason == nil {
            if cancel?.isCancelled == true { reason = .cancelled; break }
            state.iteration += 1
            let proposed = rule.step(from: state, in: problem)
            guard let (step, value) = backtrack(proposed, from: state, in: problem, descent: rule.needsDescent) else {
                state.iteration -= 1
                reason = .failed
                break
            }
            accept(step, value: value, into: &state, in: problem, withHessian: rule.usesHessian)
            if state.iteration % Swift.max(1, settings.reportEvery) == 0 {
                observer?.observe(.iterated(snapshot(state.iteration, problem.x(state.u), state.value, state.gradientNorm)))
            }
            reason = termination.reason(for: state)
        }

        let stop = reason ?? .failed
        let x = problem.x(state.u)
        let final: (value: Double, gradient: SIMD3<Double>, hessian: [Double])
        if let h = state.hessian { final = (state.value, problem.gradientInX(state.gradient), h) } else { final = f.valueGradientHessian(x) }
        let outcome = OptimizationOutcome(x: x, loss: final.value, initialLoss: v0, iterations: state.iteration, reason: stop,
                                          hessian: final.hessian, covariance: Matrix3.inverseSPD(final.hessian), lossHistory: state.history)
        observer?.observe(.finished(snapshot(state.iteration, x, final.value, Whitening.norm(problem.gradientInU(final.gradient))), stop))
        return outcome
    }

    /// Halves `step` until the loss there is finite and, when `descent` is asked, decreases enough
    /// (Armijo, c = 10⁻⁴); at most 40 halvings. Nil when no finite point was found.
    private func backtrack<F>(_ step: SIMD3<Double>, from state: OptimizerState, in problem: WhitenedProblem<F>,
                              descent: Bool) -> (step: SIMD3<Double>, value: Double)? {
        var step = step
        var value = problem.value(state.u + step)
        var halvings = 0
        // The sufficient decrease asked shrinks by 4 per halving (the slope along the shorter step, halved).
        while halvings < 40 && (!value.isFinite || (descent && value > state.value + 1e-4 * (state.gradient * step).sum() * Foundation.pow(0.5, Double(halvings)))) {
            step *= 0.5
            value = problem.value(state.u + step)
            halvings += 1
        }
        return value.isFinite ? (step, value) : nil
    }

    /// Moves to u + step and evaluates the gradient there (and the Hessian for Newton).
    private func accept<F>(_ step: SIMD3<Double>, value: Double, into state: inout OptimizerState,
                           in problem: WhitenedProblem<F>, withHessian: Bool) {
        let change = abs(state.value - value)
        state.u += step
        state.value = value
        if withHessian {
            let r = problem.objective.valueGradientHessian(problem.x(state.u))
            state.gradient = problem.gradientInU(r.gradient)
            state.hessian = r.hessian
        } else {
            state.gradient = problem.gradientInU(problem.objective.valueAndGradient(problem.x(state.u)).gradient)
            state.hessian = nil
        }
        state.lastStep = step
        state.smallLossChanges = change < settings.lossTolerance ? state.smallLossChanges + 1 : 0
        state.history.append(value)
    }
}
