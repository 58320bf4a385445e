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
    /// Relative rms of the gain within a batch about the batch's mean, estimated from the batches' own
    /// movement (``withinBatchDriftVariance(_:)``; 0 when not estimated), and the systematic error of
    /// the expected Cu Kα FWHM from that correction (half of the shift it causes: the factor between the
    /// step and the within-batch spread is that of a random walk, smaller for a smooth drift).
    public var withinBatchDrift: Double = 0
    public var expectedCuFWHMSystematic: Double = 0

    enum CodingKeys: String, CodingKey {
        case cell, enc, fano, points
        case withinBatchDrift = "within_batch_drift", expectedCuFWHMSystematic = "expected_cu_fwhm_sys_ev"
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
    ///
    /// A batch's line is also broadened by the drift of the gain within the batch (at 1 %/√day and 48 h
    /// batches by ~30 eV rms at Mn Kα, more than the ENC differences looked for). With the cell's
    /// `timeline` (a calibration continuous in time, file version 2) that broadening is measured
    /// directly: the variance over the batch of the timeline's energy at the line's ADC
    /// (``withinBatchVariance(of:adc:start:end:diffusion:)``) plus half the wiggles a walk would draw
    /// between the timeline's knots (Brownian bridges, with the diffusion of the timeline's own steps),
    /// subtracted from the line's width; the systematic error is the shift at Cu Kα that the timeline's
    /// own uncertainty (its posterior variance at the line) and half the bridges would cause either way. Without a timeline the variance is v·E² with v from
    /// ``withinBatchDriftVariance(_:)`` (a random walk's ratio); half of the shift it causes at Cu Kα
    /// is kept as the systematic error.
    public static func fit(cell: Int, batches: [CalibrationSet.Batch], profile: LineProfile, timeline: CalibrationTimeline? = nil,
                           pairEnergy w: Double = DetectorResponse().pairEnergy) -> CellResolution? {
        var pts: [(e: Double, v: Double, err: Double)] = []
        // With a timeline: per point the drift variance within its batch and that variance's uncertainty.
        var measured: [(v: Double, u: Double)] = []
        let diffusion = timeline.map(logGainDiffusion) ?? 0
        for b in batches {
            for l in b.lines {
                // Kβ widths are tied to Kα in the standard fits: only Kα lines carry their own width.
                guard let line = profile.line(l.line), line.kind == .kAlpha, let sAdc = l.sigmaADC, let n = l.counts, n > 0 else { continue }
                let s = sAdc * b.calibration.slope(l.centroidADC)
                let se = s / (2 * n).squareRoot()
                pts.append((l.energy, s * s, 2 * s * se))
                if let timeline {
                    let m = withinBatchVariance(of: timeline, adc: l.centroidADC, start: b.start, end: b.end, diffusion: diffusion)
                    // Half the bridges, ± half as uncertain: a walk has them all, a drift smoother than the
                    // knots none (at 1,000 events/cell/day, 1 %/√day: with all of them the limit came out
                    // 1.7 eV low for an hourly walk and 2.5 eV for a daily one; without, 2.8 eV high / 1.3 low).
                    measured.append((m.v + 0.5 * m.bridge, m.u + 0.5 * m.bridge))
                }
            }
        }
        guard let plain = fit(cell: cell, points: pts, pairEnergy: w) else { return nil }
        if timeline != nil {
            // A point whose width is mostly drift measures nothing about the noise: left out.
            let keep = pts.indices.filter { measured[$0].v <= 0.5 * pts[$0].v }
            func corrected(_ k: Double) -> CellResolution? {
                fit(cell: cell, points: keep.map { (pts[$0].e, pts[$0].v - measured[$0].v - k * measured[$0].u, pts[$0].err) }, pairEnergy: w)
            }
            guard var c = corrected(0), c.expectedCuFWHM > 0 else { return plain }
            let lo = corrected(-1)?.expectedCuFWHM ?? c.expectedCuFWHM, hi = corrected(1)?.expectedCuFWHM ?? c.expectedCuFWHM
            let meanV = keep.reduce(0) { $0 + measured[$1].v / (pts[$1].e * pts[$1].e) } / Double(Swift.max(keep.count, 1))
            c.withinBatchDrift = meanV.squareRoot()
            c.expectedCuFWHMSystematic = 0.5 * abs(lo - hi)
            return c
        }
        let drift = withinBatchDriftVariance(batches)
        // A correction that would remove more than half of a well-measured width's variance means the
        // batches jumped (a gain step, a misidentified line) rather than walked: the widths are kept as they
        // are. (Widths of a few dozen counts, e.g. Cu Kα at low rates, scatter by ±10 % and more: not judged.)
        let judged = pts.filter { 2 * $0.err <= 0.1 * $0.v }
        guard drift > 0, judged.allSatisfy({ drift * $0.e * $0.e <= 0.5 * $0.v }), var corrected = fit(cell: cell, points: pts.map { ($0.e, $0.v - drift * $0.e * $0.e, $0.err) }, pairEnergy: w),
              corrected.expectedCuFWHM > 0 else { return plain }
        corrected.withinBatchDrift = drift.squareRoot()
        corrected.expectedCuFWHMSystematic = 0.5 * abs(plain.expectedCuFWHM - corrected.expectedCuFWHM)
        return corrected
    }

    /// The variance (eV²) over [start, end] of the timeline's energy at `adc` about its mean (the
    /// broadening of a line at that ADC by the calibration's movement within the batch), the mean
    /// posterior variance of that energy (0 when the timeline has no covariance), and the mean variance
    /// of the Brownian bridges a random walk of relative gain with `diffusion` (per second) draws between
    /// the knots, which a timeline linear between knots cannot show (E²·D·Δ·w(1 − w) at weight w of an
    /// interval Δ; on average D·Δ/6); from 96 instants.
    public static func withinBatchVariance(of timeline: CalibrationTimeline, adc: Double, start: Double, end: Double,
                                           diffusion: Double = 0) -> (v: Double, u: Double, bridge: Double) {
        let n = 96
        var e = [Double](repeating: 0, count: n)
        var u = 0.0, bridge = 0.0
        let knots = timeline.knots
        for k in 0..<n {
            let t = start + (Double(k) + 0.5) / Double(n) * (end - start)
            let c = timeline.calibration(at: t)
            e[k] = c.energy(adc)
            if let s = c.energyError(adc) { u += s * s / Double(n) }
            // The knot interval holding t (none outside the knots: the timeline is constant there).
            var lo = 0, hi = knots.count - 1
            if diffusion > 0, hi > 0, t > knots[0], t < knots[hi] {
                while hi - lo > 1 { let mid = (lo + hi) / 2; if knots[mid] <= t { lo = mid } else { hi = mid } }
                let d = knots[hi] - knots[lo], w = (t - knots[lo]) / d
                bridge += e[k] * e[k] * diffusion * d * w * (1 - w) / Double(n)
            }
        }
        let m = e.reduce(0, +) / Double(n)
        let v = e.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n)
        return (v.isFinite ? v : 0, u.isFinite ? u : 0, bridge.isFinite ? bridge : 0)
    }

    /// The diffusion (per second) of a timeline's log-gain ln p1: the mean of its squared steps between
    /// knots over their spacing. A fitted timeline's knots are smoothed, so this errs low; for a drift
    /// smoother than a walk (a gain linear over a day) it is small, as the bridges then are. 0 with fewer
    /// than two knots.
    public static func logGainDiffusion(_ timeline: CalibrationTimeline) -> Double {
        let p1 = timeline.p1, t = timeline.knots
        guard p1.count >= 2 else { return 0 }
        var sum = 0.0
        for k in 0..<(p1.count - 1) { sum += pow(Foundation.log(p1[k + 1] / p1[k]), 2) / (t[k + 1] - t[k]) }
        let d = sum / Double(p1.count - 1)
        return d.isFinite ? d : 0
    }

    /// Relative variance of the gain within a batch about the batch mean, from the movement of the cell's
    /// strongest Kα line between consecutive batches: for a randomly walking gain (diffusion s² per unit
    /// time, batches of length T) the means of neighbouring batches differ by a variance s²·T·2/3, four
    /// times the within-batch variance s²·T/6 (steps beyond 25 times the median squared difference,
    /// jumps rather than a walk, left out). The centroids' statistical variance is subtracted; 0 when fewer than two consecutive
    /// batches carry the line.
    public static func withinBatchDriftVariance(_ batches: [CalibrationSet.Batch]) -> Double {
        var totals: [String: Double] = [:]
        for b in batches { for l in b.lines where l.line.hasSuffix("Ka") { totals[l.line, default: 0] += l.counts ?? 0 } }
        guard let id = totals.max(by: { $0.value < $1.value })?.key else { return 0 }
        let seq = batches.sorted { $0.start < $1.start }.compactMap { b -> (x: Double, err: Double, slope: Double, e: Double)? in
            guard let l = b.lines.first(where: { $0.line == id }), l.centroidError.isFinite, l.centroidError >= 0, l.energy > 0 else { return nil }
            return (l.centroidADC, l.centroidError, b.calibration.slope(l.centroidADC), l.energy)
        }
        guard seq.count >= 2 else { return 0 }
        // One gain step or mislabelled batch would dominate the mean of the squared steps.
        var d2: [Double] = []
        for k in 0..<(seq.count - 1) {
            let a = seq[k], b = seq[k + 1]
            let d = (b.x - a.x) * a.slope / a.e, e2 = (a.err * a.err + b.err * b.err) * a.slope * a.slope / (a.e * a.e)
            d2.append(d * d - e2)
        }
        d2.sort()
        let n = d2.count, median = n % 2 == 1 ? d2[n / 2] : 0.5 * (d2[n / 2 - 1] + d2[n / 2])
        // Steps beyond 25 times the median (a walk's χ²₁ gets there once in ~1,500) are jumps: left out.
        let kept = median > 0 ? d2.filter { $0 <= 25 * median } : d2
        let v = kept.reduce(0, +) / Double(kept.count) / 4
        return v.isFinite ? Swift.max(0, v) : 0
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
