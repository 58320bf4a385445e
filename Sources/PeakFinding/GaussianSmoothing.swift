import Foundation
import SDDCore

/// Gaussian smoothing of a spectrum before the peak search, with the conventions of
/// `scipy.ndimage.gaussian_filter1d` (normalised sampled Gaussian cut at `truncate`·σ, edges
/// extended by reflection: d c b a | a b c d | d c b a), so results can be checked against it.
public struct GaussianSmoothing: Sendable, Hashable, Codable {
    /// Standard deviation in samples (bins).
    public let sigma: Double
    /// Kernel half-width in units of σ.
    public let truncate: Double
    /// Normalised kernel weights for offsets −radius…radius.
    public let weights: [Double]

    public var radius: Int { weights.count / 2 }

    /// Σw²: the variance of a smoothed Poisson bin as a fraction of its mean, so a smoothed count y
    /// has noise √(Σw²·y) (the significance test of the peak search and of ``PeakWidthEstimate``).
    public var noiseVarianceFactor: Double { weights.reduce(0) { $0 + $1 * $1 } }

    /// - Throws: for σ outside (0, 10⁴] bins or truncate outside (0, 100].
    public init(sigma: Double, truncate: Double = 4) throws {
        // Bounded so the kernel stays a reasonable size (10⁴ bins is already far wider than any spectrum).
        guard sigma > 0, sigma <= 1e4 else {
            throw SDDError.invalidArgument("sigma", "must be a number > 0 and ≤ 10000 (in bins), was \(sigma)")
        }
        guard truncate > 0, truncate <= 100 else {
            throw SDDError.invalidArgument("truncate", "must be a number > 0 and ≤ 100 (in σ), was \(truncate)")
        }
        self.sigma = sigma
        self.truncate = truncate
        let r = Int(truncate * sigma + 0.5)
        var w = (-r...r).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let s = w.reduce(0, +)
        for i in w.indices { w[i] /= s }
        weights = w
    }

    /// The smoothed signal (same length). An empty signal stays empty.
    public func apply(_ x: [Double]) -> [Double] {
        let n = x.count
        guard n > 0 else { return [] }
        let r = radius
        var out = [Double](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xs in
            weights.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    // Interior: no reflection needed.
                    if n > 2 * r {
                        for i in r..<(n - r) {
                            var s = 0.0
                            for k in 0...(2 * r) { s += w[k] * xs[i - r + k] }
                            o[i] = s
                        }
                    }
                    for i in 0..<n where i < r || i >= n - r {
                        var s = 0.0
                        for k in 0...(2 * r) { s += w[k] * xs[Self.reflect(i - r + k, n)] }
                        o[i] = s
                    }
                }
            }
        }
        return out
    }

    /// Index into a signal of length n extended by half-sample reflection, repeated as needed.
    @inlinable static func reflect(_ i: Int, _ n: Int) -> Int {
        let period = 2 * n
        var m = i % period
        if m < 0 { m += period }
        return m < n ? m : period - 1 - m
    }
}
