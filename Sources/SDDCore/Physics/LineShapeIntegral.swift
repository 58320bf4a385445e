import Foundation

/// Bin integrals of the SDD line shape (``SDDLineShape``: Gaussian plus low-energy tail), so that
/// synthetic spectra (CNN training spectra, ``LineSpectrumSimulator``) get exact bin integrals rather
/// than densities sampled at bin centres.
public enum LineShapeIntegral {
    /// Adds `weight` × the shape's integral over each bin [edge₀ + j·w, edge₀ + (j+1)·w) to `bins`,
    /// visiting only bins where the shape has mass: d from −(6 + 10β) (where the tail has fallen
    /// below ~1e-5 of the line's area) to +6.
    public static func accumulate(into bins: UnsafeMutablePointer<Double>, count: Int, firstEdge: Double,
                                  binWidth w: Double, mu: Double, sigma: Double, tailFraction fT: Double,
                                  tailSlope beta: Double, weight: Double) {
        let lo = mu - (6 + (fT > 0 ? 10 * beta : 0)) * sigma, hi = mu + 6 * sigma
        var j0 = Int(((lo - firstEdge) / w).rounded(.down)), j1 = Int(((hi - firstEdge) / w).rounded(.up))
        j0 = Swift.max(0, j0); j1 = Swift.min(count, j1)
        guard j0 < j1 else { return }
        var previous = SDDLineShape.cdf((firstEdge + Double(j0) * w - mu) / sigma, tailFraction: fT, tailSlope: beta)
        for j in j0..<j1 {
            let next = SDDLineShape.cdf((firstEdge + Double(j + 1) * w - mu) / sigma, tailFraction: fT, tailSlope: beta)
            bins[j] += weight * (next - previous)
            previous = next
        }
    }
}
