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

/// When to stop (argmin's termination check), asked before the first step and after every step:
/// a non-finite loss, then the gradient, step and loss-change tolerances, then the iteration limit.
/// A run that starts at the optimum therefore stops with 0 iterations.
struct Termination {
    let settings: OptimizerSettings

    func reason(for state: OptimizerState) -> StopReason? {
        if !state.value.isFinite { return .failed }
        if state.gradientNorm < settings.gradientTolerance { return .gradient }
        if let step = state.lastStep, Whitening.norm(step) < settings.stepTolerance { return .step }
        if state.smallLossChanges >= 2 { return .lossChange }
        if state.iteration >= settings.maxIterations { return .maxIterations }
        return nil
    }
}
