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
    /// `.optimized(stop:)` when fitted (stop nil when Newton converged), `.kept(reason:)` otherwise.
    public var status: BatchStatus

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

    /// The calibration file (version 2) of this result: every fitted cell carries its timeline
    /// (coefficients and covariances at the knots, neighbour covariances) and keeps `template`'s
    /// batches, each with the smooth calibration averaged over the batch (exact for the mean event,
    /// which arrives uniformly in time) for per-batch tools; lines and centroids are kept, residuals
    /// recomputed. Cells the smooth fit did not calibrate stay as in `template`.
    public func calibrationSet(like template: CalibrationSet, method: String = "smooth") -> CalibrationSet {
        var out = template
        for ci in out.cells.indices {
            guard let sc = cell(out.cells[ci].cell), sc.status.isOptimized else { continue }
            out.cells[ci].timeline = sc.timeline()
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
                // The mean of the instantaneous covariances bounds the covariance of the batch mean.
                b.calibration = EnergyCalibration(p0: s[0], p1: s[1], p2: s[2], covariance: sc.covariance == nil ? nil : cov)
                b.status = sc.status
                for li in b.lines.indices { b.lines[li].residual = b.calibration.energy(b.lines[li].centroidADC) - b.lines[li].energy }
                out.cells[ci].batches[bi] = b
            }
        }
        out.method = method
        out.source = source
        out.startMethod = template.chainStartMethod
        return out
    }
}

extension SmoothCellCalibration {
    /// This cell as an SDDCore ``CalibrationTimeline``: (p0, p1, p2) at every knot with their
    /// covariances, and the covariance of neighbouring knots. Between knots the timeline interpolates
    /// ln p1 linearly (as here: p1 = exp(g)·a1) and p0, p2 linearly (here exp(g) multiplies them too: the
    /// difference is second order in the change of g over one interval, < 10⁻³ eV).
    public func timeline() -> CalibrationTimeline? {
        let k = grid.count
        var p0: [Double] = [], p1: [Double] = [], p2: [Double] = []
        var jac: [[Double]] = []
        // B + q·w in powers of x (``SmoothCellModel/calibration(offset:logGain:curvature:covariance:)`` at o = 0, g = 0)
        // and w's own coefficients (its change with q).
        let a = model.calibration(offset: 0, logGain: 0, curvature: curvature)
        let w1 = model.calibration(offset: 0, logGain: 0, curvature: curvature + 1)
        let (dq0, dq1, dq2) = (w1.p0 - a.p0, w1.p1 - a.p1, w1.p2 - a.p2)
        for i in 0..<k {
            let G = Foundation.exp(logGain[i])
            p0.append(offset[i] + G * a.p0); p1.append(G * a.p1); p2.append(G * a.p2)
            // ∂(p0, p1, p2)/∂(o, g, q) at knot i.
            jac.append([1, G * a.p0, G * dq0, 0, G * a.p1, G * dq1, 0, G * a.p2, G * dq2])
        }
        var cov: [[Double]]? = nil, cross: [[Double]]? = nil
        if let s = covariance {
            cov = (0..<k).map { i in
                let d = s.diagonal[i], e = s.border[i]
                return Matrix3.sandwich(jac[i], [d[0], d[1], e[0], d[2], d[3], e[1], e[0], e[1], s.corner])
            }
            cross = (0..<(k - 1)).map { i in
                // Cov((o,g,q)_i, (o,g,q)_{i+1}), then J_i · X · J_{i+1}ᵀ.
                let u = s.upper[i], e0 = s.border[i], e1 = s.border[i + 1]
                let x = [u[0], u[1], e0[0], u[2], u[3], e0[1], e1[0], e1[1], s.corner]
                return Self.product(jac[i], x, jac[i + 1])
            }
        }
        return try? CalibrationTimeline(knots: (0..<k).map { grid.time($0) }, p0: p0, p1: p1, p2: p2,
                                        covariance: cov, intervalCovariance: cross)
    }

    /// A·X·Bᵀ for row-major 3×3 matrices.
    static func product(_ a: [Double], _ x: [Double], _ b: [Double]) -> [Double] {
        var ax = [Double](repeating: 0, count: 9), out = ax
        for i in 0..<3 { for j in 0..<3 { for l in 0..<3 { ax[3 * i + j] += a[3 * i + l] * x[3 * l + j] } } }
        for i in 0..<3 { for j in 0..<3 { for l in 0..<3 { out[3 * i + j] += ax[3 * i + l] * b[3 * j + l] } } }
        return out
    }
}
