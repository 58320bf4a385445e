import Foundation
import SDDCore

/// A calibration point: a line's fitted centroid (ADC, with error) and its energy.
public struct CentroidPoint: Equatable, Sendable {
    public var lineID: String
    public var adc: Double
    public var adcError: Double
    public var energy: Double
    public init(lineID: String, adc: Double, adcError: Double, energy: Double) {
        self.lineID = lineID; self.adc = adc; self.adcError = adcError; self.energy = energy
    }
}

/// A calibration fitted to points, with each point's residual E(adc) − E_line in eV.
public struct CentroidCalibrationFit: Equatable, Sendable {
    public var calibration: EnergyCalibration
    public var residuals: [String: Double]
    public var chi2: Double
    public var ndf: Int
    public init(calibration: EnergyCalibration, residuals: [String: Double], chi2: Double, ndf: Int) {
        self.calibration = calibration; self.residuals = residuals; self.chi2 = chi2; self.ndf = ndf
    }
}

/// Weighted least squares of E = p0 + p1·ADC (+ p2·ADC² with four or more points) through line
/// centroids, the refit the seeds view runs after each nudge. Errors in ADC are carried into energy
/// with a nominal slope (3 eV/ADC) for the weights; 3×3 normal equations are solved by Cramer-free
/// Gaussian elimination with partial pivoting. Returns nil with fewer than two distinct points.
public func fitCalibration(_ points: [CentroidPoint]) -> CentroidCalibrationFit? {
    let pts = points.filter { $0.adc.isFinite && $0.energy.isFinite }
    guard Set(pts.map { $0.adc }).count >= 2 else { return nil }
    let nPar = pts.count >= 4 ? 3 : 2
    // Centre ADC for conditioning; coefficients are mapped back afterwards.
    let c = pts.map(\.adc).reduce(0, +) / Double(pts.count)
    var a = [[Double]](repeating: [Double](repeating: 0, count: nPar), count: nPar)
    var b = [Double](repeating: 0, count: nPar)
    for p in pts {
        let sigmaE = Swift.max(0.05, p.adcError) * 3.0
        let w = 1 / (sigmaE * sigmaE)
        let u = p.adc - c
        let g = nPar == 3 ? [1, u, u * u] : [1, u]
        for i in 0..<nPar {
            b[i] += w * g[i] * p.energy
            for j in 0..<nPar { a[i][j] += w * g[i] * g[j] }
        }
    }
    guard let q = solve(a, b) else { return nil }
    let q2 = nPar == 3 ? q[2] : 0
    // E = q0 + q1 (x − c) + q2 (x − c)² expanded in x.
    let cal = EnergyCalibration(p0: q[0] - q[1] * c + q2 * c * c, p1: q[1] - 2 * q2 * c, p2: q2)
    var res: [String: Double] = [:]
    var chi2 = 0.0
    for p in pts {
        let r = cal.energy(p.adc) - p.energy
        res[p.lineID] = r
        let sigmaE = Swift.max(0.05, p.adcError) * cal.slope(p.adc)
        chi2 += (r / sigmaE) * (r / sigmaE)
    }
    return CentroidCalibrationFit(calibration: cal, residuals: res, chi2: chi2, ndf: pts.count - nPar)
}

/// Solves a small dense system by Gaussian elimination with partial pivoting (nil if singular).
func solve(_ a0: [[Double]], _ b0: [Double]) -> [Double]? {
    var a = a0, b = b0
    let n = b.count
    for k in 0..<n {
        guard let p = (k..<n).max(by: { abs(a[$0][k]) < abs(a[$1][k]) }), abs(a[p][k]) > 1e-300 else { return nil }
        a.swapAt(k, p); b.swapAt(k, p)
        for i in (k + 1)..<n {
            let f = a[i][k] / a[k][k]
            for j in k..<n { a[i][j] -= f * a[k][j] }
            b[i] -= f * b[k]
        }
    }
    var x = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
        var s = b[i]
        for j in (i + 1)..<n { s -= a[i][j] * x[j] }
        x[i] = s / a[i][i]
    }
    return x
}
