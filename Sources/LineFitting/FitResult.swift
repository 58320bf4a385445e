/// How a minimization ended. Always reported with the result, never hidden.
public enum FitStatus: String, Sendable, Codable, Equatable {
    /// The estimated distance to the minimum (EDM) fell below tolerance and the Hessian is positive definite.
    case converged
    /// Stopped at the iteration limit before the EDM tolerance was reached.
    case maxIterations = "max-iterations"
    /// No step lowered the statistic any more although the EDM is above tolerance.
    case stalled
    /// Converged, but the Hessian at the minimum is not positive definite; errors come from the
    /// Gauss–Newton (Fisher) approximation and should be treated with care.
    case hessianNotPositiveDefinite = "hessian-not-positive-definite"
    /// The model gave non-positive or non-finite expectations at the start point.
    case invalidModel = "invalid-model"

    /// True when the minimum and its errors can be used.
    public var isUsable: Bool { self == .converged }
}

/// The outcome of a binned fit: best values, errors, covariance and goodness of fit.
public struct FitResult: Sendable, Equatable {
    public var names: [String]
    public var values: [Double]
    /// Standard errors (√ of the covariance diagonal); 0 for fixed parameters and parameters at a bound.
    public var errors: [Double]
    /// Full covariance, row-major names.count², from the Hessian of the statistic at the minimum
    /// (cov = 2·H⁻¹, the Δχ² = 1 rule); tied parameters carry their source's (scaled) rows.
    public var covariance: [Double]
    /// Value of the fit statistic at the minimum (Baker–Cousins χ² or least-squares χ²).
    public var chi2: Double
    /// Bins minus free parameters.
    public var ndf: Int
    public var status: FitStatus
    /// Estimated distance to the minimum, ½·gᵀH⁻¹g.
    public var edm: Double
    public var iterations: Int
    /// Number of model evaluations (with or without Jacobian).
    public var evaluations: Int
    /// Free parameters that ended on one of their bounds.
    public var parametersAtLimit: [String]

    /// χ²/ndf (NaN when ndf ≤ 0).
    public var chi2PerNDF: Double { ndf > 0 ? chi2 / Double(ndf) : .nan }

    public func index(_ name: String) -> Int {
        guard let i = names.firstIndex(of: name) else { preconditionFailure("unknown fit parameter '\(name)'") }
        return i
    }
    public func value(_ name: String) -> Double { values[index(name)] }
    public func error(_ name: String) -> Double { errors[index(name)] }
    /// Covariance of two parameters by name.
    public func covariance(_ a: String, _ b: String) -> Double { covariance[index(a) * names.count + index(b)] }
}
