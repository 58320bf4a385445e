import Dispatch
import Foundation
import LineFitting
import SDDCore

/// What happened to one batch.
public struct BatchRefinementSummary: Sendable, Codable, Hashable {
    public var cell: Int
    public var batch: Int
    /// Optimized (converged, or stopped by a rule such as max-iterations) or kept with the reason.
    public var status: BatchStatus
    /// Iterations taken and the stop reason (``StopReason`` raw value).
    public var iterations: Int
    public var reason: String?
    /// Events of the batch inside the ADC window.
    public var windowEvents: Int
    /// Log-likelihood at the start and at the end.
    public var initialLogLikelihood: Double?
    public var finalLogLikelihood: Double?
    /// Nuisance parameters used: fraction of window events in the line, background slope, line σ (eV).
    public var signalFraction: Double?
    public var backgroundSlope: Double?
    public var sigma: Double?
    /// Tail used: area fraction and slope (β, in σ).
    public var tailFraction: Double?
    public var tailSlope: Double?
    /// Energy at the line's reference channel before and after, its error before (from the standard
    /// fit's centroid error) and the pull (before − after)/error (figure 6).
    public var lineEnergyBefore: Double?
    public var lineEnergyAfter: Double?
    public var lineEnergyError: Double?
    public var pull: Double?

    enum CodingKeys: String, CodingKey {
        case cell, batch, status, iterations, reason, sigma, pull
        case tailFraction = "tail_fraction", tailSlope = "tail_slope"
        case windowEvents = "window_events", initialLogLikelihood = "initial_log_likelihood"
        case finalLogLikelihood = "final_log_likelihood", signalFraction = "signal_fraction"
        case backgroundSlope = "background_slope", lineEnergyBefore = "line_energy_before"
        case lineEnergyAfter = "line_energy_after", lineEnergyError = "line_energy_error"
    }
}

/// The refined calibration and a summary per batch.
public struct RefinementResult: Sendable {
    public var calibration: CalibrationSet
    public var batches: [BatchRefinementSummary]
}

/// Refines every batch of a calibration on the events it applies to: builds each batch's
/// likelihood (``BatchLoss``), fits its nuisance parameters, and minimises over (p0, p1, p2).
/// Batches are independent and run on all cores; progress goes to an ``OptimizationObserver``.
public struct CalibrationRefiner: Sendable {
    public var settings: RefinementSettings
    public init(settings: RefinementSettings = RefinementSettings()) { self.settings = settings }

    /// One prepared batch problem (nil loss when the batch is kept as it is).
    public struct Problem: Sendable {
        public var id: OptimizationID
        public var loss: BatchLoss?
        public var start: SIMD3<Double>
        public var keptReason: String?
        public var windowEvents: Int
        /// The line's reference channel (standard fit centroid, else the start calibration's channel
        /// of the line energy) and the energy error there.
        public var referenceChannel: Double
        public var referenceError: Double?
    }

    /// Builds the problems of every batch of `calibration` from `events` (any order).
    public func problems(events: EventTable, calibration: CalibrationSet) throws -> [Problem] {
        guard let line = SpectralLine(id: settings.lineID) else {
            throw SDDError.invalidArgument("--line", "unknown line '\(settings.lineID)'")
        }
        let sorted = events.isSortedByCellAndTime ? events : events.sortedByCellAndTime()
        let cellRanges = Self.cellRanges(sorted)
        // Cells are independent: build their problems (tail fit, counts, nuisance fit) on all cores.
        var perCell = [[Problem]](repeating: [], count: calibration.cells.count)
        perCell.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: calibration.cells.count) { ci in
                let cell = calibration.cells[ci]
                let sigmaCell = settings.lineFWHM.map { $0 / DetectorResponse.fwhmPerSigma }
                    ?? resolutionSigma(cell: cell, at: line.energy)
                let range = cellRanges[cell.cell] ?? 0..<0
                let slices = cell.batches.map { b -> ArraySlice<UInt16> in
                    sorted.adc[Self.lowerBound(sorted.time, b.start, in: range)..<Self.lowerBound(sorted.time, b.end, in: range)]
                }
                let tail = settings.tailFromData ? measuredTail(cell: cell, adc: slices) : nil
                out[ci] = zip(cell.batches, slices).map { b, adc in
                    problem(cell: cell.cell, batch: b, adc: adc, line: line, sigma: sigmaCell, tail: tail)
                }
            }
        }
        return perCell.flatMap { $0 }
    }

    /// The tail (f_T, β) of a cell measured on its strongest other Kα line: that line's energy spectrum
    /// summed over the batches under their starting calibrations (each channel spread over its energy
    /// interval), fitted by LineFitting's doublet + tail + linear background model. Nil when the fit
    /// does not converge or ends on a bound.
    public func measuredTail(cell: CalibrationSet.Cell, adc slices: [ArraySlice<UInt16>]) -> (fraction: Double, slope: Double)? {
        var totals: [String: Double] = [:]
        for b in cell.batches { for l in b.lines where l.line != settings.lineID { totals[l.line, default: 0] += l.counts ?? 0 } }
        guard let id = totals.filter({ $0.key.hasSuffix("Ka") }).max(by: { $0.value < $1.value })?.key,
              let line = SpectralLine(id: id) else { return nil }
        let lo = line.energy - 600, width = 4.0, bins = 250
        var h = Histogram(lowerEdge: lo, binWidth: width, bins: bins)
        // One channel-count array for all batches, cleared after each: a fresh 512 kB array per batch
        // (what `Histogram.energy(_:…)` makes) cost more in page faults than the counting itself.
        var perChannel = [Int](repeating: 0, count: Int(UInt16.max) + 1)
        for (b, adc) in zip(cell.batches, slices) {
            perChannel.withUnsafeMutableBufferPointer { c in for v in adc { c[Int(v)] += 1 } }
            h = h + Histogram.energy(channelCounts: perChannel, calibration: b.calibration, lowerEdge: lo, binWidth: width, bins: bins)
            perChannel.withUnsafeMutableBufferPointer { c in for v in adc { c[Int(v)] = 0 } }
        }
        guard h.total > 1000 else { return nil }
        let r = LineFit.fit(h, line: line).result
        guard r.status == .converged, r.tailFraction > 1e-3, r.tailFraction < 0.29, r.tailSlope > 0.31, r.tailSlope < 4.9 else { return nil }
        return (r.tailFraction, r.tailSlope)
    }

    func problem(cell: Int, batch b: CalibrationSet.Batch, adc: ArraySlice<UInt16>, line: SpectralLine, sigma: Double?,
                 tail: (fraction: Double, slope: Double)? = nil) -> Problem {
        let c0 = b.calibration
        let id = OptimizationID(cell: cell, batch: b.index)
        let cuResult = b.lines.first { $0.line == line.id }
        var prob = Problem(id: id, loss: nil, start: .zero, keptReason: nil, windowEvents: 0,
                           referenceChannel: cuResult?.centroidADC ?? c0.adc(forEnergy: line.energy) ?? .nan,
                           referenceError: cuResult.map { $0.centroidError * c0.slope($0.centroidADC) })
        guard let aLo = c0.adc(forEnergy: settings.energyWindow.lowerBound), let aHi = c0.adc(forEnergy: settings.energyWindow.upperBound),
              let xc = c0.adc(forEnergy: line.energy), aHi > aLo + 10, c0.slope(xc) > 0 else {
            prob.keptReason = "calibration not invertible over the window"; return prob
        }
        let channels = Int(aLo.rounded(.up))...Int(aHi.rounded(.down))
        let counts = ChannelCounts(adc: adc, channels: channels)
        prob.windowEvents = Int(counts.total)
        guard prob.windowEvents >= settings.minimumWindowEvents else {
            prob.keptReason = "\(prob.windowEvents) events in the window (< \(settings.minimumWindowEvents))"; return prob
        }
        guard let sigma else { prob.keptReason = "no line widths (sigma_adc) to set the resolution; pass --fwhm"; return prob }
        // Coordinates: t = 0 at the line, t = −1 at the lowest calibration line (Ti Kα for vip2).
        let others = b.lines.filter { $0.line != line.id && $0.centroidError > 0 && $0.centroidError.isFinite }
        let lowest = others.map(\.centroidADC).min() ?? (c0.adc(forEnergy: 0.55 * line.energy) ?? xc / 2)
        let coords = CalibrationCoordinates(center: xc, span: max(50, xc - lowest))
        let anchors = others.map {
            AnchorLine(line: $0.line, t: coords.t($0.centroidADC), energy: $0.energy, sigma: $0.centroidError * c0.slope($0.centroidADC))
        }
        if settings.loss == .windowDensity && anchors.count < 2 {
            prob.keptReason = "fewer than 2 anchor lines with centroid errors in the calibration"; return prob
        }
        let shape = LineShape(line: line, sigma: sigma, tailFraction: tail?.fraction ?? settings.tailFraction,
                              tailSlope: tail?.slope ?? settings.tailSlope)
        var loss = BatchLoss(kind: settings.loss, coordinates: coords, counts: counts, shape: shape,
                             signalFraction: 0.5, backgroundSlope: 0, anchors: settings.loss == .windowDensity ? anchors : [])
        let start = coords.scaled(c0)
        if settings.loss == .windowDensity {
            let (eta, slope) = Self.fitNuisance(loss, at: start)
            loss.signalFraction = eta
            loss.backgroundSlope = slope
        }
        prob.loss = loss
        prob.start = start
        return prob
    }

    /// Maximises the window likelihood over (η, background slope) at a fixed calibration: damped
    /// Newton steps kept inside 0 < η < 1 and |s| < 1 where the density is positive.
    ///
    /// At fixed q each channel's density is f_k = η·a_k + (1 − η)·(1 + s·u_k)/W with a_k the line's
    /// normalised density there and u_k its position in [−1, 1] (``BatchLoss/windowTerms(_:)``), so the
    /// line shape is evaluated once per channel and every Newton step costs a few operations per
    /// channel with exact derivatives (it was evaluated on ``Jet3`` at every step: most of the
    /// refinement's set-up time).
    static func fitNuisance(_ loss: BatchLoss, at q: SIMD3<Double>) -> (Double, Double) {
        var eta = 0.5, slope = 0.0
        guard let terms = loss.windowTerms(q) else { return (eta, slope) }
        let a = terms.line, u = terms.position, n = loss.counts.counts, c = terms.backgroundScale
        /// −Σ n log f and its gradient and Hessian in (η, s).
        func eval(_ e: Double, _ s: Double) -> (value: Double, g0: Double, g1: Double, h00: Double, h01: Double, h11: Double) {
            var v = 0.0, g0 = 0.0, g1 = 0.0, h00 = 0.0, h01 = 0.0, h11 = 0.0
            for k in a.indices {
                let b = c * (1 + s * u[k])
                let f = e * a[k] + (1 - e) * b
                let df0 = a[k] - b, df1 = (1 - e) * c * u[k]
                let w = n[k] / f
                v -= n[k] * Foundation.log(f)
                g0 -= w * df0
                g1 -= w * df1
                h00 += w * df0 * df0 / f
                h01 += w * (df0 * df1 / f + c * u[k])
                h11 += w * df1 * df1 / f
            }
            return (v, g0, g1, h00, h01, h11)
        }
        var cur = eval(eta, slope)
        guard cur.value.isFinite else { return (0.5, 0) }
        for _ in 0..<30 {
            var a = cur.h00, b = cur.h01, d = cur.h11
            if !(a > 0 && a * d - b * b > 0) { a = abs(a) + 1; d = abs(d) + 1; b = 0 }
            let det = a * d - b * b
            var de = -(d * cur.g0 - b * cur.g1) / det, ds = -(a * cur.g1 - b * cur.g0) / det
            var next = cur
            var ok = false
            for _ in 0..<40 {
                let ne = eta + de, ns = slope + ds
                if ne > 1e-6 && ne < 1 - 1e-9 && abs(ns) < 0.999 {
                    next = eval(ne, ns)
                    if next.value.isFinite && next.value <= cur.value { eta = ne; slope = ns; ok = true; break }
                }
                de *= 0.5; ds *= 0.5
            }
            // 1e-7 in log-likelihood is far below anything that could move the calibration.
            if !ok || abs(cur.value - next.value) < 1e-7 { cur = next; break }
            cur = next
        }
        return (eta, slope)
    }

    /// σ (eV) of the line from the widths of the cell's other lines: each line's σ in eV gives an ENC
    /// through σ² = (ENC·w)² + F·w·E (docs/physics.md §3); the median ENC predicts σ at `energy`.
    public func resolutionSigma(cell: CalibrationSet.Cell, at energy: Double) -> Double? {
        var enc2: [Double] = []
        let fw = settings.fano * settings.pairEnergy
        for b in cell.batches {
            for l in b.lines where l.line != settings.lineID {
                guard let s = l.sigmaADC, s > 0, s.isFinite else { continue }
                let se = s * b.calibration.slope(l.centroidADC)
                let e2 = (se * se - fw * l.energy) / (settings.pairEnergy * settings.pairEnergy)
                if e2.isFinite { enc2.append(max(0, e2)) }
            }
        }
        guard !enc2.isEmpty else { return nil }
        enc2.sort()
        let m = enc2[enc2.count / 2]
        return (m * settings.pairEnergy * settings.pairEnergy + fw * energy).squareRoot()
    }

    /// Runs every problem (both cores) and assembles the refined calibration.
    public func refine(events: EventTable, calibration: CalibrationSet, observer: OptimizationObserver? = nil,
                       cancel: CancellationFlag? = nil, progress: ProgressObserver? = nil) throws -> RefinementResult {
        let probs = try problems(events: events, calibration: calibration)
        return run(probs, calibration: calibration, observer: observer, cancel: cancel, progress: progress)
    }

    /// Optimizes prepared problems (independent, so spread over the cores).
    public func run(_ probs: [Problem], calibration: CalibrationSet, observer: OptimizationObserver? = nil,
                    cancel: CancellationFlag? = nil, progress: ProgressObserver? = nil) -> RefinementResult {
        var outcomes = [OptimizationOutcome?](repeating: nil, count: probs.count)
        let optimizer = Optimizer(settings.optimizer)
        // The progress bar is one more observer (kept batches count as done at once).
        let runnable = probs.filter { $0.loss != nil }.count
        let bar = progress.map { BatchProgress(total: runnable, progress: $0) }
        let observers = [observer, bar].compactMap { $0 }
        let sink: OptimizationObserver? = observers.count > 1 ? ObserverGroup(observers) : observers.first
        outcomes.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: probs.count) { i in
                let p = probs[i]
                guard let loss = p.loss else { return }
                let coords = loss.coordinates
                out[i] = optimizer.minimize(loss, from: p.start, observer: sink, cancel: cancel) { it, q, v, g in
                    let c = coords.calibration(q)
                    return OptimizationSnapshot(id: p.id, iteration: it, logLikelihood: -v, p0: c.p0, p1: c.p1, p2: c.p2, gradientNorm: g)
                }
            }
        }
        var cellsOut = calibration.cells
        // The refined batch constants are the result: a starting timeline (version 2) would override them.
        for ci in cellsOut.indices { cellsOut[ci].timeline = nil }
        var summaries: [BatchRefinementSummary] = []
        var k = 0
        for ci in cellsOut.indices {
            for bi in cellsOut[ci].batches.indices {
                let p = probs[k], o = outcomes[k]
                k += 1
                var batch = cellsOut[ci].batches[bi]
                var s = BatchRefinementSummary(cell: p.id.cell, batch: p.id.batch, status: .kept(reason: "not run"), iterations: 0, reason: nil,
                                               windowEvents: p.windowEvents)
                guard let o, let loss = p.loss, o.reason != .failed, o.reason != .cancelled else {
                    s.status = .kept(reason: p.keptReason ?? outcomes[k - 1].map { $0.reason.rawValue } ?? "not run")
                    summaries.append(s)
                    continue
                }
                let before = batch.calibration
                let after = loss.coordinates.calibration(o.x, covariance: o.covariance)
                batch.calibration = after
                batch.status = .optimized(o.reason)
                for li in batch.lines.indices {
                    batch.lines[li].residual = after.energy(batch.lines[li].centroidADC) - batch.lines[li].energy
                }
                cellsOut[ci].batches[bi] = batch
                s.status = batch.status
                s.iterations = o.iterations
                s.reason = o.reason.rawValue
                s.initialLogLikelihood = -o.initialLoss
                s.finalLogLikelihood = -o.loss
                if loss.kind == .windowDensity {
                    s.signalFraction = loss.signalFraction
                    s.backgroundSlope = loss.backgroundSlope
                }
                s.sigma = loss.shape.sigma
                s.tailFraction = loss.shape.tailFraction
                s.tailSlope = loss.shape.tailSlope
                if p.referenceChannel.isFinite {
                    s.lineEnergyBefore = before.energy(p.referenceChannel)
                    s.lineEnergyAfter = after.energy(p.referenceChannel)
                    s.lineEnergyError = p.referenceError
                    if let e = p.referenceError, e > 0 { s.pull = (s.lineEnergyBefore! - s.lineEnergyAfter!) / e }
                }
                summaries.append(s)
            }
        }
        var set = CalibrationSet(profile: calibration.profile, batch: calibration.batch, method: "optimized",
                                 source: calibration.source, cells: cellsOut)
        set.source = "optimized (\(settings.loss.rawValue) loss, \(settings.optimizer.method.rawValue)) from \(calibration.method): \(calibration.source)"
        set.startMethod = calibration.chainStartMethod
        return RefinementResult(calibration: set, batches: summaries)
    }

    /// `anchors` with every batch's coefficients replaced by those `start` gives at the batch's mid-time
    /// (its lines, centroids and errors are kept). This refines, batch by batch, a calibration made
    /// on longer batches (e.g. the 30-day standard one) using the short batches' line fits as anchors:
    /// the paper's set-up. Batches whose cell `start` does not cover keep their own coefficients.
    public static func startingFrom(_ start: CalibrationSet, anchors: CalibrationSet) -> CalibrationSet {
        var out = anchors
        for ci in out.cells.indices {
            for bi in out.cells[ci].batches.indices {
                let b = out.cells[ci].batches[bi]
                if let c = start.calibration(cell: out.cells[ci].cell, time: 0.5 * (b.start + b.end)) {
                    out.cells[ci].batches[bi].calibration = EnergyCalibration(p0: c.p0, p1: c.p1, p2: c.p2, covariance: c.covariance)
                }
            }
        }
        out.method = start.method
        out.source = "coefficients of \(start.source) (\(start.batch)), anchors of \(anchors.source) (\(anchors.batch))"
        return out
    }

    // MARK: event lookup

    static func cellRanges(_ t: EventTable) -> [Int: Range<Int>] {
        var out: [Int: Range<Int>] = [:]
        var i = 0
        while i < t.count {
            let c = t.cell[i]
            var j = i
            while j < t.count && t.cell[j] == c { j += 1 }
            out[Int(c)] = i..<j
            i = j
        }
        return out
    }

    /// First index in `range` whose time is ≥ t (times are sorted within a cell).
    static func lowerBound(_ time: [Double], _ t: Double, in range: Range<Int>) -> Int {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let m = (lo + hi) / 2
            if time[m] < t { lo = m + 1 } else { hi = m }
        }
        return lo
    }
}
