import Foundation

/// Simulates VIP-2-like SDD events: Ti/Mn fluorescence (Fe-55), weak Cu lines from the target, a
/// continuum and Si escape peaks, seen through each cell's resolution, tail and a calibration that
/// drifts in time (random walk plus planted steps). Deterministic for a seed, whatever the threads.
public struct VIP2Simulator: Sendable {
    public let config: SimulationConfig
    public let profile: LineProfile
    /// The longest run simulated: a century of daily knots.
    public static let maxDays = 36_525.0

    public init(config: SimulationConfig) throws {
        guard let p = LineProfile.named(config.profileName) else {
            throw SDDError.invalidArgument("--profile", "unknown line profile \(InputQuote.quoted(Array(config.profileName.utf8)))")
        }
        guard config.cells >= 1, config.cells <= Int(UInt16.max) else {
            throw SDDError.invalidArgument("--cells", "must be between 1 and \(UInt16.max)")
        }
        guard config.days > 0, config.days.isFinite else { throw SDDError.invalidArgument("--days", "must be positive") }
        guard config.eventsPerCellPerDay > 0, config.eventsPerCellPerDay.isFinite else {
            throw SDDError.invalidArgument("--rate", "must be a finite number > 0")
        }
        // Daily knots and the event columns grow with the duration: bound both before allocating.
        guard config.days <= VIP2Simulator.maxDays else {
            throw SDDError.invalidArgument("--days", "\(config.days) is more than \(Int(VIP2Simulator.maxDays)) days (a century)")
        }
        let expected = config.eventsPerCellPerDay * config.days * Double(config.cells)
        let limit = InputLimits.current.maxEvents
        guard expected <= Double(limit) else {
            throw SDDError.invalidArgument("--days", String(format: "%.3g expected events (--rate × --days × --cells) exceed the limit of %d events (SDDCAL_MAX_EVENTS)", expected, limit))
        }
        // At least a minute and at most the run's length; the knot count stays below ~10⁶ per cell.
        guard config.walkInterval.isFinite, config.walkInterval >= 60,
              config.days * 86400 / config.walkInterval <= 1_000_000 else {
            throw SDDError.invalidArgument("--walk-step", "must be at least 1 minute and give at most 10⁶ knots over the run")
        }
        self.config = config
        self.profile = p
    }

    /// One way an event can be produced: a line component, an escape peak or the continuum.
    private struct Source {
        enum Kind { case line, continuum }
        let kind: Kind
        let energy: Double
        /// Cumulative probability up to and including this source.
        var cumulative: Double
    }

    /// Generates the events (ordered by cell, then time) and the truth behind them.
    public func run(progress: ProgressObserver? = nil) -> (events: EventTable, truth: SimulationTruth) {
        let cfg = config
        let duration = cfg.days * 86400
        // Planted steps: cells and times drawn from the master stream, so they do not depend on threads.
        var master = SeededGenerator(seed: cfg.seed)
        var stepsByCell: [Int: [SimulationTruth.Step]] = [:]
        var stepCells = Array(0..<cfg.cells)
        for k in 0..<min(cfg.steps, cfg.cells) {
            let j = k + Int(master.uniform() * Double(stepCells.count - k))
            stepCells.swapAt(k, j)
            let size = master.uniform(cfg.stepSize.lowerBound, cfg.stepSize.upperBound) * (master.uniform() < 0.5 ? -1 : 1)
            let t = master.uniform(0.1, 0.9) * duration
            stepsByCell[stepCells[k], default: []].append(.init(time: t, gainFactor: 1 + size))
        }
        // Planted faults come from a stream of their own: without a plan nothing above or below changes.
        let plants = cfg.faults.map { $0.plant(cells: cfg.cells, days: cfg.days, seed: cfg.seed) } ?? []
        var faultsByCell: [Int: [PlantedFault]] = [:]
        for f in plants {
            faultsByCell[f.cell, default: []].append(f)
            if f.kind == .gainStep, let t = f.time, let g = f.size {
                stepsByCell[f.cell, default: []].append(.init(time: t, gainFactor: g))
                stepsByCell[f.cell]!.sort { $0.time < $1.time }
            }
        }

        // Each cell's hardware, drift, sources and number of event times first (cheap), so that the
        // events can be written straight into the final columns at each cell's offset: no per-cell
        // tables to allocate and concatenate (whose fresh pages, zeroed by the kernel, and copies
        // were a third of the run for 10⁷ events).
        var plans = [CellPlan?](repeating: nil, count: cfg.cells)
        plans.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: cfg.cells) { c in
                out[c] = planCell(c, duration: duration, steps: stepsByCell[c] ?? [], faults: faultsByCell[c] ?? [])
            }
        }
        var offsets = [0]
        for p in plans { offsets.append(offsets[offsets.count - 1] + p!.times) }
        let capacity = offsets[cfg.cells]
        var kept = [Int](repeating: 0, count: cfg.cells)
        let lock = NSLock()
        var doneEvents = 0
        let expectedTotal = Int(cfg.eventsPerCellPerDay * cfg.days) * cfg.cells
        var cellColumn: [UInt16] = [], adcColumn: [UInt16] = []
        let timeColumn = EventTable.column(Double.self, capacity: capacity) { timeOut in
            adcColumn = EventTable.column(UInt16.self, capacity: capacity) { adcOut in
                cellColumn = EventTable.column(UInt16.self, capacity: capacity) { cellOut in
                    // Cell c writes only [offsets[c], offsets[c + 1]) of each column (none when all are empty).
                    if capacity > 0 { kept.withUnsafeMutableBufferPointer { keptOut in
                        DispatchQueue.concurrentPerform(iterations: cfg.cells) { c in
                            let o = offsets[c]
                            let k = fillCell(plans[c]!, duration: duration, cell: cellOut.baseAddress! + o,
                                             adc: adcOut.baseAddress! + o, time: timeOut.baseAddress! + o)
                            keptOut[c] = k
                            lock.lock()
                            doneEvents += k
                            progress?.progress(done: doneEvents, total: max(expectedTotal, doneEvents), unit: "events")
                            lock.unlock()
                        }
                    } }
                    // Close the gaps left by rejected event times (rare: ADCs beyond saturation).
                    var end = 0
                    for c in 0..<cfg.cells {
                        if end != offsets[c] {
                            (cellOut.baseAddress! + end).update(from: cellOut.baseAddress! + offsets[c], count: kept[c])
                            (adcOut.baseAddress! + end).update(from: adcOut.baseAddress! + offsets[c], count: kept[c])
                            (timeOut.baseAddress! + end).update(from: timeOut.baseAddress! + offsets[c], count: kept[c])
                        }
                        end += kept[c]
                    }
                    return end
                }
                return cellColumn.count
            }
            return adcColumn.count
        }
        let all = EventTable(cell: cellColumn, adc: adcColumn, time: timeColumn)
        let cellTruth = (0..<cfg.cells).map { c in
            var t = plans[c]!.truth
            t.events = kept[c]
            return t
        }
        var energies: [String: Double] = [:]
        for l in profile.lines { energies[l.id] = l.energy }
        var truth = SimulationTruth(config: cfg, lineEnergies: energies, cells: cellTruth)
        if !plants.isEmpty { truth.faults = plants }
        return (all, truth)
    }

    /// What a cell's event loop needs, drawn before it: the cell's truth (events not yet counted), its
    /// generator where the event times begin, and the number of event times (an upper bound of its events).
    private struct CellPlan {
        var truth: SimulationTruth.Cell
        var rng: SeededGenerator
        var sources: [Source]
        var dropouts: [PlantedFault]
        /// Event times to draw (Poisson), or the dead cell's events when it is one.
        var times: Int
        var dead: EventTable?
    }

    private func planCell(_ c: Int, duration: Double, steps: [SimulationTruth.Step], faults: [PlantedFault]) -> CellPlan {
        let cfg = config
        var rng = SeededGenerator(seed: cfg.seed, stream: UInt64(c) + 1)
        func draw(_ r: ClosedRange<Double>) -> Double { rng.uniform(r.lowerBound, r.upperBound) }

        // Cell hardware and base calibration.
        var response = DetectorResponse(enc: draw(cfg.encRange), tailFraction: draw(cfg.tailFractionRange),
                                        tailSlope: draw(cfg.tailSlopeRange))
        if let noisy = faults.first(where: { $0.kind == .noisyCell }), let k = noisy.size { response.enc *= k }
        let gain = draw(cfg.gainRange), zero = draw(cfg.zeroADCRange), quad = draw(cfg.quadraticRange)
        let base = EnergyCalibration(p0: -gain * zero - quad * zero * zero, p1: gain, p2: quad)

        // Drift knots: random walk of log-gain and ADC offset every `walkInterval` (daily by default; the
        // daily case draws exactly as before, so old seeds reproduce), steps scaled to keep the drift per day.
        let interval = cfg.walkInterval
        let nKnots = Int((duration / interval).rounded(.up)) + 1
        let perKnot = (interval / 86400).squareRoot()
        var times: [Double] = [], w: [Double] = [], d: [Double] = []
        times.reserveCapacity(nKnots); w.reserveCapacity(nKnots); d.reserveCapacity(nKnots)
        var wv = 0.0, dv = 0.0
        for k in 0..<nKnots {
            times.append(Double(k) * interval)
            w.append(wv); d.append(dv)
            wv += cfg.gainWalk * perKnot * rng.normal()
            dv += cfg.offsetWalk * perKnot * rng.normal()
        }

        // Yields per line for this cell: Kβ/Kα below the Scofield value as seen in real spectra (docs/physics.md §1).
        var yields: [String: Double] = [:]
        for l in profile.lines {
            var y = profile.typicalYields[l.id] ?? 0
            if l.element == "Cu" { y *= cfg.cuToMnKalpha / 0.01 }
            y *= l.element == "Cu" ? draw(0.7...1.3) : draw(0.85...1.15)
            yields[l.id] = y
        }
        let lineSum = profile.lines.reduce(0) { $0 + yields[$1.id]! }  // fixed order: reproducible sums
        let escapeSum = cfg.escapePeaks ? 0.005 * lineSum : 0
        let contWeight = cfg.continuumFraction / (1 - cfg.continuumFraction) * (lineSum + escapeSum)
        let totalWeight = lineSum + escapeSum + contWeight

        var sources: [Source] = []
        var acc = 0.0
        for l in profile.lines {
            let y = yields[l.id]!
            let norm = l.components.reduce(0) { $0 + $1.relativeIntensity }
            for comp in l.components {
                acc += y * comp.relativeIntensity / norm / totalWeight
                sources.append(Source(kind: .line, energy: comp.energy, cumulative: acc))
                if cfg.escapePeaks && comp.energy > XRayLineTable.siliconEscapeEnergy + 500 {
                    acc += 0.005 * y * comp.relativeIntensity / norm / totalWeight
                    sources.append(Source(kind: .line, energy: comp.energy - XRayLineTable.siliconEscapeEnergy, cumulative: acc))
                }
            }
        }
        sources.append(Source(kind: .continuum, energy: 0, cumulative: 1))

        var rates: [String: Double] = [:]
        for (k, y) in yields { rates[k] = cfg.eventsPerCellPerDay * y / totalWeight }
        rates["escape"] = cfg.eventsPerCellPerDay * escapeSum / totalWeight
        rates["continuum"] = cfg.eventsPerCellPerDay * contWeight / totalWeight
        var fwhm: [String: Double] = [:]
        for l in profile.lines { fwhm[l.id] = response.fwhm(at: l.energy) }

        let truthCell = SimulationTruth.Cell(cell: c, base: base, knotTimes: times, logGain: w, offset: d, steps: steps,
                                             response: response, ratePerDay: rates, lineFWHM: fwhm, events: 0)
        if let dead = faults.first(where: { $0.kind == .deadCell }) {
            let (events, truth) = deadCell(truthCell, noiseFraction: dead.size ?? 0, duration: duration, rng: &rng)
            return CellPlan(truth: truth, rng: rng, sources: [], dropouts: [], times: events.count, dead: events)
        }
        // Event times: a Poisson number, uniform in [0, duration) (drawn by `fillCell`).
        let n = rng.poisson(cfg.eventsPerCellPerDay * cfg.days)
        return CellPlan(truth: truthCell, rng: rng, sources: sources, dropouts: faults.filter { $0.kind == .fewCounts },
                        times: n, dead: nil)
    }

    /// Draws a planned cell's events into `cell`, `adc`, `time` (room for `plan.times` each) and
    /// returns how many it kept. The times are generated in order by exponential spacings: their
    /// running sums go into `time` first and are scaled there (event i is written at an index ≤ i).
    private func fillCell(_ plan: CellPlan, duration: Double, cell: UnsafeMutablePointer<UInt16>,
                          adc: UnsafeMutablePointer<UInt16>, time: UnsafeMutablePointer<Double>) -> Int {
        if let dead = plan.dead {
            cell.initialize(from: dead.cell, count: dead.count)
            adc.initialize(from: dead.adc, count: dead.count)
            time.initialize(from: dead.time, count: dead.count)
            return dead.count
        }
        let cfg = config
        let n = plan.times, truthCell = plan.truth, steps = truthCell.steps, dropouts = plan.dropouts
        let response = truthCell.response, base = truthCell.base
        let sat = Double(cfg.saturationADC)
        let fano = response.fano * response.pairEnergy, enc2 = pow(response.enc * response.pairEnergy, 2)
        let fT = response.tailFraction, beta = response.tailSlope
        let b0 = base.p0, b1 = base.p1, b2 = base.p2
        // The generator lives inside the closure: a captured one would be checked for exclusive access per draw.
        let kept = plan.sources.withUnsafeBufferPointer { sources in
            var rng = plan.rng
            var s = 0.0
            for i in 0..<n { s += rng.exponential(); time[i] = s }
            s += rng.exponential()
            let scale = duration / s
            var kept = 0
            for i in 0..<n {
                let t = time[i] * scale
                // A rate dropout keeps only a fraction of the events in its window.
                if !dropouts.isEmpty, let f = dropouts.first(where: { t >= $0.start! && t < $0.end! }), rng.uniform() >= f.size! { continue }
                // Pick the source (the last one's cumulative probability, 1, is above u).
                let u = rng.uniform()
                var k = 0
                while sources[k].cumulative < u { k += 1 }
                var e: Double
                if sources[k].kind == .continuum {
                    // Exponentially falling plus flat, 1–12 keV.
                    repeat {
                        e = rng.uniform() < 0.7 ? 1000 + 3000 * rng.exponential() : rng.uniform(1000, 12000)
                    } while e > 12000
                } else {
                    let mu = sources[k].energy
                    let sigma = (enc2 + fano * mu).squareRoot()
                    e = mu + sigma * rng.normal()
                    if rng.uniform() < fT { e -= beta * sigma * rng.exponential() }
                }
                // Invert E = r·E₀(a − δ) for the continuous ADC coordinate a.
                let (wt, dt) = truthCell.walk(at: t)
                var r = exp(wt)
                for st in steps where st.time <= t { r *= st.gainFactor }
                let y = e / r - b0
                let disc = b1 * b1 + 4 * b2 * y
                guard disc > 0 else { continue }
                let a = 2 * y / (b1 + disc.squareRoot()) + dt
                let adcValue = a.rounded()
                guard adcValue >= 0, adcValue <= sat else { continue }
                adc[kept] = UInt16(adcValue)
                time[kept] = t
                kept += 1
            }
            return kept
        }
        cell.initialize(repeating: UInt16(truthCell.cell), count: kept)
        return kept
    }

    /// A dead cell: no X-rays, only noise triggers just above the pedestal (300 eV + exponential, 400 eV
    /// mean) at `noiseFraction` of a live cell's rate, uniform in time.
    private func deadCell(_ cell: SimulationTruth.Cell, noiseFraction: Double, duration: Double,
                          rng: inout SeededGenerator) -> (EventTable, SimulationTruth.Cell) {
        var tc = cell
        let rate = config.eventsPerCellPerDay * noiseFraction
        tc.ratePerDay = Dictionary(uniqueKeysWithValues: cell.ratePerDay.keys.map { ($0, 0.0) })
        tc.ratePerDay["noise"] = rate
        let n = rng.poisson(rate * config.days)
        let times = (0..<n).map { _ in rng.uniform() * duration }.sorted()
        var out = EventTable()
        for t in times {
            let e = 300 + 400 * rng.exponential()
            guard let a = cell.calibration(at: t).adc(forEnergy: e), a >= 0, a <= Double(config.saturationADC) else { continue }
            out.append(cell: UInt16(cell.cell), adc: UInt16(a.rounded()), time: t)
        }
        tc.events = out.count
        return (out, tc)
    }
}
