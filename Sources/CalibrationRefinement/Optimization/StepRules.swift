import Foundation

/// One method's step (argmin's solver `next_iter` without the bookkeeping): proposes the step from
/// the current state; the executor (``Optimizer``) shortens it by backtracking, accepts it, and
/// evaluates the new point.
protocol StepRule {
    /// The step to try from `state` (whose `iteration` is the number of this step, from 1).
    mutating func step<F>(from state: OptimizerState, in problem: WhitenedProblem<F>) -> SIMD3<Double>
    /// Whether backtracking must reach a sufficient decrease (Armijo), not only a finite loss.
    var needsDescent: Bool { get }
    /// Whether each accepted point's Hessian is evaluated (with its gradient).
    var usesHessian: Bool { get }
}

extension OptimizerMethod {
    /// The method's step rule with the settings' rates.
    func stepRule(_ s: OptimizerSettings) -> any StepRule {
        switch self {
        case .gradientDescent: return GradientDescentStep(learningRate: s.learningRate)
        case .adam: return AdamStep(learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2)
        case .newton: return NewtonStep(learningRate: s.learningRate)
        }
    }
}

/// −rate·g.
struct GradientDescentStep: StepRule {
    let learningRate: Double
    var needsDescent: Bool { false }
    var usesHessian: Bool { false }

    func step<F>(from state: OptimizerState, in problem: WhitenedProblem<F>) -> SIMD3<Double> {
        -learningRate * state.gradient
    }
}

/// Adam (Kingma & Ba 2015): bias-corrected moment estimates, −rate·m̂/(√v̂ + ε).
struct AdamStep: StepRule {
    let learningRate: Double
    let beta1: Double
    let beta2: Double
    var firstMoment = SIMD3<Double>.zero
    var secondMoment = SIMD3<Double>.zero
    var needsDescent: Bool { false }
    var usesHessian: Bool { false }

    init(learningRate: Double, beta1: Double, beta2: Double) {
        (self.learningRate, self.beta1, self.beta2) = (learningRate, beta1, beta2)
    }

    mutating func step<F>(from state: OptimizerState, in problem: WhitenedProblem<F>) -> SIMD3<Double> {
        let g = state.gradient
        firstMoment = beta1 * firstMoment + (1 - beta1) * g
        secondMoment = beta2 * secondMoment + (1 - beta2) * g * g
        let mh = firstMoment / (1 - Foundation.pow(beta1, Double(state.iteration)))
        let vh = secondMoment / (1 - Foundation.pow(beta2, Double(state.iteration)))
        return -learningRate * mh / (vh.squareRoot() + 1e-12)
    }
}

/// Newton on the automatic Hessian in whitened coordinates, damped (H + λI) when not positive definite.
struct NewtonStep: StepRule {
    let learningRate: Double
    var needsDescent: Bool { true }
    var usesHessian: Bool { true }

    func step<F>(from state: OptimizerState, in problem: WhitenedProblem<F>) -> SIMD3<Double> {
        let hx = state.hessian ?? problem.objective.valueGradientHessian(problem.x(state.u)).hessian
        return -Whitening.dampedSolve(problem.hessianInU(hx), state.gradient) * learningRate
    }
}
