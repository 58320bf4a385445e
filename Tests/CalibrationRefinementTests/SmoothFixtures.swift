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
