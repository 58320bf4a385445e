import SDDCore

/// The measured properties of one fitted line (a Kα doublet or a single line) with tail and background,
/// in the x unit of the histogram it was fitted on (eV for calibrated spectra, ADC for raw ones).
///
/// Definitions:
/// - `position`: the Kα1 component's position for a doublet (what the paper's table 1 quotes and compares
///   with the tabulated 8047.8 eV for Cu), the line position for a single line.
/// - `centroid`: the intensity-weighted mean of the components, which a calibration maps to
///   `SpectralLine.energy`; its error equals the position's (the splitting is fixed).
/// - `fwhm`: 2.3548·σ of the Gaussian core of each component — the detector's resolution at that line,
///   directly comparable with the intrinsic FWHM(E) = 2.3548·sqrt((ENC·w)² + F·w·E) of docs/physics.md §3.
/// - `profileFWHM`: the full width at half maximum of the whole fitted shape (doublet + tail, no
///   background), as one would read it off a plot; a few eV wider than `fwhm` for Cu Kα.
public struct LineFitResult: Sendable, Equatable, Codable {
    public var line: String
    /// "eV" or "ADC".
    public var unit: String
    public var position: Double
    public var positionError: Double
    public var centroid: Double
    public var centroidError: Double
    public var fwhm: Double
    public var fwhmError: Double
    public var profileFWHM: Double
    public var sigma: Double
    public var sigmaError: Double
    /// Net counts in the line and error.
    public var area: Double
    public var areaError: Double
    public var tailFraction: Double
    public var tailFractionError: Double
    public var tailSlope: Double
    public var tailSlopeError: Double
    /// Background per x unit at the window centre, and its slope.
    public var backgroundConstant: Double
    public var backgroundSlope: Double
    /// Baker–Cousins (or least-squares) χ² at the minimum, degrees of freedom and χ²/ndf.
    public var chi2: Double
    public var ndf: Int
    public var chi2PerNDF: Double
    public var status: FitStatus
    /// Fit window in x.
    public var windowLow: Double
    public var windowHigh: Double

    enum CodingKeys: String, CodingKey {
        case line, unit, status, ndf, chi2
        case position = "position", positionError = "position_err"
        case centroid, centroidError = "centroid_err"
        case fwhm, fwhmError = "fwhm_err", profileFWHM = "profile_fwhm"
        case sigma, sigmaError = "sigma_err", area, areaError = "area_err"
        case tailFraction = "tail_fraction", tailFractionError = "tail_fraction_err"
        case tailSlope = "tail_slope", tailSlopeError = "tail_slope_err"
        case backgroundConstant = "background_const", backgroundSlope = "background_slope"
        case chi2PerNDF = "chi2_ndf", windowLow = "window_low", windowHigh = "window_high"
    }
}

extension LineFitResult {
    /// Summarises line `k` of a fitted `LineShapeModel`.
    init(model: LineShapeModel, fit r: FitResult, lineIndex k: Int, unit: String) {
        let line = model.lines[k]
        let name = line.name
        let c = r.value("centroid_\(name)"), ce = r.error("centroid_\(name)")
        let s = r.value("sigma_\(name)"), se = r.error("sigma_\(name)")
        // Kα1 is the component with the largest weight (first for a tabulated doublet).
        let main = line.weights.indices.max { line.weights[$0] < line.weights[$1] } ?? 0
        let f = r.value("tail_fraction"), beta = r.value("tail_slope")
        self.init(line: name, unit: unit,
                  position: c + line.offsets[main], positionError: ce,
                  centroid: c, centroidError: ce,
                  fwhm: DetectorResponse.fwhmPerSigma * s, fwhmError: DetectorResponse.fwhmPerSigma * se,
                  profileFWHM: Self.profileWidth(line: line, sigma: s, fraction: model.hasTail ? f : 0, beta: beta),
                  sigma: s, sigmaError: se,
                  area: r.value("area_\(name)"), areaError: r.error("area_\(name)"),
                  tailFraction: f, tailFractionError: r.error("tail_fraction"),
                  tailSlope: beta, tailSlopeError: r.error("tail_slope"),
                  backgroundConstant: r.value("bg_const"), backgroundSlope: r.value("bg_slope"),
                  chi2: r.chi2, ndf: r.ndf, chi2PerNDF: r.chi2PerNDF, status: r.status,
                  windowLow: model.centers.first.map { $0 - 0.5 * model.binWidth } ?? 0,
                  windowHigh: model.centers.last.map { $0 + 0.5 * model.binWidth } ?? 0)
    }

    /// FWHM of the summed components (unit area, centroid 0), by a fine scan and linear interpolation.
    static func profileWidth(line: LineShapeModel.Line, sigma: Double, fraction: Double, beta: Double) -> Double {
        func shape(_ x: Double) -> Double {
            var v = 0.0
            for q in line.offsets.indices {
                v += line.weights[q] * LineComponent.value(x, mu: line.offsets[q], sigma: sigma, fraction: fraction, beta: beta)
            }
            return v
        }
        let lo = (line.offsets.min() ?? 0) - 4 * sigma, hi = (line.offsets.max() ?? 0) + 4 * sigma
        // Coarse scan for the maximum, then bisection for each half-maximum crossing.
        let n = 160
        let h = (hi - lo) / Double(n)
        var imax = 0, ymax = -Double.infinity
        for i in 0...n { let y = shape(lo + Double(i) * h); if y > ymax { ymax = y; imax = i } }
        var a = lo + Double(Swift.max(imax - 1, 0)) * h, b = lo + Double(Swift.min(imax + 1, n)) * h
        for _ in 0..<40 {   // golden-free ternary refinement of the maximum
            let m1 = a + (b - a) / 3, m2 = b - (b - a) / 3
            if shape(m1) < shape(m2) { a = m1 } else { b = m2 }
        }
        let xm = 0.5 * (a + b)
        let half = shape(xm) / 2
        func crossing(_ inside: Double, _ outside: Double) -> Double {
            var p = inside, q = outside
            for _ in 0..<50 { let m = 0.5 * (p + q); if shape(m) > half { p = m } else { q = m } }
            return 0.5 * (p + q)
        }
        return crossing(xm, hi) - crossing(xm, lo)
    }
}
