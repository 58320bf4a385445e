import Foundation
@testable import CalibrationRefinement
import SDDCore

/// Small simulated months with known truth for the smooth-refinement tests.
enum SmoothFixtures {
    struct Month {
        var events: EventTable
        var truth: SimulationTruth
        /// The per-batch starting calibration: the truth averaged over each batch, perturbed per batch
        /// like a standard fit would be (offset and gain errors of a few eV at Cu Kα). Its Ti and Mn Kα
        /// centroid errors are 0.1 ADC, or with `statisticalCentroidErrors` those of the batch's counts.
        var start: CalibrationSet
    }

    static func month(cells: Int = 1, days: Double = 4, seed: UInt64 = 1, rate: Double = 10_400,
                      gainWalk: Double = 1.5e-3, batchHours: Double = 48, startError: Double = 1,
                      cuToMnKalpha: Double = 0.012, statisticalCentroidErrors: Bool = false, walkStep: Double? = nil) -> Month {
        var cfg = SimulationConfig.vip2(cells: cells, days: days, seed: seed)
        cfg.walkStepSeconds = walkStep
        cfg.eventsPerCellPerDay = rate
        cfg.gainWalk = gainWalk
        cfg.cuToMnKalpha = cuToMnKalpha
        cfg.steps = 0
        let (events, truth) = try! VIP2Simulator(config: cfg).run()
        let batched = BatchedEvents(events, spec: .duration(batchHours * 3600))
        var set = truth.calibrationSet(for: batched, source: "test")
        var rng = SeededGenerator(seed: seed &+ 99)
        for ci in set.cells.indices {
            for bi in set.cells[ci].batches.indices {
                let c = set.cells[ci].batches[bi].calibration
                // Gain error ~startError·1e-3 and offset error ~startError·2 eV.
                let r = 1 + startError * 1e-3 * rng.normal(), d = startError * 2 * rng.normal()
                set.cells[ci].batches[bi].calibration = EnergyCalibration(p0: r * c.p0 + d, p1: r * c.p1, p2: r * c.p2)
                set.cells[ci].batches[bi].status = .ok
                let tc = truth.cell(set.cells[ci].cell)!
                let events = Double(set.cells[ci].batches[bi].events)
                set.cells[ci].batches[bi].lines = ["TiKa", "MnKa"].map { id in
                    let e = truth.lineEnergies[id]!, x = c.adc(forEnergy: e)!
                    let sigma = tc.lineFWHM[id]! / DetectorResponse.fwhmPerSigma / c.slope(x)
                    // σ/√N with N the line's share of the batch (yields of the vip2 profile), as a line fit gives.
                    let n = events * (LineProfile.vip2.typicalYields[id] ?? 0) / 1.82
                    let error = statisticalCentroidErrors ? sigma / max(1, n).squareRoot() : 0.1
                    return CalibrationSet.LineResult(line: id, centroidADC: x, centroidError: error, energy: e, sigmaADC: sigma)
                }
            }
        }
        set.method = "standard"
        return Month(events: batched.events, truth: truth, start: set)
    }

    /// Cell 0's likelihood on a 3-day month (4000 events a day) and a point x off its start for the
    /// kernel tests: curvature 5, gains changing between knots and, with `wideGainStep`, one gain step
    /// of 0.05 (exp instead of the polynomial).
    static func cellLikelihood(wideGainStep: Bool = false) -> (SmoothCellLikelihood, [Double]) {
        let month = SmoothFixtures.month(days: 3, rate: 4000)
        let r = SmoothCalibrationRefiner()
        let groups = r.groups(for: .vip2)
        let p = r.problem(cell: 0, adc: month.events.adc[...], time: month.events.time[...], initial: month.start.cells[0],
                          profile: .vip2, groups: groups)!
        var x = p.start
        x[2 * p.events.grid.count] = 5         // curvature away from 0
        for k in 0..<p.events.grid.count { x[2 * k + 1] += 1e-4 * Double(k % 3) }   // gain changes between knots
        if wideGainStep { x[3] += 0.05 }
        return (r.likelihood(p, at: p.start, response: p.response).0, x)
    }

    /// Loss, gradient and Hessian summed event by event from the public arrays: exp per event, the
    /// tables' own evaluate, every term added to the knots directly (what the kernels compute).
    static func reference(_ like: SmoothCellLikelihood, _ x: [Double], stride: Int)
        -> (value: Double, gradient: [Double], hessian: BorderedBlockTridiagonal) {
        let ev = like.events, nk = ev.grid.count, q = x[2 * nk]
        var total = 0.0
        var grad = [Double](repeating: 0, count: 2 * nk + 1)
        var h = BorderedBlockTridiagonal(knots: nk)
        for gi in ev.groups.indices {
            let iv = ev.interval[gi], lam = ev.lambda[gi], ch = ev.channel[gi]
            for i in Swift.stride(from: 0, to: iv.count, by: stride) {
                let k = Int(iv[i]), l = lam[i]
                let o = x[2 * k] + l * (x[2 * k + 2] - x[2 * k]), g = x[2 * k + 1] + l * (x[2 * k + 3] - x[2 * k + 1])
                let G = Foundation.exp(g)
                let s = like.model.shape(ch[i], curvature: q)
                let lo = like.model.shape(ev.edges[gi][k][0], curvature: q), hi = like.model.shape(ev.edges[gi][k][1], curvature: q)
                let cl = like.cdf[gi].evaluate(o + G * lo.u), chh = like.cdf[gi].evaluate(o + G * hi.u)
                let n = chh.value - cl.value
                let p = like.logDensity[gi].evaluate(o + G * s.u)
                total += -p.value - g - Foundation.log(s.du) + Foundation.log(n)
                // Derivatives in (o, g, q): E = o + G·(u + …), ∂E/∂o = 1, ∂E/∂g = G·u, ∂E/∂q = G·w.
                let e = SIMD3(1, G * s.u, G * s.w), eh = SIMD3(1, G * hi.u, G * hi.w), el = SIMD3(1, G * lo.u, G * lo.w)
                let r = s.dw / s.du
                // −φ(E): gradient −φ′·∂E, Hessian −φ″·∂E∂Eᵀ − φ′·∂²E (∂²E: g-g G·u, g-q G·w).
                var a = -p.d1 * e - SIMD3(0, 1, r)
                var hm = [[Double]](repeating: [0, 0, 0], count: 3)
                for u in 0..<3 { for v in 0..<3 { hm[u][v] = -p.d2 * e[u] * e[v] } }
                hm[1][1] -= p.d1 * e[1]; hm[1][2] -= p.d1 * e[2]; hm[2][1] -= p.d1 * e[2]
                hm[2][2] += r * r
                // log N: gradient ∂N/N, Hessian ∂²N/N − (∂N/N)(∂N/N)ᵀ.
                let dn = (chh.d1 * eh - cl.d1 * el) / n
                a += dn
                for u in 0..<3 {
                    for v in 0..<3 { hm[u][v] += (chh.d2 * eh[u] * eh[v] - cl.d2 * el[u] * el[v]) / n - dn[u] * dn[v] }
                }
                hm[1][1] += (chh.d1 * eh[1] - cl.d1 * el[1]) / n
                hm[1][2] += (chh.d1 * eh[2] - cl.d1 * el[2]) / n; hm[2][1] += (chh.d1 * eh[2] - cl.d1 * el[2]) / n
                let w = [1 - l, l]
                for (m, wm) in w.enumerated() {
                    grad[2 * (k + m)] += wm * a[0]; grad[2 * (k + m) + 1] += wm * a[1]
                    h.border[k + m] += wm * SIMD2(hm[0][2], hm[1][2])
                    h.diagonal[k + m] += wm * wm * SIMD4(hm[0][0], hm[0][1], hm[1][0], hm[1][1])
                }
                h.upper[k] += w[0] * w[1] * SIMD4(hm[0][0], hm[0][1], hm[1][0], hm[1][1])
                grad[2 * nk] += a[2]
                h.corner += hm[2][2]
            }
        }
        return (total, grad, h)
    }

    /// Cu Kα energy error of `cal` vs truth at `times` per cell: E_fit(x_true(Cu Kα, t), t) − E(Cu Kα).
    static func cuErrors(_ cal: (Int, Double) -> EnergyCalibration?, truth: SimulationTruth, times: [Double]) -> [Double] {
        let e = truth.lineEnergies["CuKa"]!
        var out: [Double] = []
        for tc in truth.cells {
            for t in times {
                guard let x = tc.calibration(at: t).adc(forEnergy: e), let c = cal(tc.cell, t) else { continue }
                out.append(c.energy(x) - e)
            }
        }
        return out
    }

    static func rms(_ v: [Double]) -> Double { (v.map { $0 * $0 }.reduce(0, +) / Double(max(1, v.count))).squareRoot() }
}
