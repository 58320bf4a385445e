import Foundation
import LineFitting
import SDDCore

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
/// centroids, the refit the seeds view runs after each nudge: the standard calibration's own
/// polynomial fit (`CalibrationPolynomial`), so the inspector and `sddcal calibrate` agree.
/// Returns nil with fewer than two distinct points.
public func fitCalibration(_ points: [CalibrationPoint]) -> CentroidCalibrationFit? {
    let pts = points.filter { $0.adc.isFinite && $0.energy.isFinite }
        .map { CalibrationPoint(line: $0.line, adc: $0.adc, adcError: Swift.max(0.05, $0.adcError), energy: $0.energy) }
    guard Set(pts.map { $0.adc }).count >= 2, let fit = CalibrationPolynomial.fit(pts) else { return nil }
    var res: [String: Double] = [:]
    for (p, r) in zip(pts, fit.residuals) { res[p.line] = r }
    return CentroidCalibrationFit(calibration: fit.calibration, residuals: res, chi2: fit.chi2, ndf: fit.ndf)
}
