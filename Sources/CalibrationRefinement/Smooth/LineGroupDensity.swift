import Foundation
import SDDCore

/// The energy density of the events of one window of the spectrum (e.g. Mn Kα + Mn Kβ): a mixture
/// of the lines' shapes and a linear background, with relative weights.
///
/// Components, in order: each line of `lines` (unit area over all energies), then two background
/// ramps over `tableRange`, rising and falling (unit area there): any non-negative linear
/// background is a positive combination of the two, so weights stay positive (EM keeps them so).
/// The window's events are distributed as this density restricted to the window; the smooth
/// likelihood divides by its integral over the window at each event's time (``cdfTable``).
public struct LineGroupDensity: Sendable {
    public let lines: [SpectralLine]
    /// Nominal energy window (eV): under the starting calibration, each knot interval's ADC window
    /// is the channels that map into it.
    public let window: ClosedRange<Double>
    /// Range the tables cover: the window widened by the largest calibration change expected.
    public let tableRange: ClosedRange<Double>

    public init(lines: [SpectralLine], window: ClosedRange<Double>, tableMargin: Double = 400) {
        self.lines = lines
        self.window = window
        tableRange = (window.lowerBound - tableMargin)...(window.upperBound + tableMargin)
    }

    /// Number of mixture components (lines and the two background ramps).
    public var componentCount: Int { lines.count + 2 }

    /// Density and CDF of component `j` at energy `e` (the CDF from the table's lower end for the ramps).
    public func component(_ j: Int, shapes: [LineShape], at e: Double) -> (density: Double, cdf: Double) {
        if j < lines.count { return (shapes[j].density(e), shapes[j].cdf(e)) }
        let l = tableRange.upperBound - tableRange.lowerBound
        let v = min(1, max(0, (e - tableRange.lowerBound) / l))
        // Rising ramp 2v/L (CDF v²), falling ramp 2(1−v)/L (CDF 1 − (1−v)²).
        return j == lines.count ? (2 * v / l, v * v) : (2 * (1 - v) / l, 1 - (1 - v) * (1 - v))
    }

    /// CDF of component `j` at energy `e` (``component(_:shapes:at:)`` without the density, which
    /// costs as many transcendental calls).
    public func componentCDF(_ j: Int, shapes: [LineShape], at e: Double) -> Double {
        if j < lines.count { return shapes[j].cdf(e) }
        let l = tableRange.upperBound - tableRange.lowerBound
        let v = min(1, max(0, (e - tableRange.lowerBound) / l))
        return j == lines.count ? v * v : 1 - (1 - v) * (1 - v)
    }

    /// The line shapes for a detector response.
    public func shapes(_ response: DetectorResponse) -> [LineShape] {
        lines.map { DetectorLineShape.shape($0, response: response) }
    }

    /// Tables of log f and of F = ∫f (from the table's lower end) for weights `weights`
    /// (one per component) and the detector response, nodes every `step` eV.
    public func tables(response: DetectorResponse, weights: [Double], step: Double = 2) -> (logDensity: HermiteTable, cdf: HermiteTable) {
        precondition(weights.count == componentCount)
        let shapes = shapes(response)
        let lo = tableRange.lowerBound, hi = tableRange.upperBound
        let l = hi - lo
        let n = max(2, Int((l / step).rounded(.up)) + 1)
        let h = l / Double(n - 1)
        var logF = [Double](repeating: 0, count: n), dLogF = logF, cdf = logF, f = logF
        let nl = lines.count
        for i in 0..<n {
            let e = lo + Double(i) * h
            var dens = 0.0, slope = 0.0, c = 0.0
            for j in 0..<nl {
                let d = shapes[j].density(Dual3.variable(e, index: 0))
                dens += weights[j] * d.value
                slope += weights[j] * d.gradient[0]
                c += weights[j] * shapes[j].cdf(e)
            }
            let v = (e - lo) / l
            dens += (weights[nl] * 2 * v + weights[nl + 1] * 2 * (1 - v)) / l
            slope += (weights[nl] - weights[nl + 1]) * 2 / (l * l)
            c += weights[nl] * v * v + weights[nl + 1] * (1 - (1 - v) * (1 - v))
            // A floor keeps log f finite where a weight vanished (1e-300 relative: never reached in practice).
            let safe = max(dens, 1e-300)
            logF[i] = Foundation.log(safe)
            dLogF[i] = slope / safe
            cdf[i] = c
            f[i] = dens
        }
        return (HermiteTable(start: lo, step: h, value: logF, derivative: dLogF),
                HermiteTable(start: lo, step: h, value: cdf, derivative: f))
    }
}
