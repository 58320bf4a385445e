import Foundation
import SDDCore

/// One calibration point: a fitted centroid (ADC) with its error and the tabulated energy it maps to.
public struct CalibrationPoint: Sendable, Equatable {
    public var line: String
    public var adc: Double
    public var adcError: Double
    public var energy: Double
    public init(line: String, adc: Double, adcError: Double, energy: Double) {
        self.line = line; self.adc = adc; self.adcError = adcError; self.energy = energy
    }
}

/// The weighted fit of E = p0 + p1·ADC + p2·ADC² (eq. 1 of the paper) to calibration points.
public enum CalibrationPolynomial {
    public struct Fit: Sendable, Equatable {
        public var calibration: EnergyCalibration
        /// Calibrated centroid minus tabulated energy (eV), per point.
        public var residuals: [Double]
        public var chi2: Double
        public var ndf: Int
    }

    /// Weighted least squares with the centroid errors carried to energy by the local slope (effective
    /// variance, two passes). Degree 2 needs ≥ `quadraticMinimum` points, degree 1 needs 2; otherwise nil.
    /// Solved in a centred, scaled variable so ADC² ~ 10⁷ does not spoil the normal equations.
    public static func fit(_ points: [CalibrationPoint], maxDegree: Int = 2, quadraticMinimum: Int = 4) -> Fit? {
        guard points.count >= 2 else { return nil }
        let degree = (maxDegree >= 2 && points.count >= quadraticMinimum) ? 2 : 1
        let m = degree + 1
        let x0 = points.reduce(0) { $0 + $1.adc } / Double(points.count)
        let sc = 1000.0
        var slope = (points.map(\.energy).max()! - points.map(\.energy).min()!) /
            Swift.max(1e-9, points.map(\.adc).max()! - points.map(\.adc).min()!)
        var q = [Double](repeating: 0, count: m)
        var cq = [Double](repeating: 0, count: m * m)
        for _ in 0..<2 {
            var a = [Double](repeating: 0, count: m * m), rhs = [Double](repeating: 0, count: m)
            for p in points {
                let u = (p.adc - x0) / sc
                let basis = (0..<m).map { pow(u, Double($0)) }
                let localSlope = degree == 2 && q.count == 3 && q[1] != 0 ? (q[1] + 2 * q[2] * u) / sc : slope
                let se = Swift.max(abs(localSlope) * p.adcError, 1e-6)
                let w = 1 / (se * se)
                for i in 0..<m {
                    rhs[i] += w * basis[i] * p.energy
                    for j in 0..<m { a[i * m + j] += w * basis[i] * basis[j] }
                }
            }
            guard let l = SymmetricSolve.cholesky(a, m) else { return nil }
            q = SymmetricSolve.solve(cholesky: l, m, rhs)
            cq = SymmetricSolve.inverse(cholesky: l, m)
            slope = q[1] / sc
        }
        // p(x) = Σ q_k ((x − x0)/sc)^k  →  p0 + p1·x + p2·x²  via the linear map T (p = T·q).
        var t = [Double](repeating: 0, count: 3 * m)
        t[0 * m + 0] = 1
        t[0 * m + 1] = -x0 / sc; t[1 * m + 1] = 1 / sc
        if m == 3 { t[0 * m + 2] = x0 * x0 / (sc * sc); t[1 * m + 2] = -2 * x0 / (sc * sc); t[2 * m + 2] = 1 / (sc * sc) }
        var p = [Double](repeating: 0, count: 3)
        for i in 0..<3 { for k in 0..<m { p[i] += t[i * m + k] * q[k] } }
        var cov = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 {
            var s = 0.0
            for k in 0..<m { for l in 0..<m { s += t[i * m + k] * cq[k * m + l] * t[j * m + l] } }
            cov[i * 3 + j] = s
        } }
        let cal = EnergyCalibration(p0: p[0], p1: p[1], p2: p[2], covariance: cov)
        var chi2 = 0.0
        let residuals = points.map { pt -> Double in
            let r = cal.energy(pt.adc) - pt.energy
            let se = Swift.max(abs(cal.slope(pt.adc)) * pt.adcError, 1e-6)
            chi2 += r * r / (se * se)
            return r
        }
        return Fit(calibration: cal, residuals: residuals, chi2: chi2, ndf: points.count - m)
    }
}
