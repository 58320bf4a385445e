import Foundation
import SDDCore

/// How the energy scale of one cell depends on ADC and on the coefficients at a time:
///
///     E(x) = o + exp(g) · (B(x) + q·w(x)),   w(x) = (x − x_ref)(x − x_low) / ((x_high − x_ref)(x_high − x_low))
///
/// B is the cell's base quadratic (from the standard calibration), o an energy offset (eV), g the
/// log of a relative gain and q a curvature correction (eV at x_high, the highest line). w vanishes
/// at the two strong reference lines (x_ref: the strongest, Mn Kα; x_low: the strongest line of
/// another element, Ti Kα), so q moves the highest line against the straight line through them and
/// leaves their positions, which the knots follow, alone (without x_low, x_low = x_ref: w = ((x − x_ref)/(x_high − x_ref))²). o and g
/// vary in time (knots); q is constant per cell. Why this form: the drifts of an SDD chain are a
/// gain (amplifier, temperature) and a baseline shift; a gain multiplies energies about zero
/// energy and a baseline shift adds a nearly constant energy, so o and g walk independently (the
/// simulator's truth r(t)·E₀(x − δ(t)) is this form to first order in δ·p2). The curvature is a
/// property of the ADC's non-linearity: one per cell, pinned by the highest line (Cu) against the
/// strong lines. Any quadratic in x is reachable (the three functions 1, B, w are independent).
public struct SmoothCellModel: Sendable, Hashable, Codable {
    public var base: EnergyCalibration
    /// ADC where w = 0 (the strongest line) and where w = 1 (the highest line).
    public var referenceADC: Double
    public var highADC: Double
    /// The second zero of w (the strong line of another element); equal to `referenceADC` in models
    /// written before it existed.
    public var lowADC: Double

    public init(base: EnergyCalibration, referenceADC: Double, highADC: Double, lowADC: Double? = nil) {
        let low = lowADC ?? referenceADC
        precondition(highADC != referenceADC && highADC != low, "curvature scale needs the highest channel distinct from the others")
        self.base = base; self.referenceADC = referenceADC; self.highADC = highADC; self.lowADC = low
    }

    enum CodingKeys: String, CodingKey { case base, referenceADC, highADC, lowADC }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(base: try c.decode(EnergyCalibration.self, forKey: .base), referenceADC: try c.decode(Double.self, forKey: .referenceADC),
                  highADC: try c.decode(Double.self, forKey: .highADC), lowADC: try c.decodeIfPresent(Double.self, forKey: .lowADC))
    }

    /// 1/((x_high − x_ref)(x_high − x_low)): w's x² coefficient.
    @inlinable public var curvatureScale: Double { 1 / ((highADC - referenceADC) * (highADC - lowADC)) }

    /// The base's own curvature in the units of q (eV at the highest line): B's x² term is
    /// p2/scale·w plus a linear function, so the total curvature of B + q·w is q + p2/scale.
    @inlinable public var baseCurvature: Double { base.p2 / curvatureScale }

    /// B(x) + q·w(x) and its ADC derivative, and w and w′.
    @inlinable public func shape(_ x: Double, curvature q: Double) -> (u: Double, du: Double, w: Double, dw: Double) {
        let c = curvatureScale, d = x - referenceADC, e = x - lowADC
        let w = d * e * c, dw = (d + e) * c
        let b = base.p0 + x * (base.p1 + x * base.p2), db = base.p1 + 2 * base.p2 * x
        return (b + q * w, db + q * dw, w, dw)
    }

    /// The quadratic E = p0 + p1·x + p2·x² of coefficients (o, g, q), with the covariance of
    /// (p0, p1, p2) when the 3×3 covariance of (o, g, q) (row-major) is given.
    public func calibration(offset o: Double, logGain g: Double, curvature q: Double, covariance: [Double]? = nil) -> EnergyCalibration {
        let G = Foundation.exp(g), c = curvatureScale, xr = referenceADC, xl = lowADC
        // B + q·w expanded in powers of x: w = c·(x² − (x_ref + x_low)·x + x_ref·x_low).
        let a0 = base.p0 + q * c * xr * xl, a1 = base.p1 - q * c * (xr + xl), a2 = base.p2 + q * c
        var cov: [Double]? = nil
        if let s = covariance, s.count == 9 {
            // ∂(p0, p1, p2)/∂(o, g, q).
            let j = [1, G * a0, G * c * xr * xl,
                     0, G * a1, -G * c * (xr + xl),
                     0, G * a2, G * c]
            cov = Matrix3.sandwich(j, s)
        }
        return EnergyCalibration(p0: o + G * a0, p1: G * a1, p2: G * a2, covariance: cov)
    }

    /// (o, g) that make this model (with q = 0) closest to `c` at the channels `xs` (least squares of
    /// the energies): the starting coefficients from a per-batch calibration.
    public func coefficients(matching c: EnergyCalibration, at xs: [Double]) -> (offset: Double, logGain: Double)? {
        let b = xs.map { base.energy($0) }, e = xs.map { c.energy($0) }
        let n = Double(xs.count)
        let mb = b.reduce(0, +) / n, me = e.reduce(0, +) / n
        var sbb = 0.0, sbe = 0.0
        for i in xs.indices { sbb += (b[i] - mb) * (b[i] - mb); sbe += (b[i] - mb) * (e[i] - me) }
        guard sbb > 0 else { return nil }
        let gain = sbe / sbb
        guard gain > 0, gain.isFinite else { return nil }
        return (me - gain * mb, Foundation.log(gain))
    }
}
