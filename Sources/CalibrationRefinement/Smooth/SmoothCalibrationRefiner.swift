import Dispatch
import Foundation
import SDDCore

/// What the smooth refinement did in one cell.
public struct SmoothCellSummary: Sendable, Hashable, Codable {
    public var cell: Int
    public var status: BatchStatus
    public var knots: Int
    public var knotSpacingHours: Double
    /// Events per window (group of lines), in the profile's order of energies.
    public var windowEvents: [Int]
    /// Newton iterations over all rounds.
    public var iterations: Int
    /// Log-posterior (log-likelihood + log prior, up to a constant) at the start and the end of the last round.
    public var initialLogPosterior: Double?
    public var finalLogPosterior: Double?
    public var response: DetectorResponse?
}

/// The outcome of ``SmoothCalibrationRefiner/refine(events:initial:observer:cancel:progress:)``.
public struct SmoothRefinementResult: Sendable {
    public var calibration: SmoothCalibration
    public var cells: [SmoothCellSummary]
    /// Pooled Laplace log evidence at the chosen prior strengths (nil when they were fixed).
    public var logEvidence: Double?
    /// True when the run was cancelled (cells keep what they had reached).
    public var cancelled: Bool
    /// Wall-clock seconds per phase: "prepare", "nuisance+newton" per round, "prior" per round.
    public var timings: [(phase: String, seconds: Double)] = []
}

/// Calibration as a smooth function of time per cell, fitted to the unbinned likelihood of all the
/// profile's lines (issue 11).
///
/// Per cell: E(x, t) = o(t) + exp(g(t))·(B(x) + q·w(x)) (``SmoothCellModel``) with o and g at knots
/// (``KnotGrid``, spacing from the strong-line rate) and a random-walk prior (``RandomWalkPrior``);
/// every event of every line window contributes its density (``SmoothCellLikelihood``). Fitted by
/// Newton with a banded solve (``BandedNewton``), prior strengths by pooled marginal likelihood
/// (``PriorStrengthEstimator``), nuisances (response, mixture weights) alternately
/// (``SmoothNuisanceFit``). Cells run in parallel; the prior estimate pools them.
public struct SmoothCalibrationRefiner: Sendable {
    public var settings: SmoothRefinementSettings
    public init(_ settings: SmoothRefinementSettings = SmoothRefinementSettings()) { self.settings = settings }

    /// The line windows of a profile: per element its lines ± the margin, overlapping ones merged.
    public func groups(for profile: LineProfile) -> [LineGroupDensity] {
        var byElement: [(ClosedRange<Double>, [SpectralLine])] = []
        for l in profile.lines {
            if let i = byElement.firstIndex(where: { $0.1.first?.element == l.element }) { byElement[i].1.append(l) }
            else { byElement.append((0...0, [l])) }
        }
        var ranges = byElement.map { el -> (ClosedRange<Double>, [SpectralLine]) in
            let es = el.1.map(\.energy)
            return ((es.min()! - settings.windowMargin)...(es.max()! + settings.windowMargin), el.1)
        }.sorted { $0.0.lowerBound < $1.0.lowerBound }
        var merged: [(ClosedRange<Double>, [SpectralLine])] = []
        for r in ranges {
            if let last = merged.last, last.0.upperBound >= r.0.lowerBound {
                merged[merged.count - 1] = (last.0.lowerBound...max(last.0.upperBound, r.0.upperBound), last.1 + r.1)
            } else { merged.append(r) }
        }
        ranges = merged
        return ranges.map { LineGroupDensity(lines: $0.1, window: $0.0, tableMargin: settings.windowMargin + 100) }
    }

    /// One cell's problem: model, events, starting coefficients.
    public struct CellProblem: Sendable {
        public var cell: Int
        public var model: SmoothCellModel
        public var events: SmoothCellEvents
        public var start: [Double]
        public var response: DetectorResponse
        public var keptReason: String?
        /// The cell's events and usable starting batches (for a new knot grid, ``regridded(_:spacing:at:)``).
        var adc: ArraySlice<UInt16> = []
        var time: ArraySlice<Double> = []
        var batches: [CalibrationSet.Batch] = []
    }

    /// The starting calibration at t: the batch holding t, else the nearest one.
    static func startCalibration(_ batches: [CalibrationSet.Batch], at t: Double) -> EnergyCalibration? {
        (batches.first { t >= $0.start && t < $0.end } ?? batches.min { abs(0.5 * ($0.start + $0.end) - t) < abs(0.5 * ($1.start + $1.end) - t) })?.calibration
    }

    /// The problem on a grid of (about) `spacing` seconds over the same span, and x carried over to it:
    /// o and g interpolated linearly (the old piecewise-linear curve sampled at the new knots), q kept.
    func regridded(_ p: CellProblem, spacing: Double, at x: [Double]) -> (problem: CellProblem, x: [Double]) {
        let old = p.events.grid
        let grid = KnotGrid(covering: old.start, old.end, spacing: spacing)
        var q = p
        q.events = SmoothCellEvents(adc: p.adc, time: p.time, grid: grid, groups: p.events.groups,
                                    start: { Self.startCalibration(p.batches, at: $0) })
        func resample(_ v: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: 2 * grid.count + 1)
            for k in 0..<grid.count {
                let (j, l) = old.locate(grid.time(k))
                out[2 * k] = v[2 * j] + l * (v[2 * j + 2] - v[2 * j])
                out[2 * k + 1] = v[2 * j + 1] + l * (v[2 * j + 3] - v[2 * j + 1])
            }
            out[2 * grid.count] = v[2 * old.count]
            return out
        }
        q.start = resample(p.start)
        return (q, resample(x))
    }

    /// The knot spacing (s) the estimated walk and the cell's information call for: the random walk
    /// followed by data of information rate I per day (the posterior's Fisher information of the
    /// log-gain, or the offset, per day) is known over a time constant τ = 1/(s·√I) (Kalman smoother in
    /// steady state: its variance √(s²/I)/2); a curve linear between knots h apart misses a Brownian
    /// path by s²h/6 on average, h/(3τ) of that variance. Knots `knotSpacingPerTimeConstant`·τ apart
    /// keep the interpolation's share small. nil when the information is not positive.
    static func knotSpacing(hessian h: BorderedBlockTridiagonal, grid: KnotGrid, prior: RandomWalkPrior,
                            perTimeConstant c: Double) -> Double? {
        var io = 0.0, ig = 0.0
        for b in h.diagonal { io += b[0]; ig += b[3] }
        for b in h.upper { io += 2 * b[0]; ig += 2 * b[3] }
        let days = (grid.end - grid.start) / 86400
        guard io > 0, ig > 0, days > 0 else { return nil }
        let tauG = 1 / (prior.gainStrength * (ig / days).squareRoot())
        let tauO = 1 / (prior.offsetStrength * (io / days).squareRoot())
        let tau = min(tauG, tauO) * 86400
        return tau.isFinite && tau > 0 ? c * tau : nil
    }

    /// Builds the problem of one cell from its events (time-sorted) and starting per-batch calibration.
    public func problem(cell: Int, adc: ArraySlice<UInt16>, time: ArraySlice<Double>, initial: CalibrationSet.Cell,
                        profile: LineProfile, groups: [LineGroupDensity]) -> CellProblem? {
        let batches = initial.batches.filter { $0.calibration.p1 > 0 && $0.calibration.p0.isFinite && $0.calibration.p1.isFinite && $0.calibration.p2.isFinite }
        guard !batches.isEmpty, let first = time.first, let last = time.last else { return nil }
        // Base: the event-weighted mean of the batches' coefficients.
        var w = 0.0, s = SIMD3<Double>.zero
        for b in batches { let n = Double(max(1, b.events)); w += n; s += n * SIMD3(b.calibration.p0, b.calibration.p1, b.calibration.p2) }
        s /= w
        let base = EnergyCalibration(p0: s[0], p1: s[1], p2: s[2])
        let strongest = profile.typicalYields.max { $0.value < $1.value }.flatMap { profile.line($0.key) } ?? profile.lines[0]
        let highest = profile.calibrationLines.last ?? profile.lines[profile.lines.count - 1]
        guard let xr = base.adc(forEnergy: strongest.energy), let xh = base.adc(forEnergy: highest.energy), xh > xr + 10 else { return nil }
        // The curvature's second zero: the strongest calibration line of another element below the highest
        // (Ti Kα for VIP-2), so that q leaves both strong Kα lines where the knots put them.
        let second = profile.calibrationLines
            .filter { $0.element != strongest.element && $0.element != highest.element && $0.energy < highest.energy }
            .max { (profile.typicalYields[$0.id] ?? 0) < (profile.typicalYields[$1.id] ?? 0) }
        let xl = settings.curvatureVanishesAtTwoLines ? second.flatMap { base.adc(forEnergy: $0.energy) }.flatMap { abs($0 - xr) > 10 && xh > $0 + 10 ? $0 : nil } : nil
        let model = SmoothCellModel(base: base, referenceADC: xr, highADC: xh, lowADC: xl)
        func startCal(_ t: Double) -> EnergyCalibration? { Self.startCalibration(batches, at: t) }
        // Knot spacing from the strong-line rate (every window below the highest line's).
        let lo = min(first, batches.map(\.start).min()!), hi = max(last, batches.map(\.end).max()!)
        var strong = 0
        let strongWindows = groups.filter { g in !g.lines.contains(highest) }.compactMap { g -> ClosedRange<Double>? in
            guard let a = base.adc(forEnergy: g.window.lowerBound), let b = base.adc(forEnergy: g.window.upperBound) else { return nil }
            return a...b
        }
        // Which channels are in a strong window, decided once per channel instead of once per event.
        let isStrong = (0...Int(UInt16.max)).map { c in strongWindows.contains { $0.contains(Double(c)) } }
        isStrong.withUnsafeBufferPointer { isStrong in   // 65 536 entries: every UInt16 indexes it
            for a in adc where isStrong[Int(a)] { strong += 1 }
        }
        let span = max(hi - lo, 1)
        let spacing = min(settings.maximumKnotSpacing, max(settings.minimumKnotSpacing, span * settings.countsPerKnot / Double(max(1, strong))))
        let grid = KnotGrid(covering: lo, hi, spacing: spacing)
        let events = SmoothCellEvents(adc: adc, time: time, grid: grid, groups: groups, start: startCal)
        // Starting coefficients at each knot from the per-batch calibration in force there.
        let xs = profile.calibrationLines.compactMap { base.adc(forEnergy: $0.energy) }
        var x0 = [Double](repeating: 0, count: 2 * grid.count + 1)
        for k in 0..<grid.count {
            let c = startCal(grid.time(k)).flatMap { model.coefficients(matching: $0, at: xs) } ?? (0, 0)
            x0[2 * k] = c.offset; x0[2 * k + 1] = c.logGain
        }
        var p = CellProblem(cell: cell, model: model, events: events, start: x0, response: startResponse(initial), keptReason: nil,
                            adc: adc, time: time, batches: batches)
        if strong < settings.minimumEvents { p.keptReason = "\(strong) strong-line events (< \(settings.minimumEvents))" }
        return p
    }

    /// ENC from the standard fit's line widths (median over lines and batches), default tail.
    func startResponse(_ cell: CalibrationSet.Cell) -> DetectorResponse {
        var r = DetectorResponse()
        let fw = r.fano * r.pairEnergy
        var enc2: [Double] = []
        for b in cell.batches {
            for l in b.lines {
                guard let s = l.sigmaADC, s > 0, s.isFinite else { continue }
                let se = s * b.calibration.slope(l.centroidADC)
                let e2 = (se * se - fw * l.energy) / (r.pairEnergy * r.pairEnergy)
                if e2.isFinite && e2 > 0 { enc2.append(e2) }
            }
        }
        if !enc2.isEmpty { enc2.sort(); r.enc = enc2[enc2.count / 2].squareRoot() }
        r.tailFraction = 0.035
        r.tailSlope = 1.4
        return r
    }

    /// The likelihood of a problem with nuisances fitted at coefficients x.
    func likelihood(_ p: CellProblem, at x: [Double], response: DetectorResponse, narrow: Bool = false) -> (SmoothCellLikelihood, DetectorResponse) {
        let hists = settings.nuisance.histograms(p.events, model: p.model, x: x)
        let fit = settings.nuisance.fit(hists, groups: p.events.groups, response: response, narrow: narrow)
        var logF: [HermiteTable] = [], cdf: [HermiteTable] = []
        for (gi, g) in p.events.groups.enumerated() {
            let t = g.tables(response: fit.response, weights: fit.weights[gi], step: settings.tableStep)
            logF.append(t.logDensity); cdf.append(t.cdf)
        }
        return (SmoothCellLikelihood(model: p.model, events: p.events, logDensity: logF, cdf: cdf), fit.response)
    }

    /// Refines every cell of `initial` on `events` (ordered by cell, time-sorted within a cell).
    /// `observer` sees every Newton iteration of every cell and round (id: cell, batch = round);
    /// `cancel` stops at the next iteration.
    public func refine(events: EventTable, initial: CalibrationSet, observer: OptimizationObserver? = nil,
                       cancel: CancellationFlag? = nil, progress: ProgressObserver? = nil) throws -> SmoothRefinementResult {
        guard let profile = LineProfile.named(initial.profile) else {
            throw SDDError.invalidArgument("--calib", "unknown line profile '\(initial.profile)' in the calibration")
        }
        let began = Date()
        let groups = self.groups(for: profile)
        let highest = profile.calibrationLines.last ?? profile.lines[profile.lines.count - 1]
        let curvatureOnly = settings.highestLineInformsCurvatureOnly
            ? Set(groups.indices.filter { groups[$0].lines.contains(highest) }) : []
        let ranges = CalibrationRefiner.cellRanges(events)
        let cells = initial.cells
        // Problems (parallel over cells).
        var problems = [CellProblem?](repeating: nil, count: cells.count)
        problems.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: cells.count) { i in
                let c = cells[i]
                guard let r = ranges[c.cell] else { return }
                out[i] = problem(cell: c.cell, adc: events.adc[r], time: events.time[r], initial: c, profile: profile, groups: groups)
            }
        }
        var x = problems.map { $0?.start ?? [] }
        var response = problems.map { $0?.response ?? DetectorResponse() }
        var outcomes = [BandedNewton.Outcome?](repeating: nil, count: cells.count)
        var iterations = [Int](repeating: 0, count: cells.count)
        var initialLP = [Double?](repeating: nil, count: cells.count)
        var prior = settings.prior
        var evidence: Double? = nil
        let active = problems.indices.filter { problems[$0] != nil && problems[$0]!.keptReason == nil }
        // The strong lines leave the curvature to the highest line only when the cells' curvatures are
        // pooled (all cells' Cu events then measure it); a lone cell's few Cu events would leave it noisy.
        let strongLinesKnotsOnly = settings.strongLinesInformKnotsOnly && settings.estimatePrior && settings.poolCurvature
            && active.count >= settings.minimumPooledCells
        let totalRuns = active.count * (settings.rounds + 1)
        let done = Counter()

        var likes = [SmoothCellLikelihood?](repeating: nil, count: cells.count)
        // Where the quadratic model's refit is not a valid start, Newton restarts from the last fit.
        var fallback = [[Double]?](repeating: nil, count: cells.count)
        func newtonRound(_ round: Int, refitNuisance: Bool) {
            x.withUnsafeMutableBufferPointer { xb in
            response.withUnsafeMutableBufferPointer { rb in
            outcomes.withUnsafeMutableBufferPointer { ob in
            likes.withUnsafeMutableBufferPointer { lb in
            DispatchQueue.concurrentPerform(iterations: active.count) { j in
                let i = active[j]
                let p = problems[i]!
                if cancel?.isCancelled == true { return }
                if refitNuisance || lb[i] == nil {
                    let (l, r) = likelihood(p, at: xb[i], response: rb[i], narrow: round > 0)
                    lb[i] = l; rb[i] = r
                }
                var like = lb[i]!
                like.stride = round == 0 && settings.rounds > 1 ? max(1, settings.firstRoundStride) : 1
                let mid = 0.5 * (p.events.grid.start + p.events.grid.end)
                let id = OptimizationID(cell: p.cell, batch: round)
                var newton = settings.newton
                if round < settings.rounds { newton.maxIterations = min(newton.maxIterations, settings.earlyRoundIterations) }
                let begin = fallback[i].map { SmoothCellObjective(likelihood: like, prior: prior).value(xb[i]).isFinite ? xb[i] : $0 } ?? xb[i]
                // The curvature-only groups see the knots this round starts from (updated every round).
                like.curvatureOnlyGroups = curvatureOnly
                like.frozenKnots = curvatureOnly.isEmpty ? nil : begin
                like.frozenCurvature = curvatureOnly.isEmpty || !strongLinesKnotsOnly ? nil : begin[2 * p.events.grid.count]
                let objective = SmoothCellObjective(likelihood: like, prior: prior)
                let o = newton.minimize(objective, from: begin, cancel: cancel) { it, v, dec, xi in
                    guard let obs = observer else { return }
                    let cal = Self.calibration(p.model, p.events.grid, xi, at: mid)
                    let snap = OptimizationSnapshot(id: id, iteration: it, logLikelihood: -v, p0: cal.p0, p1: cal.p1, p2: cal.p2,
                                                    gradientNorm: dec.isNaN ? 0 : (2 * dec).squareRoot())
                    obs.observe(it == 0 ? .started(snap) : .iterated(snap))
                }
                if let obs = observer {
                    let cal = Self.calibration(p.model, p.events.grid, o.x, at: mid)
                    obs.observe(.finished(OptimizationSnapshot(id: id, iteration: o.iterations, logLikelihood: -o.value, p0: cal.p0, p1: cal.p1,
                                                               p2: cal.p2, gradientNorm: 0), o.reason))
                }
                if o.value.isFinite { xb[i] = o.x }
                ob[i] = o
                let n = done.increment()
                progress?.progress(done: n, total: totalRuns, unit: "cell fits")
            }
            }}}}
            for i in active {
                if let o = outcomes[i] {
                    iterations[i] += o.iterations
                    if initialLP[i] == nil, let h = o.history.first { initialLP[i] = -h }
                }
            }
        }

        func estimatePrior() {
            // A cell whose data say nothing on the curvature (no positive q entry: with the strong lines
            // informing the knots only, too few Cu events) would make the evidence −∞ and its curvature
            // measurement arbitrary: it keeps its fit and enters neither estimate.
            let usable = active.compactMap { i -> (Int, PriorStrengthEstimator.CellExpansion)? in
                guard let o = outcomes[i], o.value.isFinite, o.reason != .failed, o.dataHessian.corner > 0 else { return nil }
                return (i, .init(grid: problems[i]!.events.grid, x: o.x, value: o.dataValue, gradient: o.dataGradient, hessian: o.dataHessian,
                                 baseCurvature: problems[i]!.model.baseCurvature))
            }
            let exps = usable.map(\.1)
            guard !exps.isEmpty else { return }
            let r = PriorStrengthEstimator().estimate(exps, from: prior)
            prior = r.prior
            evidence = r.logEvidence
            if settings.poolCurvature {
                let measured = exps.compactMap { CurvaturePool.measurement($0, prior: prior) }
                if let pool = CurvaturePool.estimate(measured, sigmaRange: settings.pooledCurvatureSigmaRange,
                                                     minimumCells: settings.minimumPooledCells) {
                    prior.curvatureMean = pool.mean
                    prior.curvatureSigma = pool.sigma
                }
            }
            // Start the next fit from the quadratic model's refit under the new prior: Newton then
            // only confirms it (one or two passes).
            for (i, e) in usable {
                if let t = PriorStrengthEstimator.minimizer(e, prior: prior), t.allSatisfy(\.isFinite) { fallback[i] = x[i]; x[i] = t }
            }
        }

        /// With the walk's strength estimated: cells whose knots are much wider than the estimate calls
        /// for (``knotSpacing(hessian:grid:prior:perTimeConstant:)``) get the finer grid; true if any did.
        func refineKnotSpacing() -> Bool {
            var changed: [(Int, CellProblem, [Double])] = []
            for i in active {
                guard let o = outcomes[i], o.value.isFinite, o.reason != .failed, let p = problems[i],
                      let h = Self.knotSpacing(hessian: o.dataHessian, grid: p.events.grid, prior: prior,
                                               perTimeConstant: settings.knotSpacingPerTimeConstant) else { continue }
                let spacing = min(settings.maximumKnotSpacing, max(settings.minimumAdaptedKnotSpacing, h))
                guard spacing < p.events.grid.spacing / settings.knotRefinementFactor else { continue }
                let r = regridded(p, spacing: spacing, at: x[i])
                changed.append((i, r.problem, r.x))
            }
            for (i, p, xi) in changed {
                problems[i] = p; x[i] = xi; fallback[i] = nil; likes[i] = nil; outcomes[i] = nil
            }
            return !changed.isEmpty
        }

        var timings: [(String, Double)] = [("prepare", Date().timeIntervalSince(began))]
        func timed(_ name: String, _ body: () -> Void) {
            let t0 = Date(); body(); timings.append((name, Date().timeIntervalSince(t0)))
        }
        for round in 0..<settings.rounds {
            timed("round \(round): nuisances + newton") { newtonRound(round, refitNuisance: true) }
            // The first round's subsample would understate the data's information: no prior estimate from it.
            let subsampled = round == 0 && settings.rounds > 1 && settings.firstRoundStride > 1
            if settings.estimatePrior && !subsampled && cancel?.isCancelled != true { timed("round \(round): prior strengths") { estimatePrior() } }
        }
        // Knots as fine as the estimated walk and the data's information call for: one more round on
        // the finer grid (the nuisances refitted, the prior re-estimated there) before the final Newton.
        if settings.estimatePrior && settings.adaptKnotSpacing && settings.rounds > 0 && cancel?.isCancelled != true {
            var regridded = false
            timed("knot spacing") { regridded = refineKnotSpacing() }
            if regridded {
                timed("round \(settings.rounds - 1) on the finer grid: nuisances + newton") { newtonRound(settings.rounds - 1, refitNuisance: true) }
                if cancel?.isCancelled != true { timed("round \(settings.rounds - 1) on the finer grid: prior strengths") { estimatePrior() } }
            }
        }
        if cancel?.isCancelled != true { timed("final newton") { newtonRound(settings.rounds, refitNuisance: false) } }

        // Assemble.
        var out: [SmoothCellCalibration] = []
        var summaries: [SmoothCellSummary] = []
        for i in cells.indices {
            guard let p = problems[i] else {
                summaries.append(SmoothCellSummary(cell: cells[i].cell, status: .kept(reason: "no events or no usable starting calibration"), knots: 0,
                                                   knotSpacingHours: 0, windowEvents: [], iterations: 0))
                continue
            }
            var status: BatchStatus
            var cov: BorderedBlockTridiagonal.SelectedInverse? = nil
            if let reason = p.keptReason { status = .kept(reason: reason) }
            else if let o = outcomes[i], o.value.isFinite, o.reason != .failed {
                status = .optimized(stop: o.reason.converged ? nil : o.reason.rawValue)
                cov = o.factorization?.selectedInverse()
            } else { status = .kept(reason: "the likelihood could not be evaluated at the start") }
            let xi = status.isOptimized ? x[i] : p.start
            let k = p.events.grid.count
            out.append(SmoothCellCalibration(cell: p.cell, model: p.model, grid: p.events.grid,
                                             offset: (0..<k).map { xi[2 * $0] }, logGain: (0..<k).map { xi[2 * $0 + 1] },
                                             curvature: xi[2 * k], covariance: cov, response: response[i], status: status))
            summaries.append(SmoothCellSummary(cell: p.cell, status: status, knots: k, knotSpacingHours: p.events.grid.spacing / 3600,
                                               windowEvents: p.events.counts, iterations: iterations[i],
                                               initialLogPosterior: initialLP[i], finalLogPosterior: outcomes[i].map { -$0.value },
                                               response: outcomes[i] == nil ? nil : response[i]))
        }
        let cal = SmoothCalibration(profile: initial.profile, source: "smooth refinement of \(initial.method): \(initial.source)",
                                    prior: prior, cells: out)
        return SmoothRefinementResult(calibration: cal, cells: summaries, logEvidence: settings.estimatePrior ? evidence : nil,
                                      cancelled: cancel?.isCancelled == true, timings: timings)
    }

    static func calibration(_ m: SmoothCellModel, _ grid: KnotGrid, _ x: [Double], at t: Double) -> EnergyCalibration {
        let (k, l) = grid.locate(t)
        return m.calibration(offset: x[2 * k] + l * (x[2 * k + 2] - x[2 * k]), logGain: x[2 * k + 1] + l * (x[2 * k + 3] - x[2 * k + 1]),
                             curvature: x[2 * grid.count])
    }
}

/// A thread-safe counter (progress over parallel cell fits).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
}
