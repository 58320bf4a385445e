/// A model of the expected content of each bin of a histogram, with its Jacobian.
///
/// Models compute analytic derivatives, so a fit needs one model pass per iteration instead of one
/// per parameter (finite differences); the minimizer only checks them in tests.
public protocol BinnedModel: Sendable {
    /// Number of parameters θ.
    var parameterCount: Int { get }
    /// Number of bins.
    var binCount: Int { get }
    /// Expected counts μ_i(θ) into `values` (length binCount). When `jacobian` is non-nil it is filled
    /// column-major: jacobian[j·binCount + i] = ∂μ_i/∂θ_j (length binCount·parameterCount).
    func evaluate(_ theta: [Double], values: inout [Double], jacobian: UnsafeMutablePointer<Double>?)
}

extension BinnedModel {
    /// Expected counts per bin.
    public func expected(_ theta: [Double]) -> [Double] {
        var v = [Double](repeating: 0, count: binCount)
        evaluate(theta, values: &v, jacobian: nil)
        return v
    }

    /// Jacobian (column-major), for tests and diagnostics.
    public func jacobian(_ theta: [Double]) -> [Double] {
        var v = [Double](repeating: 0, count: binCount)
        var j = [Double](repeating: 0, count: binCount * parameterCount)
        j.withUnsafeMutableBufferPointer { evaluate(theta, values: &v, jacobian: $0.baseAddress) }
        return j
    }
}
