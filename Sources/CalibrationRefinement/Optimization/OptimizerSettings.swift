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
