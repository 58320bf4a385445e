import CalibrationRefinement
import Foundation
import SDDCore

/// Suite "refine": loss + gradient over N events of the Cu Kα window (counting the events per
/// channel is part of every call, so the time per event is honest), the same without aggregation
/// for reference, and the full refinement of a simulated month (32 cells × 15 two-day batches).
/// scripts/bench_jax_likelihood.py runs this suite interleaved with JAX and prints ratios.
func refineBenchmarks() -> [Benchmark] {
    let truth = EnergyCalibration(p0: -1880, p1: 3.1, p2: 1.5e-6)
    let cu = SpectralLine(id: "CuKa")!
    let shape = LineShape(line: cu, sigma: DetectorResponse().sigma(at: cu.energy), tailFraction: 0.035, tailSlope: 1.4)
    let channels = Int(truth.adc(forEnergy: 7000)!.rounded(.up))...Int(truth.adc(forEnergy: 8500)!.rounded(.down))
    let xc = truth.adc(forEnergy: cu.energy)!, xTi = truth.adc(forEnergy: SpectralLine(id: "TiKa")!.energy)!
    let coords = CalibrationCoordinates(center: xc, span: xc - xTi)
    let anchors = ["TiKa", "TiKb", "MnKa", "MnKb"].map { id -> AnchorLine in
        let l = SpectralLine(id: id)!
        let x = truth.adc(forEnergy: l.energy)!
        return AnchorLine(line: id, t: coords.t(x), energy: l.energy, sigma: 0.15 * truth.slope(x))
    }
    let q = coords.scaled(truth) + SIMD3(2, -1, 0.5)
    let gen = SyntheticCuWindow(calibration: truth, shape: shape)
    var out: [Benchmark] = []
    // For scripts/compare: the loss and gradient of both kinds at q on the given events (raw float64
    // ADC values, SDDCAL_LOSS_EVENTS) written to SDDCAL_LOSS_RESULTS, to check against JAX's.
    let env = ProcessInfo.processInfo.environment
    if let events = env["SDDCAL_LOSS_EVENTS"], let results = env["SDDCAL_LOSS_RESULTS"] {
        let adc = readRawArray(events, of: Double.self).map { UInt16(clamping: Int($0.rounded())) }
        var answers: [String: Any] = [:]
        for (name, kind) in [("density", LossKind.windowDensity), ("paper", .paperEq3)] {
            let loss = BatchLoss(kind: kind, coordinates: coords, counts: ChannelCounts(adc: adc, channels: channels),
                                 shape: shape, signalFraction: 0.6, backgroundSlope: 0, anchors: anchors)
            let r = loss.valueAndGradient(q)
            answers[name] = ["value": r.value, "gradient": [r.gradient.x, r.gradient.y, r.gradient.z]]
        }
        writeAnswers(results, answers)
    }
    for exponent in [5, 6, 7] {
        let n = Int(Foundation.pow(10, Double(exponent)))
        let adc = gen.adcValues(lineEvents: n * 6 / 10, backgroundEvents: n - n * 6 / 10, seed: UInt64(exponent))
        let template = BatchLoss(kind: .windowDensity, coordinates: coords, counts: ChannelCounts(adc: adc, channels: channels),
                                 shape: shape, signalFraction: 0.6, backgroundSlope: 0, anchors: anchors)
        out.append(Benchmark(name: "loss+grad density 1e\(exponent) events", inner: exponent == 7 ? 2 : 10) {
            var l = template
            l.counts = ChannelCounts(adc: adc, channels: channels)
            return l.valueAndGradient(q).gradient[0]
        })
        var paper = template
        paper.kind = .paperEq3
        out.append(Benchmark(name: "loss+grad paper 1e\(exponent) events", inner: exponent == 7 ? 2 : 10) {
            var l = paper
            l.counts = ChannelCounts(adc: adc, channels: channels)
            return l.valueAndGradient(q).gradient[0]
        })
        if exponent == 5 {
            out.append(Benchmark(name: "loss+grad density evaluation only (counts given)", inner: 200) {
                template.valueAndGradient(q).gradient[0]
            })
            // Reference: the same likelihood summed event by event (one term per event, no counting).
            let perEvent = adc.filter { channels.contains(Int($0)) }.map(Double.init)
            var unaggregated = template
            unaggregated.counts = ChannelCounts(channels: channels, occupied: perEvent, counts: [Double](repeating: 1, count: perEvent.count))
            out.append(Benchmark(name: "loss+grad density 1e5 events, one term per event", inner: 2) {
                unaggregated.valueAndGradient(q).gradient[0]
            })
        }
    }
    // The full refinement of a simulated month: 32 cells × 15 two-day batches.
    let (events, standard) = simulatedMonth()
    let refiner = CalibrationRefiner()
    out.append(Benchmark(name: "optimize 32 cells x 15 batches (newton)", inner: 1) {
        (try? refiner.refine(events: events, calibration: standard))?.batches.count.doubleValue ?? .nan
    })
    // Where the Newton run's time goes: building the problems (sort check, tail fits, counts,
    // nuisance fits) and optimizing them.
    let prepared = (try? refiner.problems(events: events, calibration: standard)) ?? []
    out.append(Benchmark(name: "optimize set-up only (problems)", inner: 1) {
        Double((try? refiner.problems(events: events, calibration: standard))?.count ?? 0)
    })
    out.append(Benchmark(name: "optimize Newton runs only", inner: 1) {
        refiner.run(prepared, calibration: standard).batches.count.doubleValue
    })
    var adam = RefinementSettings()
    adam.optimizer = .defaults(for: .adam)
    let adamRefiner = CalibrationRefiner(settings: adam)
    out.append(Benchmark(name: "optimize 32 cells x 15 batches (adam)", inner: 1) {
        (try? adamRefiner.refine(events: events, calibration: standard))?.batches.count.doubleValue ?? .nan
    })
    return out
}

private extension Int { var doubleValue: Double { Double(self) } }

/// A drifting month from the simulator with a calibration like the standard one: per batch the
/// true mean calibration and Ti/Mn centroids drawn around the truth with their statistical errors.
/// `rate`: events per cell per day (nil: the simulator's default, ~10⁷ events in the month).
func simulatedMonth(rate: Double? = nil) -> (EventTable, CalibrationSet) {
    var config = SimulationConfig.vip2(cells: 32, days: 30, seed: 7)
    if let rate { config.eventsPerCellPerDay = rate }
    let (events, truth) = try! VIP2Simulator(config: config).run()
    let batched = BatchedEvents(events, spec: .duration(2 * 86400))
    var set = truth.calibrationSet(for: batched, source: "bench")
    var rng = SyntheticCuWindow.SplitMix(seed: 3)
    for ci in set.cells.indices {
        let tc = truth.cell(set.cells[ci].cell)!
        for bi in set.cells[ci].batches.indices {
            let c = set.cells[ci].batches[bi].calibration
            let days = (set.cells[ci].batches[bi].end - set.cells[ci].batches[bi].start) / 86400
            set.cells[ci].batches[bi].lines = ["TiKa", "TiKb", "MnKa", "MnKb"].map { id in
                let e = truth.lineEnergies[id]!, x = c.adc(forEnergy: e)!
                let s = tc.lineFWHM[id]! / DetectorResponse.fwhmPerSigma / c.slope(x)
                let err = s / (tc.ratePerDay[id]! * days).squareRoot()
                return CalibrationSet.LineResult(line: id, centroidADC: x + err * rng.gaussian(), centroidError: err, energy: e,
                                                 sigmaADC: s, counts: tc.ratePerDay[id]! * days)
            }
        }
    }
    return (batched.events, set)
}
