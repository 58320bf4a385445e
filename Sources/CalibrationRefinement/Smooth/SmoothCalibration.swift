import Foundation
import SDDCore

/// The calibration of one cell as a smooth function of time: offset and log-gain at equally spaced
/// knots (linear in between), one curvature, and the posterior covariance that gives the error of
/// the calibration at any time. The result of ``SmoothCalibrationRefiner`` for one cell.
public struct SmoothCellCalibration: Sendable, Hashable, Codable {
    public var cell: Int
    public var model: SmoothCellModel
    public var grid: KnotGrid
    /// Offset o (eV) and log-gain g at each knot; curvature q (eV at the highest line).
    public var offset: [Double]
    public var logGain: [Double]
    public var curvature: Double
    /// Posterior covariance blocks (nil if the Hessian at the optimum was not positive definite).
    public var covariance: BorderedBlockTridiagonal.SelectedInverse?
    /// The fitted detector response (ENC, tail) of the cell.
    public var response: DetectorResponse
    /// "optimized", or why not ("kept: …", "optimized (max-iterations)").
    public var status: String

    /// Coefficients (o, g) at time t, q, and their 3×3 covariance (row-major, order o, g, q).
    public func coefficients(at t: Double) -> (offset: Double, logGain: Double, curvature: Double, covariance: [Double]?) {
        let (k, l) = grid.locate(t)
        let o = offset[k] + l * (offset[k + 1] - offset[k]), g = logGain[k] + l * (logGain[k + 1] - logGain[k])
        guard let c = covariance else { return (o, g, curvature, nil) }
        let a = 1 - l
        let u = c.upper[k]
        let s = (a * a) * c.diagonal[k] + (l * l) * c.diagonal[k + 1] + (a * l) * (u + Block2.transpose(u))
        let b = a * c.border[k] + l * c.border[k + 1]
        return (o, g, curvature, [s[0], s[1], b[0], s[2], s[3], b[1], b[0], b[1], c.corner])
    }

    /// The quadratic calibration valid at time t, with the covariance of (p0, p1, p2).
    public func calibration(at t: Double) -> EnergyCalibration {
        let c = coefficients(at: t)
        return model.calibration(offset: c.offset, logGain: c.logGain, curvature: c.curvature, covariance: c.covariance)
    }

    /// Energy (eV) of an ADC value at time t.
    public func energy(_ adc: Double, at t: Double) -> Double { calibration(at: t).energy(adc) }

    /// Standard error (eV) of that energy from the posterior covariance.
    public func energyError(_ adc: Double, at t: Double) -> Double? { calibration(at: t).energyError(adc) }
}

/// Smooth-in-time calibrations of every cell, with the prior strengths they were fitted with.
public struct SmoothCalibration: Sendable, Hashable, Codable {
    public var profile: String
    public var source: String
    public var prior: RandomWalkPrior
    public var cells: [SmoothCellCalibration]

    public init(profile: String, source: String, prior: RandomWalkPrior, cells: [SmoothCellCalibration]) {
        self.profile = profile; self.source = source; self.prior = prior; self.cells = cells.sorted { $0.cell < $1.cell }
    }

    /// The smooth calibration of cell c.
    public func cell(_ c: Int) -> SmoothCellCalibration? { cells.first { $0.cell == c } }

    /// The calibration of cell c at time t (nil if the cell is not calibrated).
    public func calibration(cell c: Int, time t: Double) -> EnergyCalibration? { cell(c)?.calibration(at: t) }

    /// A version-1 calibration file with the batches of `template`: each batch's coefficients are the
    /// smooth calibration averaged over the batch (exact for the mean event, which arrives uniformly
    /// in time); lines and centroids are kept, residuals recomputed. Cells the smooth fit did not
    /// calibrate keep the template's coefficients.
    public func batchAveraged(like template: CalibrationSet, method: String = "smooth") -> CalibrationSet {
        var out = template
        for ci in out.cells.indices {
            guard let sc = cell(out.cells[ci].cell), sc.status.hasPrefix("optimized") else { continue }
            for bi in out.cells[ci].batches.indices {
                var b = out.cells[ci].batches[bi]
                let n = 48
                var s = SIMD3<Double>.zero
                var cov = [Double](repeating: 0, count: 9)
                for k in 0..<n {
                    let c = sc.calibration(at: b.start + (Double(k) + 0.5) / Double(n) * (b.end - b.start))
                    s += SIMD3(c.p0, c.p1, c.p2)
                    if let v = c.covariance { for i in 0..<9 { cov[i] += v[i] / Double(n) } }
                }
                s /= Double(n)
                // The covariance of the batch mean is at most the mean covariance (kept as a conservative error).
                b.calibration = EnergyCalibration(p0: s[0], p1: s[1], p2: s[2], covariance: sc.covariance == nil ? nil : cov)
                b.status = sc.status
                for li in b.lines.indices { b.lines[li].residual = b.calibration.energy(b.lines[li].centroidADC) - b.lines[li].energy }
                out.cells[ci].batches[bi] = b
            }
        }
        out.method = method
        out.source = source
        return out
    }
}
