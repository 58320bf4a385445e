import Foundation
import SDDCore

/// The standard calibration of one batch of one cell, with everything the inspector shows and refits.
public struct BatchCalibration: Sendable {
    public var cell: Int
    public var index: Int
    public var start: Double
    public var end: Double
    public var events: Int
    /// The batch's ADC histogram (one channel per bin) the lines were fitted on.
    public var histogram: Histogram
    /// Seeds used, by line id (ADC).
    public var seeds: [String: Double]
    /// Every calibration line that was fitted (accepted or not), by line id.
    public var lineFits: [String: LineFitOutcome]
    /// Lines left out of the polynomial, with the reason.
    public var rejected: [String: String]
    /// The calibration, nil when fewer than two lines could be used.
    public var calibration: EnergyCalibration?
    /// Calibration points used and their residuals (eV).
    public var points: [CalibrationPoint]
    public var residuals: [Double]
    public var polynomialChi2: Double
    public var polynomialNDF: Int
    /// ok, partial (lines left out) or failed (fewer than two usable lines).
    public var status: BatchStatus

    /// The line results of accepted lines, for the calibration file.
    public var lineResults: [CalibrationSet.LineResult] {
        points.enumerated().map { (k, p) in
            let r = lineFits[p.line]?.result
            return CalibrationSet.LineResult(line: p.line, centroidADC: p.adc, centroidError: p.adcError, energy: p.energy,
                                             residual: residuals[k], sigmaADC: r?.sigma, counts: r?.area)
        }
    }
}

/// Standard calibration per cell and batch (section 3.1 of the paper): seeds → fit of each line in ADC
/// (doublet + tail + linear background, Baker–Cousins χ²) → centroids with errors → weighted fit of
/// E = p0 + p1·ADC + p2·ADC² to the tabulated energies with covariance. A line that cannot be fitted is
/// reported and left out, never invented.
public struct StandardCalibrator: Sendable {
    public struct Options: Sendable {
        /// Minimum area/error for a line to count as found.
        public var minimumSignificance = 3.0
        /// Lines of one element whose windows overlap are fitted together; window = [c − low·σ, c + high·σ].
        public var windowLowSigmas = 6.0
        public var windowHighSigmas = 5.0
        /// A group with at least this many counts fits its own tail fraction (and slope); weaker groups take
        /// the tail of the nearest strong group.
        public var strongGroupCounts = 3000.0
        /// Whether strong groups also fit the tail slope β (else fixed at `defaultTailSlope`). Off by default:
        /// f_T and β are nearly degenerate at a batch's statistics, and β (1.3–1.5 in these SDDs) barely moves
        /// a centroid.
        public var fitTailSlope = false
        /// Covariance of the line fits: the Fisher matrix by default (no extra model passes for ~1,500 fits);
        /// `.hessian` for the exact Hessian as in single-line fits.
        public var covariance: BinnedFit<LineShapeModel>.CovarianceMethod = .fisher
        /// EDM tolerance of the line fits (10⁻⁵: the centroid within 0.005σ of the minimum).
        public var edmTolerance = 1e-5
        public var defaultTailFraction = 0.03
        public var defaultTailSlope = 1.4
        /// Quadratic term only with at least this many lines (a 3-point quadratic extrapolates wildly).
        public var quadraticMinimumLines = 4
        /// Nominal resolution used for σ seeds and for the fixed width ratios within a group.
        public var nominalResponse = DetectorResponse()
        /// A batch histogram longer than this (events over the whole 16-bit range: noise triggers near 0,
        /// overflows at 65535) keeps, after seeding, only the region of the lines the seeds place, with room
        /// for their fit windows and a nudged seed; without seeds it is kept coarser. Bounds the memory of
        /// thousands of batches.
        public var maxKeptBins = 16_384
        /// A batch whose lines lie further than this fraction of the lines' span from its neighbour's
        /// (a mislabelled batch: ~10 %; a gain drift of 1 % between batches: ~2 %), or a failed one, is
        /// refitted from seeds its neighbour's calibration predicts (``StandardCalibrator/mendingDiscontinuities(_:tolerance:)``);
        /// nil: batches are calibrated independently.
        public var continuityTolerance: Double? = 0.05
        public init() {}
    }

    public var profile: LineProfile
    public var seeder: any CentroidSeeder
    public var options: Options

    public init(profile: LineProfile = .vip2, seeder: any CentroidSeeder = PatternSeeder(), options: Options = Options()) {
        self.profile = profile
        self.seeder = seeder
        self.options = options
    }

    /// Calibrates one batch from its ADC values, histogrammed one channel per bin over the batch's own
    /// ADC range (its lowest to its highest value): the lines may lie anywhere (any gain, any zero), so
    /// the range comes from the data, not from a profile's nominal window. `seeds` overrides the seeder.
    public func calibrateBatch<C: Collection>(adc: C, cell: Int, index: Int, start: Double, end: Double,
                                              seeds: [String: Double]? = nil) -> BatchCalibration where C.Element == UInt16 {
        var lo = Int(UInt16.max), hi = -1
        for v in adc {
            lo = Swift.min(lo, Int(v))
            hi = Swift.max(hi, Int(v))
        }
        let h = hi >= lo ? Histogram.adc(adc, firstChannel: lo, channelsPerBin: 1, bins: hi - lo + 1)
            : Histogram(lowerEdge: -0.5, binWidth: 1, bins: 0)
        return calibrateBatch(windowed: h, cell: cell, index: index, start: start, end: end, seeds: seeds)
    }

    /// Calibrates one spectrum given as a histogram in ADC (a histogram file's cell: one bin per
    /// channel, or any equal-width binning) in O(channels), in its own bins over its range with counts
    /// (empty bins at either end dropped), whatever the profile: identification places the lines at any
    /// gain. A channel histogram of a batch's events thus gives the same fits as the events.
    /// `seeds` overrides the seeder.
    public func calibrateBatch(histogram: Histogram, cell: Int, index: Int = 0, start: Double = 0, end: Double = 0,
                               seeds: [String: Double]? = nil) -> BatchCalibration {
        calibrateBatch(windowed: histogram.trimmedToCounts(), cell: cell, index: index, start: start, end: end, seeds: seeds)
    }

    /// Calibrates every histogram (one batch each, index 0), in parallel on all cores; results in input order.
    public func calibrateHistograms(_ cells: [(cell: Int, histogram: Histogram)], progress: ProgressObserver? = nil) -> [BatchCalibration] {
        var out = [BatchCalibration?](repeating: nil, count: cells.count)
        let lock = NSLock()
        var done = 0
        out.withUnsafeMutableBufferPointer { buf in
            DispatchQueue.concurrentPerform(iterations: cells.count) { k in
                buf[k] = calibrateBatch(histogram: cells[k].histogram, cell: cells[k].cell)
                lock.lock(); done += 1
                progress?.progress(done: done, total: cells.count, unit: "cells")
                lock.unlock()
            }
        }
        return out.map { $0! }
    }

    /// Calibrates one batch from its histogram (the batch's whole range): seeds from all of it, then,
    /// when it is longer than `options.maxKeptBins`, only the region of the lines the seeds place is kept.
    func calibrateBatch(windowed h: Histogram, cell: Int, index: Int, start: Double, end: Double,
                        seeds: [String: Double]?) -> BatchCalibration {
        let s = seeds ?? seeder.seeds(for: h, profile: profile, cell: cell, batch: index)
        let kept = h.binCount > options.maxKeptBins ? linesRegion(of: h, seeds: s) : h
        var b = BatchCalibration(cell: cell, index: index, start: start, end: end, events: Int(h.total), histogram: kept,
                                 seeds: s, lineFits: [:], rejected: [:], calibration: nil, points: [], residuals: [],
                                 polynomialChi2: .nan, polynomialNDF: 0, status: .failed(reason: "not fitted", calibrationOf: nil))
        fitLines(&b, only: nil)
        finish(&b)
        return b
    }

    /// Refits the group containing `line` from a new seed (e.g. nudged in the inspector) and redoes the
    /// polynomial; other lines keep their fits.
    public func refitLine(_ line: String, seed: Double, in batch: BatchCalibration) -> BatchCalibration {
        var b = batch
        b.seeds[line] = seed
        fitLines(&b, only: line)
        finish(&b)
        return b
    }

    /// Calibrates every batch of every cell, batches in parallel on all cores; then mends batches that
    /// disagree with their neighbours (``Options/continuityTolerance``).
    public func calibrateDetailed(_ batched: BatchedEvents, progress: ProgressObserver? = nil) -> [BatchCalibration] {
        let list = batched.batches
        var out = [BatchCalibration?](repeating: nil, count: list.count)
        let lock = NSLock()
        var done = 0
        out.withUnsafeMutableBufferPointer { buf in
            DispatchQueue.concurrentPerform(iterations: list.count) { k in
                let bt = list[k]
                buf[k] = calibrateBatch(adc: batched.adc(of: bt), cell: bt.cell, index: bt.index, start: bt.start, end: bt.end)
                lock.lock(); done += 1
                progress?.progress(done: done, total: list.count, unit: "batches")
                lock.unlock()
            }
        }
        let batches = out.map { $0! }
        guard let tolerance = options.continuityTolerance else { return batches }
        return mendingDiscontinuities(batches, tolerance: tolerance)
    }

    /// Calibrates every batch and assembles the calibration file. A batch with fewer than two usable lines
    /// keeps its failed status and borrows the calibration of the nearest good batch of its cell (named in
    /// the status); a cell without any good batch is left out.
    public func calibrate(_ batched: BatchedEvents, source: String = "", progress: ProgressObserver? = nil) -> CalibrationSet {
        Self.assemble(calibrateDetailed(batched, progress: progress), profile: profile, batch: batched.spec.description,
                      method: "standard (seeds: \(seeder.name))", source: source)
    }

    /// Builds the calibration file from batch results (see `calibrate`).
    public static func assemble(_ batches: [BatchCalibration], profile: LineProfile, batch: String, method: String,
                                source: String) -> CalibrationSet {
        var byCell: [Int: [BatchCalibration]] = [:]
        for b in batches { byCell[b.cell, default: []].append(b) }
        var cells: [CalibrationSet.Cell] = []
        for (c, bs) in byCell {
            let sorted = bs.sorted { $0.index < $1.index }
            let good = sorted.filter { $0.calibration != nil }
            guard !good.isEmpty else { continue }
            var out: [CalibrationSet.Batch] = []
            for b in sorted {
                var cal = b.calibration, status = b.status
                if cal == nil {
                    let near = good.min { abs($0.index - b.index) < abs($1.index - b.index) }!
                    cal = near.calibration
                    status = .failed(reason: b.status.reason ?? "", calibrationOf: near.index)
                }
                out.append(CalibrationSet.Batch(index: b.index, start: b.start, end: b.end, events: b.events,
                                                calibration: cal!, status: status, lines: b.lineResults,
                                                missingLines: b.rejected.keys.sorted()))
            }
            cells.append(CalibrationSet.Cell(cell: c, batches: out))
        }
        return CalibrationSet(profile: profile.name, batch: batch, method: method, source: source, cells: cells)
    }

    /// The part of `h` around the profile's lines placed by the seeds' linear scale: from each line
    /// 3× its fit window either side (the fits and a nudged seed stay inside), at most `maxKeptBins`
    /// bins. Without a scale (fewer than two seeds) all of `h`, rebinned to fit in `maxKeptBins`.
    func linesRegion(of h: Histogram, seeds: [String: Double]) -> Histogram {
        let limit = Swift.max(1, options.maxKeptBins)
        guard let scale = linearScale(seeds) else {
            return h.rebinned(by: (h.binCount + limit - 1) / limit)
        }
        var lo = Double.infinity, hi = -Double.infinity
        for l in profile.lines {
            let x = seeds[l.id] ?? (scale.zero + l.energy / scale.gain)
            let s = options.nominalResponse.sigma(at: l.energy) / scale.gain
            lo = Swift.min(lo, x - 3 * options.windowLowSigmas * s)
            hi = Swift.max(hi, x + 3 * options.windowHighSigmas * s)
        }
        // Bin indices clamped in floating point first: seeds may come from a file.
        let n = Double(h.binCount)
        let a = ((lo - h.lowerEdge) / h.binWidth).rounded(.down), z = ((hi - h.lowerEdge) / h.binWidth).rounded(.up)
        guard a.isFinite, z.isFinite else { return h.rebinned(by: (h.binCount + limit - 1) / limit) }
        let first = Int(Swift.min(Swift.max(a, 0), n))
        let last = Swift.min(Int(Swift.min(Swift.max(z, 0), n)), first + limit)
        guard last > first else { return Histogram(lowerEdge: h.lowerEdge, binWidth: h.binWidth, bins: 0) }
        return Histogram(lowerEdge: h.lowerEdge + Double(first) * h.binWidth, binWidth: h.binWidth,
                         counts: Array(h.counts[first..<last]))
    }

    // MARK: - Steps

    /// A set of lines fitted in one window.
    struct Group {
        var lines: [SpectralLine]
        var seeds: [Double]
    }

    /// Linear gain (eV/ADC) and zero from the seeds, for σ seeds and doublet splittings in ADC.
    func linearScale(_ seeds: [String: Double]) -> (gain: Double, zero: Double)? {
        let pts = seeds.sorted { $0.key < $1.key }.compactMap { (id, x) in profile.line(id).map { ($0.energy, x) } }
        guard pts.count >= 2 else { return nil }
        let n = Double(pts.count)
        let mx = pts.reduce(0) { $0 + $1.1 } / n, me = pts.reduce(0) { $0 + $1.0 } / n
        var sxx = 0.0, sxe = 0.0
        for p in pts { sxx += (p.1 - mx) * (p.1 - mx); sxe += (p.1 - mx) * (p.0 - me) }
        guard sxx > 0, sxe / sxx > 0 else { return nil }
        let g = sxe / sxx
        return (g, mx - me / g)
    }

    func groups(seeds: [String: Double], gain: Double, zero: Double) -> [Group] {
        let calIDs = Set(profile.calibrationLineIDs)
        var out: [Group] = []
        let elements = profile.calibrationLines.map(\.element).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for el in elements {
            // Lines of this element: seeded calibration lines at their seeds, others placed by the scale
            // relative to a seeded line of the element.
            let lines = profile.lines.filter { $0.element == el }
            guard let anchor = lines.first(where: { seeds[$0.id] != nil }) else { continue }
            let placed: [(SpectralLine, Double)] = lines.map { l in
                (l, seeds[l.id] ?? (seeds[anchor.id]! + (l.energy - anchor.energy) / gain))
            }.filter { calIDs.contains($0.0.id) ? seeds[$0.0.id] != nil : true }
            // Merge overlapping windows.
            var current: Group? = nil
            var currentHigh = -Double.infinity
            for (l, x) in placed.sorted(by: { $0.1 < $1.1 }) {
                let s = options.nominalResponse.sigma(at: l.energy) / gain
                let lo = x - options.windowLowSigmas * s, hi = x + options.windowHighSigmas * s
                if var g = current, lo < currentHigh {
                    g.lines.append(l); g.seeds.append(x); current = g
                    currentHigh = Swift.max(currentHigh, hi)
                } else {
                    if let g = current { out.append(g) }
                    current = Group(lines: [l], seeds: [x])
                    currentHigh = hi
                }
            }
            if let g = current { out.append(g) }
        }
        // Keep groups holding at least one calibration line.
        return out.filter { $0.lines.contains { calIDs.contains($0.id) } }
    }

    /// Fits all groups (or only the group containing `only`), strongest first so weak groups can borrow a tail.
    func fitLines(_ b: inout BatchCalibration, only: String?) {
        let calIDs = Set(profile.calibrationLineIDs)
        for id in profile.calibrationLineIDs where b.seeds[id] == nil && (only == nil || only == id) {
            b.rejected[id] = "no seed"
            b.lineFits[id] = nil
        }
        guard let scale = linearScale(b.seeds) else { return }
        var gs = groups(seeds: b.seeds, gain: scale.gain, zero: scale.zero)
        if let id = only { gs = gs.filter { g in g.lines.contains { $0.id == id } } }
        // Counts per group window to order them.
        let h = b.histogram
        func window(_ g: Group) -> (Double, Double) {
            let lo = zip(g.lines, g.seeds).map { $1 - options.windowLowSigmas * options.nominalResponse.sigma(at: $0.energy) / scale.gain }.min()!
            let hi = zip(g.lines, g.seeds).map { $1 + options.windowHighSigmas * options.nominalResponse.sigma(at: $0.energy) / scale.gain }.max()!
            return (lo, hi)
        }
        let counted = gs.map { g -> (Group, Double) in
            let (lo, hi) = window(g)
            return (g, h.slice(lo...hi).total)
        }.sorted { $0.1 > $1.1 }
        // Tails measured by strong groups, by energy.
        var tails: [(energy: Double, f: Double, beta: Double)] = []
        // When refitting one group, the others' free-tail fits are the tails to borrow.
        for (id, o) in b.lineFits where only != nil && id != only && o.result.status == .converged
            && o.fit.errors[o.model.tailFractionIndex] > 0 {
            tails.append((profile.line(id)?.energy ?? 0, o.result.tailFraction, o.result.tailSlope))
        }
        for (g, total) in counted {
            let (lo, hi) = window(g)
            let sig0 = options.nominalResponse.sigma(at: g.lines[0].energy) / scale.gain
            // Window aligned to the histogram's bins (channels of events; a spectrum's own bins), `per` of
            // them per fitted bin so that a bin stays ≤ σ/4.
            let bw = h.binWidth
            let per = Swift.max(1, Int((sig0 / (4 * bw)).rounded(.down)))
            let first = Swift.max(0, Int(((lo - h.lowerEdge) / bw).rounded(.down)))
            let bins = first < h.binCount ? Swift.min(h.binCount - first, Int(((hi - lo) / bw).rounded(.up))) / per : 0
            guard bins >= 8 else {
                for l in g.lines where calIDs.contains(l.id) { b.rejected[l.id] = "window outside the spectrum"; b.lineFits[l.id] = nil }
                continue
            }
            let sub = Histogram(lowerEdge: h.lowerEdge + Double(first) * bw, binWidth: bw, counts: Array(h.counts[first..<(first + bins * per)]))
                .rebinned(by: per)
            var shapes = g.lines.map { LineShapeModel.Line($0, xPerEV: 1 / scale.gain) }
            var sigmas = g.lines.map { options.nominalResponse.sigma(at: $0.energy) / scale.gain }
            var centroids = g.seeds
            // Silicon escape peaks (E − 1740 eV, docs/physics.md §5) of other lines falling in the window, e.g. Mn Kα's
            // at 4155 eV next to Ti Kα: modelled at their predicted place with free area, so they do not pull the
            // centroid or the tail.
            var escapes: [(name: String, x: Double)] = []
            for parent in profile.lines where parent.energy > XRayLineTable.siliconEscapeEnergy + 500 {
                let xParent = b.seeds[parent.id] ?? (scale.zero + parent.energy / scale.gain)
                let x = xParent - XRayLineTable.siliconEscapeEnergy / scale.gain
                let e = parent.energy - XRayLineTable.siliconEscapeEnergy
                let s = options.nominalResponse.sigma(at: e) / scale.gain
                guard x > lo - 2 * s, x < hi + 2 * s else { continue }
                let shape = LineShapeModel.Line(parent, xPerEV: 1 / scale.gain)
                escapes.append(("esc_\(parent.id)", x))
                shapes.append(LineShapeModel.Line(name: "esc_\(parent.id)", offsets: shape.offsets, weights: shape.weights))
                sigmas.append(s)
                centroids.append(x)
            }
            var model = LineShapeModel(lines: shapes, histogram: sub, hasTail: true)
            var p = model.initialParameters(counts: sub.counts, centroids: centroids, sigmas: sigmas,
                                            tailFraction: options.defaultTailFraction, tailSlope: options.defaultTailSlope)
            // Widths within a group follow the nominal resolution ratio (a linear tie).
            for k in 1..<Swift.max(1, shapes.count) {
                p.tie("sigma_\(shapes[k].name)", to: "sigma_\(shapes[0].name)", scale: sigmas[k] / sigmas[0])
            }
            // Windows holding a Kα and its Kβ span ~1 keV, over which the continuum bends (docs/physics.md §5).
            if g.lines.count > 1 { p.release("bg_curvature") }
            // Lines that are not calibration points (Cu Kβ next to Cu Kα) sit at their tabulated distance from
            // the group's calibration line: only their area is free.
            if let anchor = g.lines.firstIndex(where: { calIDs.contains($0.id) }) {
                for l in g.lines where !calIDs.contains(l.id) {
                    p.tie("centroid_\(l.id)", to: "centroid_\(g.lines[anchor].id)",
                          offset: (l.energy - g.lines[anchor].energy) / scale.gain)
                }
            }
            for esc in escapes {
                p.fix("centroid_\(esc.name)", at: esc.x)
                p["area_\(esc.name)"] = 1
            }
            let meanE = g.lines.map(\.energy).reduce(0, +) / Double(g.lines.count)
            if total >= options.strongGroupCounts {
                if !options.fitTailSlope { p.fix("tail_slope", at: options.defaultTailSlope) }
            } else if let t = tails.min(by: { abs($0.energy - meanE) < abs($1.energy - meanE) }) {
                p.fix("tail_fraction", at: t.f); p.fix("tail_slope", at: t.beta)
            } else {
                p.fix("tail_fraction", at: options.defaultTailFraction); p.fix("tail_slope", at: options.defaultTailSlope)
            }
            var fitter = BinnedFit(model: model, counts: sub.counts)
            fitter.covariance = options.covariance
            fitter.edmTolerance = options.edmTolerance
            var r = fitter.minimize(p)
            if r.status != .converged && !p.fixed[p.index("tail_slope")] {
                // A vanishing tail leaves β undetermined (singular Hessian): refit with β fixed.
                p.fix("tail_slope", at: options.defaultTailSlope)
                r = fitter.minimize(p)
            }
            if r.status != .converged { (r, model) = Self.refitWithoutUnmeasurableContinuum(fitter, from: p, after: r) }
            if total >= options.strongGroupCounts && r.status == .converged {
                tails.append((meanE, r.value("tail_fraction"), r.value("tail_slope")))
            }
            for (k, l) in g.lines.enumerated() where calIDs.contains(l.id) {
                let res = LineFitResult(model: model, fit: r, lineIndex: k, unit: "ADC")
                b.lineFits[l.id] = LineFitOutcome(result: res, fit: r, model: model)
                b.rejected[l.id] = reject(res, seed: g.seeds[k], nominalSigma: sigmas[k])
            }
        }
    }

    /// A group fit that did not converge, refitted with a simpler continuum. At a few hundred counts
    /// per group (a 48 h batch at a tenth of the usual rate) the continuum is ~0.05 counts per bin:
    /// the minimizer then runs into the edge of the region where the background polynomial stays
    /// ≥ 0 (a bound on `bg_const` alone does not keep the slope and curvature from turning it
    /// negative in part of the window, where every step is refused) or zig-zags in the flat
    /// directions of the curvature and the escape peaks' areas, and stops at its iteration limit
    /// with the lines themselves long settled. Then, in turn:
    /// 1. a background that ended on its bound 0 is no measurable continuum: fixed at zero, refitted
    ///    from where the fit got to;
    /// 2. a released curvature is fixed at 0 (a straight continuum), refitted from the start values;
    /// 3. a straight continuum measured from the window's edge where it is lowest (the model's
    ///    background reference moved there): its positivity at that edge, the wall the fit kept
    ///    running into, is then the box bound `bg_const` ≥ 0, which the minimizer's active set
    ///    handles, instead of a region no parameter bound describes (`sddcal faults --seeds 20
    ///    --rate 1000`: 10 of the clean cells' ~6,300 batches lost their Ti or Mn group so, the
    ///    background negative at one edge, the edge bin's expectation ~10⁻¹⁶ held up by the lines' tails).
    /// The first fit that converges is returned with its model, else the last.
    static func refitWithoutUnmeasurableContinuum(_ fitter: BinnedFit<LineShapeModel>, from start: FitParameters,
                                                  after first: FitResult) -> (FitResult, LineShapeModel) {
        var r = first
        if r.parametersAtLimit.contains("bg_const") {
            var q = start
            for k in q.freeIndices { q.values[k] = r.values[k] }
            for name in ["bg_const", "bg_slope", "bg_curvature"] { q.fix(name, at: 0) }
            r = fitter.minimize(q)
            if r.status == .converged { return (r, fitter.model) }
        }
        if !start.fixed[start.index("bg_curvature")] {
            var q = start
            q.fix("bg_curvature", at: 0)
            r = fitter.minimize(q)
            if r.status == .converged { return (r, fitter.model) }
        }
        let m = fitter.model
        guard let left = m.centers.first, let right = m.centers.last, !start.fixed[start.index("bg_const")] else { return (r, m) }
        // The first fit's background at the window's two outermost bin centres (counts per x unit).
        func background(_ x: Double) -> Double {
            let dx = x - m.backgroundReference
            return first.value("bg_const") + dx * (first.value("bg_slope") + dx * first.value("bg_curvature"))
        }
        let (edge, other) = background(left) <= background(right) ? (left, right) : (right, left)
        let anchored = LineShapeModel(lines: m.lines, lowerEdge: left - 0.5 * m.binWidth, binWidth: m.binWidth, bins: m.binCount,
                                      hasTail: m.hasTail, backgroundReference: edge)
        var f = BinnedFit(model: anchored, counts: fitter.counts, statistic: fitter.statistic)
        f.maxIterations = fitter.maxIterations
        f.edmTolerance = fitter.edmTolerance
        f.covariance = fitter.covariance
        var q = start
        q.fix("bg_curvature", at: 0)
        // The straight line through the first fit's background at the two edges, from 0 at the low one.
        let low = Swift.max(0, background(edge)), high = Swift.max(0, background(other))
        q["bg_const"] = low
        if !q.fixed[q.index("bg_slope")] { q["bg_slope"] = (high - low) / (other - edge) }
        let a = f.minimize(q)
        return (a, anchored)
    }

    /// Why a fitted line is not usable, or nil when it is.
    func reject(_ r: LineFitResult, seed: Double, nominalSigma: Double) -> String? {
        if r.status != .converged { return "fit \(r.status.rawValue)" }
        guard r.centroidError > 0, r.centroidError.isFinite else { return "no centroid error" }
        guard r.areaError > 0, r.area / r.areaError >= options.minimumSignificance else {
            return String(format: "not significant (area/error %.1f)", r.areaError > 0 ? r.area / r.areaError : 0)
        }
        if abs(r.centroid - seed) > Swift.max(3 * nominalSigma, 10) { return String(format: "moved %.0f ADC from its seed", r.centroid - seed) }
        if r.sigma < 0.3 * nominalSigma || r.sigma > 3 * nominalSigma { return String(format: "implausible width σ = %.1f ADC", r.sigma) }
        return nil
    }

    /// The polynomial from the accepted lines and the batch status.
    func finish(_ b: inout BatchCalibration) {
        var pts: [CalibrationPoint] = []
        for line in profile.calibrationLines {
            guard b.rejected[line.id] == nil, let o = b.lineFits[line.id] else { continue }
            pts.append(CalibrationPoint(line: line.id, adc: o.result.centroid, adcError: o.result.centroidError, energy: line.energy))
        }
        let missing = profile.calibrationLineIDs.filter { id in !pts.contains { $0.line == id } }
        let reasons = missing.map { "\($0) (\(b.rejected[$0] ?? "not fitted"))" }.joined(separator: ", ")
        if let f = CalibrationPolynomial.fit(pts, quadraticMinimum: options.quadraticMinimumLines), f.calibration.p1 > 0 {
            b.calibration = f.calibration
            b.points = pts
            b.residuals = f.residuals
            b.polynomialChi2 = f.chi2
            b.polynomialNDF = f.ndf
            b.status = missing.isEmpty ? .ok : .partial(reason: "missing \(reasons)")
        } else {
            b.calibration = nil
            b.points = []
            b.residuals = []
            b.status = .failed(reason: "\(pts.count) usable line(s); missing \(reasons)", calibrationOf: nil)
        }
    }
}
