import SDDCore

extension BatchStatus {
    /// The status of a batch the refinement optimized: plain "optimized" when the optimizer converged,
    /// else with the rule that stopped it ("optimized (max-iterations)").
    public static func optimized(_ reason: StopReason) -> BatchStatus {
        .optimized(stop: reason.converged ? nil : reason.rawValue)
    }

}
