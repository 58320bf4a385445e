import Foundation
import SDDCore
@testable import Inspector

/// A small deterministic VIP-2-like dataset: events placed at the quantiles of each line's
/// Gaussian (no random numbers), per-cell calibrations known exactly, 3 batches per cell.
enum Fixtures {
    /// The truth calibration of a cell: gain 2.95–3.25 eV/ADC, zero near ADC 600, and a gain step
    /// in the last batch of cell 5 (a "miscalibrated" cell when one calibration is used throughout).
    static func truth(cell: Int, batch: Int) -> EnergyCalibration {
        let gain = 2.95 + 0.3 * Double((cell * 7) % 11) / 10
        let drift = cell == 5 && batch == 2 ? 0.02 : 0.0
        return EnergyCalibration(p0: -gain * (600 + Double(cell % 5) * 8), p1: gain * (1 + drift), p2: 0)
    }

    static let day = 86400.0

    /// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
    static func probit(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549671010229528e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let pl = 0.02425
        if p < pl {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q+c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q+1)
        }
        if p > 1 - pl { return -probit(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r+a[5])*q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r+1)
    }

    /// Events of `cells` cells, 3 two-day batches each; per batch and line, counts ∝ typical yield.
    static func events(cells: Int = 32, perBatch: Int = 3000) -> EventTable {
        var t = EventTable()
        let profile = LineProfile.vip2
        let response = DetectorResponse()
        for c in 0..<cells {
            for b in 0..<3 {
                let cal = truth(cell: c, batch: b)
                var times: [Double] = []
                var adcs: [UInt16] = []
                for line in profile.lines {
                    let n = Int(Double(perBatch) * (profile.typicalYields[line.id] ?? 0) / 1.8) + (line.id == "CuKa" ? 60 : 0)
                    let sigmaADC = response.sigma(at: line.energy) / cal.p1
                    let mu = cal.adc(forEnergy: line.energy)!
                    for k in 0..<n {
                        let x = mu + sigmaADC * probit((Double(k) + 0.5) / Double(n))
                        adcs.append(UInt16(Swift.max(0, x.rounded())))
                    }
                }
                // A flat continuum over ADC 1000–4000.
                for k in 0..<(perBatch / 6) { adcs.append(UInt16(1000 + (k * 2999) % 3000)) }
                for k in adcs.indices { times.append(Double(b) * 2 * day + (Double(k) + 0.5) / Double(adcs.count) * 2 * day) }
                for k in adcs.indices { t.append(cell: UInt16(c), adc: adcs[k], time: times[k]) }
            }
        }
        return t
    }

    /// The standard calibration of the fixture: each batch's calibration is the truth except for
    /// cell 5, whose last batch keeps the first batch's calibration (the gain step is missed), and
    /// cell 9, whose Cu Kα fit failed in one batch.
    static func calibration(cells: Int = 32) -> CalibrationSet {
        var out: [CalibrationSet.Cell] = []
        for c in 0..<cells {
            var bs: [CalibrationSet.Batch] = []
            for b in 0..<3 {
                let cal = c == 5 && b == 2 ? truth(cell: c, batch: 0) : truth(cell: c, batch: b)
                let truthCal = truth(cell: c, batch: b)
                let lines = LineProfile.vip2.calibrationLines.map { l -> CalibrationSet.LineResult in
                    let adc = truthCal.adc(forEnergy: l.energy)!
                    return CalibrationSet.LineResult(line: l.id, centroidADC: adc, centroidError: 0.3, energy: l.energy,
                                                     residual: cal.energy(adc) - l.energy, sigmaADC: nil, counts: nil)
                }
                bs.append(CalibrationSet.Batch(index: b, start: Double(b) * 2 * day, end: Double(b + 1) * 2 * day, events: 3000,
                                               calibration: cal, status: c == 9 && b == 1 ? .failed(reason: "1 usable line(s); missing CuKa (fit stalled)", calibrationOf: 0) : .ok, lines: lines, missingLines: []))
            }
            out.append(CalibrationSet.Cell(cell: c, batches: bs))
        }
        return CalibrationSet(profile: "vip2", batch: "48h", method: "fixture", source: "fixture", cells: out)
    }

    /// A clock that advances 25 ms per reading: reproducible optimizer rates in snapshots.
    static func steppingClock() -> @Sendable () -> Double {
        final class Ticks: @unchecked Sendable { var t = 0.0; let lock = NSLock() }
        let c = Ticks()
        return { c.lock.lock(); defer { c.lock.unlock() }; c.t += 0.025; return c.t }
    }

    static func dataset(cells: Int = 32, perBatch: Int = 3000, calibrated: Bool = true) -> Dataset {
        var d = Dataset(name: "fixture.bin", events: events(cells: cells, perBatch: perBatch), profile: .vip2, batch: .duration(2 * day))
        if calibrated { d.calibration = calibration(cells: cells) }
        return d
    }

    /// Stand-ins for the real services: the "CNN" returns the truth centroids of batch 0, the
    /// "SciPy" finder the truth shifted by +3 ADC, the line fit the mean and RMS of the counts within
    /// ±4σ (Kβ: ±2σ, next to the stronger Kα) of the seed (iterated twice), the Cu Kα fit the same on the energy histogram.
    static func services(optimizerIterations: Int = 50) -> InspectorServices {
        @Sendable func moments(_ h: Histogram, around seed: Double, halfWidth: Double) -> PeakFitSummary? {
            var c = seed
            var m0 = 0.0, m1 = 0.0, m2 = 0.0
            for _ in 0..<3 {
                m0 = 0; m1 = 0; m2 = 0
                for i in h.counts.indices where abs(h.center(i) - c) <= halfWidth {
                    m0 += h.counts[i]; m1 += h.counts[i] * h.center(i); m2 += h.counts[i] * h.center(i) * h.center(i)
                }
                guard m0 > 10 else { return nil }
                c = m1 / m0
            }
            let sd = (Swift.max(0, m2 / m0 - c * c)).squareRoot()
            let xs = stride(from: c - halfWidth, through: c + halfWidth, by: h.binWidth).map { $0 }
            let ys = xs.map { m0 * DetectorResponse.gaussian($0, mu: c, sigma: Swift.max(1e-6, sd)) }
            return PeakFitSummary(position: c, positionError: sd / m0.squareRoot(), fwhm: sd * DetectorResponse.fwhmPerSigma,
                                  fwhmError: nil, chi2: Double(xs.count - 3), ndf: xs.count - 3, curveX: xs, curveY: ys)
        }
        return InspectorServices(
            scipyCentroids: { h, p in p.calibrationLines.map { CentroidMark(lineID: $0.id, adc: Fixtures.peakGuess(h, $0) + 3) } },
            cnnCentroids: { h, p in p.calibrationLines.map { CentroidMark(lineID: $0.id, adc: Fixtures.peakGuess(h, $0)) } },
            fitLine: { h, line, seed in moments(h, around: seed, halfWidth: (line.kind == .kAlpha ? 4 : 2) * DetectorResponse().sigma(at: line.energy) / 3.1) },
            fitCuKa: { h in moments(h, around: 8040, halfWidth: 330) },
            standardCalibration: { _, obs in
                for i in 1...4 { obs.progress(done: i, total: 4, unit: "cells") }
                return Fixtures.calibration()
            },
            optimize: { d, cal, listener in
                var out = cal
                for i in 1...optimizerIterations {
                    if listener.isCancelled { break }
                    listener.iteration(i, logLikelihood: 500 * (1 - exp(-Double(i) / 10)))
                }
                // The "optimized" calibration: the truth, batch by batch, marked and with its line residuals
                // redone as `CalibrationRefiner` does; a failed batch is kept as it was (no anchor lines).
                for ci in out.cells.indices {
                    for bi in out.cells[ci].batches.indices where out.cells[ci].batches[bi].status.isUsable {
                        var b = out.cells[ci].batches[bi]
                        b.calibration = Fixtures.truth(cell: out.cells[ci].cell, batch: b.index)
                        b.status = .optimized(stop: ci % 4 == 3 ? "max-iterations" : nil)
                        for li in b.lines.indices { b.lines[li].residual = b.calibration.energy(b.lines[li].centroidADC) - b.lines[li].energy }
                        out.cells[ci].batches[bi] = b
                    }
                }
                _ = d
                return out
            })
    }

    /// Centroid guesses the way a person would make them: Mn Kα is the highest peak, Ti Kα the
    /// highest below it; a line through those two predicts the other lines, each then placed at the
    /// highest bin within ±12 ADC of the prediction.
    static func peakGuess(_ h: Histogram, _ line: SpectralLine) -> Double {
        func argmax(_ lo: Double, _ hi: Double) -> Double {
            var best = 0, bestV = -1.0
            for i in h.counts.indices where h.center(i) >= lo && h.center(i) <= hi && h.counts[i] > bestV { best = i; bestV = h.counts[i] }
            return h.center(best)
        }
        let mn = argmax(1500, 4500)
        let ti = argmax(1500, mn - 150)
        let eMn = SpectralLine(id: "MnKa")!.energy, eTi = SpectralLine(id: "TiKa")!.energy
        let gain = (eMn - eTi) / (mn - ti)
        let predicted = mn + (line.energy - eMn) / gain
        return argmax(predicted - 12, predicted + 12)
    }
}
