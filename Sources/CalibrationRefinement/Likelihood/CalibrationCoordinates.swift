import SDDCore

/// The coordinates the optimizer works in: E = q0 + q1·t + q2·t² with t = (ADC − center)/span.
///
/// With `center` at the Cu Kα channel and `span` the distance from Cu Kα down to Ti Kα, every q is
/// in eV and a unit change of any q moves every calibrated line by at most 1 eV: the three
/// parameters are on one scale (p0, p1, p2 differ by 10⁷ in scale), so one learning rate and one
/// tolerance serve all of them. q0 is the energy at the Cu Kα channel.
public struct CalibrationCoordinates: Sendable, Hashable, Codable {
    /// ADC channel where t = 0.
    public var center: Double
    /// ADC distance that makes |t| = 1.
    public var span: Double

    public init(center: Double, span: Double) {
        precondition(span > 0 && span.isFinite && center.isFinite, "coordinates need a finite positive span")
        self.center = center
        self.span = span
    }

    /// t of an ADC value.
    @inlinable public func t(_ adc: Double) -> Double { (adc - center) / span }

    /// q = (E(center), span·E′(center), span²·p2) of a calibration.
    public func scaled(_ c: EnergyCalibration) -> SIMD3<Double> {
        SIMD3(c.energy(center), span * c.slope(center), span * span * c.p2)
    }

    /// Row-major 3×3 matrix A with (p0, p1, p2) = A·q.
    public var jacobian: [Double] {
        let h = span, xc = center
        return [1, -xc / h, xc * xc / (h * h),
                0, 1 / h, -2 * xc / (h * h),
                0, 0, 1 / (h * h)]
    }

    /// The calibration of q, with covariance A·Σq·Aᵀ when Σq (row-major 3×3) is given.
    public func calibration(_ q: SIMD3<Double>, covariance: [Double]? = nil) -> EnergyCalibration {
        let a = jacobian
        let p0 = a[0] * q[0] + a[1] * q[1] + a[2] * q[2]
        let p1 = a[4] * q[1] + a[5] * q[2]
        let p2 = a[8] * q[2]
        var cov: [Double]? = nil
        if let s = covariance, s.count == 9 { cov = Matrix3.sandwich(a, s) }
        return EnergyCalibration(p0: p0, p1: p1, p2: p2, covariance: cov)
    }
}

/// Small dense 3×3 helpers (row-major) for steps and covariances.
public enum Matrix3 {
    /// A·S·Aᵀ.
    public static func sandwich(_ a: [Double], _ s: [Double]) -> [Double] {
        var as_ = [Double](repeating: 0, count: 9), out = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { as_[3 * i + j] += a[3 * i + k] * s[3 * k + j] } } }
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { out[3 * i + j] += as_[3 * i + k] * a[3 * j + k] } } }
        return out
    }

    /// Cholesky factor L (lower, row-major) of a symmetric matrix, or nil if not positive definite.
    public static func cholesky(_ m: [Double]) -> [Double]? {
        var l = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0...i {
                var s = m[3 * i + j]
                for k in 0..<j { s -= l[3 * i + k] * l[3 * j + k] }
                if i == j {
                    guard s > 0, s.isFinite else { return nil }
                    l[3 * i + i] = s.squareRoot()
                } else {
                    l[3 * i + j] = s / l[3 * j + j]
                }
            }
        }
        return l
    }

    /// Solves M·x = b for symmetric positive definite M, or nil.
    public static func solveSPD(_ m: [Double], _ b: SIMD3<Double>) -> SIMD3<Double>? {
        guard let l = cholesky(m) else { return nil }
        var y = SIMD3<Double>.zero
        for i in 0..<3 {
            var s = b[i]
            for k in 0..<i { s -= l[3 * i + k] * y[k] }
            y[i] = s / l[3 * i + i]
        }
        var x = SIMD3<Double>.zero
        for i in stride(from: 2, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<3 { s -= l[3 * k + i] * x[k] }
            x[i] = s / l[3 * i + i]
        }
        return x
    }

    /// Inverse of a symmetric positive definite matrix, or nil.
    public static func inverseSPD(_ m: [Double]) -> [Double]? {
        var out = [Double](repeating: 0, count: 9)
        for j in 0..<3 {
            var e = SIMD3<Double>.zero
            e[j] = 1
            guard let x = solveSPD(m, e) else { return nil }
            for i in 0..<3 { out[3 * i + j] = x[i] }
        }
        return out
    }
}
