import Foundation

/// Cumulative distribution of the SDD line shape (Gaussian plus low-energy tail, `physics.md`,
/// `DetectorResponse.density`), so that synthetic spectra get exact bin integrals rather than
/// densities sampled at bin centres.
///
/// The tail T(x) with slope β is the density of μ + σZ − βσE (Z standard normal, E unit
/// exponential), whose CDF is Φ(d) + G(d) with d = (x − μ)/σ and
/// G(d) = exp(d/β + 1/(2β²)) · ½·erfc((d + 1/β)/√2). The mixture (1 − f_T)·Gauss + f_T·Tail has CDF
/// Φ(d) + f_T·G(d).
public enum LineShapeIntegral {
    /// CDF of the unit-area line shape at standardised distance d = (x − μ)/σ.
    @inlinable public static func cdf(_ d: Double, tailFraction fT: Double, tailSlope beta: Double) -> Double {
        let phi = 0.5 * erfc(-d / 2.0.squareRoot())
        guard fT > 0 else { return phi }
        return phi + fT * tailTerm(d, beta: beta)
    }

    /// G(d) = exp(a)·½·erfc(u), a = d/β + 1/(2β²), u = (d + 1/β)/√2, in a form that stays finite
    /// for large u (where exp(a) overflows and erfc(u) underflows): exp(a − u²)·erfcx(u)/2.
    @inlinable public static func tailTerm(_ d: Double, beta: Double) -> Double {
        let a = d / beta + 0.5 / (beta * beta)
        let u = (d + 1 / beta) / 2.0.squareRoot()
        if u > 5 { return 0.5 * exp(a - u * u) * scaledErfc(u) }
        return 0.5 * exp(a) * erfc(u)
    }

    /// erfcx(u) = exp(u²)·erfc(u) for u > 5, by its continued fraction (~1e-14 relative there).
    @inlinable public static func scaledErfc(_ u: Double) -> Double {
        var f = u
        for k in stride(from: 40, through: 1, by: -1) { f = u + (Double(k) / 2) / f }
        return 1 / (f * 1.7724538509055159)
    }

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
        var previous = cdf((firstEdge + Double(j0) * w - mu) / sigma, tailFraction: fT, tailSlope: beta)
        for j in j0..<j1 {
            let next = cdf((firstEdge + Double(j + 1) * w - mu) / sigma, tailFraction: fT, tailSlope: beta)
            bins[j] += weight * (next - previous)
            previous = next
        }
    }
}
