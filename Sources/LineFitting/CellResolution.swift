import Foundation
import SDDCore

/// A cell's resolution model FWHM(E) = 2.3548·sqrt((ENC·w)² + F·w·E) fitted to the widths of its lines,
/// and the intrinsic (hardware-limit) FWHM it implies at Cu Kα.
public struct CellResolution: Sendable, Equatable, Codable {
    public var cell: Int
    /// Equivalent noise charge (e⁻) and Fano factor with errors.
    public var enc: Double
    public var encError: Double
    public var fano: Double
    public var fanoError: Double
    /// Pair-creation energy used (eV), fixed.
    public var pairEnergy: Double
    /// Expected intrinsic FWHM at Cu Kα (eV) from ENC and F, with error.
    public var expectedCuFWHM: Double
    public var expectedCuFWHMError: Double
    /// Line widths used (one per line and batch) and the fit's χ²/ndf.
    public var points: Int
    public var chi2PerNDF: Double

    enum CodingKeys: String, CodingKey {
        case cell, enc, fano, points
        case encError = "enc_err", fanoError = "fano_err", pairEnergy = "pair_energy_ev"
        case expectedCuFWHM = "expected_cu_fwhm_ev", expectedCuFWHMError = "expected_cu_fwhm_err_ev"
        case chi2PerNDF = "chi2_ndf"
    }

    /// Fits σ²(E) = (ENC·w)² + F·w·E (linear in E) to the Gaussian widths of a cell's accepted lines over
    /// its batches, each σ converted from ADC to eV by the batch calibration's local slope. Widths within a
    /// batch are free of the between-batch drift that broadens a summed spectrum. Nil with fewer than two
    /// distinct line energies.
    public static func fit(cell: Int, batches: [BatchCalibration], profile: LineProfile,
                           pairEnergy w: Double = DetectorResponse().pairEnergy) -> CellResolution? {
        var pts: [(e: Double, v: Double, err: Double)] = []
        for b in batches where b.cell == cell {
            guard let cal = b.calibration else { continue }
            for p in b.points {
                guard let o = b.lineFits[p.line] else { continue }
                // Only lines that fitted their own width (σ of tied Kβ lines follows Kα).
                let name = "sigma_\(p.line)"
                guard o.fit.names.contains(name), o.model.lines.first?.name == p.line else { continue }
                let slope = cal.slope(p.adc)
                let s = o.result.sigma * slope, se = o.result.sigmaError * slope
                guard se > 0, s.isFinite else { continue }
                pts.append((p.energy, s * s, 2 * s * se))
            }
        }
        return fit(cell: cell, points: pts, pairEnergy: w)
    }

    /// The same fit from a calibration file's batches: each accepted Kα line's stored width σ_ADC × the
    /// local slope, with the error of a Gaussian width from N counts, σ/√(2N) (the file keeps no width errors).
    public static func fit(cell: Int, batches: [CalibrationSet.Batch], profile: LineProfile,
                           pairEnergy w: Double = DetectorResponse().pairEnergy) -> CellResolution? {
        var pts: [(e: Double, v: Double, err: Double)] = []
        for b in batches {
            for l in b.lines {
                // Kβ widths are tied to Kα in the standard fits: only Kα lines carry their own width.
                guard let line = profile.line(l.line), line.kind == .kAlpha, let sAdc = l.sigmaADC, let n = l.counts, n > 0 else { continue }
                let s = sAdc * b.calibration.slope(l.centroidADC)
                let se = s / (2 * n).squareRoot()
                pts.append((l.energy, s * s, 2 * s * se))
            }
        }
        return fit(cell: cell, points: pts, pairEnergy: w)
    }

    static func fit(cell: Int, points pts: [(e: Double, v: Double, err: Double)], pairEnergy w: Double) -> CellResolution? {
        guard Set(pts.map { ($0.e / 10).rounded() }).count >= 2 else { return nil }
        // Weighted linear regression v = a + b·E.
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, sy = 0.0, sxy = 0.0
        for p in pts {
            let wt = 1 / (p.err * p.err)
            s0 += wt; s1 += wt * p.e; s2 += wt * p.e * p.e; sy += wt * p.v; sxy += wt * p.e * p.v
        }
        let det = s0 * s2 - s1 * s1
        guard det > 0 else { return nil }
        let a = (s2 * sy - s1 * sxy) / det, b = (s0 * sxy - s1 * sy) / det
        let caa = s2 / det, cbb = s0 / det, cab = -s1 / det
        var chi2 = 0.0
        for p in pts { let r = (p.v - a - b * p.e) / p.err; chi2 += r * r }
        let ndf = pts.count - 2
        let enc = Swift.max(a, 0).squareRoot() / w
        let encErr = a > 0 ? caa.squareRoot() / (2 * a.squareRoot() * w) : .nan
        let eCu = SpectralLine(id: "CuKa")!.energy
        let v = a + b * eCu
        let vErr = Swift.max(0, caa + 2 * eCu * cab + eCu * eCu * cbb).squareRoot()
        let f = DetectorResponse.fwhmPerSigma * Swift.max(v, 0).squareRoot()
        let fErr = v > 0 ? DetectorResponse.fwhmPerSigma * vErr / (2 * v.squareRoot()) : .nan
        return CellResolution(cell: cell, enc: enc, encError: encErr, fano: b / w, fanoError: cbb.squareRoot() / w,
                              pairEnergy: w, expectedCuFWHM: f, expectedCuFWHMError: fErr, points: pts.count,
                              chi2PerNDF: ndf > 0 ? chi2 / Double(ndf) : .nan)
    }
}
