import Foundation

/// The Gaussian random-walk prior of the smooth calibration: between neighbouring knots the offset
/// and the log-gain change by N(0, s²·Δt) (Δt in days), independently; the first knot is free
/// (improper flat prior: the data fix the level, the prior only the roughness).
///
/// The curvature has a proper Gaussian prior. By default (no `curvatureMean`) the correction q is
/// N(0, σ_q²) about the starting calibration's curvature. Pooled over the cells
/// (``CurvaturePool``), the cell's total curvature Q = q + (its base's curvature, ``SmoothCellModel/baseCurvature``)
/// is N(μ, σ_q²) with μ and σ_q shared by the cells: the ADC non-linearity of one detector's
/// channels is similar, while a cell's own few Cu Kα events (the only line that measures it) would
/// otherwise fit their noise.
public struct RandomWalkPrior: Sendable, Hashable, Codable {
    /// Offset walk (eV per √day) and log-gain walk (per √day).
    public var offsetStrength: Double
    public var gainStrength: Double
    /// Prior σ of the curvature (eV at the highest line).
    public var curvatureSigma: Double
    /// Prior mean μ of the cells' total curvature (eV at the highest line); nil: q is centred on 0.
    public var curvatureMean: Double?

    public init(offsetStrength: Double, gainStrength: Double, curvatureSigma: Double, curvatureMean: Double? = nil) {
        self.offsetStrength = offsetStrength; self.gainStrength = gainStrength; self.curvatureSigma = curvatureSigma
        self.curvatureMean = curvatureMean
    }

    /// Precisions of one step of `days` days: diag(1/(s_o²Δt), 1/(s_g²Δt)).
    @inlinable public func stepPrecision(days: Double) -> SIMD2<Double> {
        SIMD2(1 / (offsetStrength * offsetStrength * days), 1 / (gainStrength * gainStrength * days))
    }

    /// The prior mean of the curvature correction q of a cell whose base has curvature `baseCurvature`.
    @inlinable public func curvatureCentre(baseCurvature: Double) -> Double {
        curvatureMean.map { $0 - baseCurvature } ?? 0
    }

    /// −log prior (up to constants) at x = (o_0, g_0, …, q) on `grid`, for a cell whose base has
    /// curvature `baseCurvature` (``SmoothCellModel/baseCurvature``).
    public func value(_ x: [Double], grid: KnotGrid, baseCurvature: Double = 0) -> Double {
        let p = stepPrecision(days: grid.spacing / 86400)
        var v = 0.0
        for k in 0..<(grid.count - 1) {
            let d = SIMD2(x[2 * k + 2] - x[2 * k], x[2 * k + 3] - x[2 * k + 1])
            v += 0.5 * (p * d * d).sum()
        }
        let q = x[2 * grid.count] - curvatureCentre(baseCurvature: baseCurvature)
        return v + 0.5 * q * q / (curvatureSigma * curvatureSigma)
    }

    /// Adds the prior's gradient at x and its (constant) Hessian.
    public func add(to gradient: inout [Double], hessian: inout BorderedBlockTridiagonal, at x: [Double], grid: KnotGrid,
                    baseCurvature: Double = 0) {
        let p = stepPrecision(days: grid.spacing / 86400)
        let block = SIMD4(p[0], 0, 0, p[1])
        for k in 0..<(grid.count - 1) {
            let d = p * SIMD2(x[2 * k + 2] - x[2 * k], x[2 * k + 3] - x[2 * k + 1])
            gradient[2 * k] -= d[0]; gradient[2 * k + 1] -= d[1]
            gradient[2 * k + 2] += d[0]; gradient[2 * k + 3] += d[1]
            hessian.diagonal[k] += block; hessian.diagonal[k + 1] += block; hessian.upper[k] -= block
        }
        let n = 2 * grid.count
        gradient[n] += (x[n] - curvatureCentre(baseCurvature: baseCurvature)) / (curvatureSigma * curvatureSigma)
        hessian.corner += 1 / (curvatureSigma * curvatureSigma)
    }

    /// ½·log pdet of the prior precision, up to a constant independent of the strengths: the walk's
    /// precision is a path-graph Laplacian with weights w = 1/(s²Δt) per step, whose non-zero
    /// eigenvalues multiply to K·Π w (matrix-tree theorem); the flat first knot contributes nothing.
    public func halfLogPseudoDeterminant(grid: KnotGrid) -> Double {
        let p = stepPrecision(days: grid.spacing / 86400)
        return 0.5 * Double(grid.count - 1) * (Foundation.log(p[0]) + Foundation.log(p[1]))
            - Foundation.log(curvatureSigma)
    }
}
