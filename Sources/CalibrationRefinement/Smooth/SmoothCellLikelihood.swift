import Foundation
import LikelihoodKernels
import SDDCore

/// The negative log-likelihood of one cell's events under a calibration that is linear in time
/// between knots, with its exact gradient and Hessian.
///
/// Parameters x = (o_0, g_0, o_1, g_1, …, o_{K−1}, g_{K−1}, q) (see ``SmoothCellModel``). An event
/// with ADC channel x at time t in interval k (position λ) has coefficients o(t) = (1−λ)o_k + λo_{k+1},
/// g(t) likewise, and contributes
///
///     −log f(E(x, t)) − log E′(x, t) + log[F(E(x_hi, t)) − F(E(x_lo, t))]
///
/// with f the group's energy density (lines + background, ``LineGroupDensity``), E′ = dE/dADC the
/// Jacobian that makes it a density in ADC, and F the density's integral: the normalisation over
/// the interval's fixed ADC window [x_lo, x_hi] at the event's own time. Unbinned: every event at its
/// own time and channel. Derivatives are written out (chain rule through E, E′ and the window
/// edges), checked against finite differences in the tests. The per-event loops are C kernels
/// (``LikelihoodKernels``: four events per vector, AVX-512 or AVX2 + FMA chosen at run time),
/// checked against a plain event-by-event loop in the tests.
public struct SmoothCellLikelihood: Sendable {
    public let model: SmoothCellModel
    public let events: SmoothCellEvents
    /// Per group: tables of log f and of F.
    public let logDensity: [HermiteTable]
    public let cdf: [HermiteTable]
    /// Use every `stride`-th event (1: all). A first rough fit on a subsample costs a fraction of a pass.
    public var stride: Int = 1
    /// Groups whose events inform the curvature q only, not the knots (the weak highest line, Cu):
    /// they are evaluated with the knot coefficients of ``frozenKnots`` and the current q, and add to
    /// the loss, q's gradient and q's Hessian entry only. Why: a knot interval of an hour holds less
    /// than one Cu event, and a Cu event that moves its own knot pulls itself onto the line (in-sample
    /// narrowing, ~h·FWHM for a leverage h of a few per cent), while its information on the drift is
    /// < 1 % of the strong lines'. The loss is then a proper function of x for fixed frozen knots
    /// (Newton and its line search stay consistent); refitting with the frozen knots updated converges
    /// to the solution of ∂(strong + prior)/∂knots = 0, ∂(all + prior)/∂q = 0 (a two-stage estimate).
    /// Empty: every group informs everything.
    public var curvatureOnlyGroups: Set<Int> = []
    /// Knot coefficients (o_0, g_0, …; length ≥ 2K) the curvature-only groups are evaluated with;
    /// nil: the current x (only meaningful while no curvature-only group is set).
    public var frozenKnots: [Double]? = nil
    /// With curvature-only groups: the q the other groups are evaluated with (they then add nothing to
    /// q's gradient, Hessian entry and border: they inform the knots only); nil: the current q.
    /// Together: a two-stage estimate, knots from the strong lines at the curvature, the curvature from
    /// the highest line at the knots, refitted in turn until both settle.
    public var frozenCurvature: Double? = nil

    public init(model: SmoothCellModel, events: SmoothCellEvents, logDensity: [HermiteTable], cdf: [HermiteTable]) {
        precondition(logDensity.count == events.groups.count && cdf.count == events.groups.count)
        self.model = model; self.events = events; self.logDensity = logDensity; self.cdf = cdf
    }

    public var knots: Int { events.grid.count }

    /// Per channel of a group's range: (u, log u′, w, w′/u′) at curvature q (channels repeat across
    /// events, so these are computed once per evaluation instead of once per event).
    struct ChannelTerms {
        let values: [SIMD4<Double>]
        var valid: Bool
        init(_ model: SmoothCellModel, channels: ClosedRange<Int>, curvature q: Double) {
            var v: [SIMD4<Double>] = []
            v.reserveCapacity(channels.count)
            var ok = true
            for c in channels {
                let s = model.shape(Double(c), curvature: q)
                if !(s.du > 0) { ok = false }
                v.append(SIMD4(s.u, Foundation.log(s.du), s.w, s.dw / s.du))
            }
            values = v; valid = ok
        }
    }

    /// exp(g) inside each interval without an exp per event: exp(g_k + λΔ) = exp(g_k)·exp(λΔ), and
    /// for |Δ| ≤ 0.01 (hourly knots: Δ ~ 10⁻⁴) the degree-5 Taylor polynomial of exp(λΔ) is exact to
    /// 2·10⁻¹⁵ relative; wider steps call exp.
    struct IntervalGains {
        let base: [Double], delta: [Double]
        init(_ x: [Double], knots: Int) {
            var b: [Double] = [], d: [Double] = []
            for k in 0..<max(1, knots - 1) {
                let g0: Double = x[2 * k + 1], g1: Double = x[2 * k + 3]
                b.append(Foundation.exp(g0)); d.append(g1 - g0)
            }
            base = b; delta = d
        }
        /// Interval k's terms at coefficients x (the same x the gains were made from).
        @inline(__always) func interval(_ k: Int, _ x: [Double]) -> Interval {
            Interval(o0: x[2 * k], dO: x[2 * k + 2] - x[2 * k], g0: x[2 * k + 1], dG: x[2 * k + 3] - x[2 * k + 1],
                     gainBase: base[k], gainDelta: delta[k])
        }
        /// One interval's coefficient lines o(λ) = o_k + λ(o_{k+1} − o_k), g(λ) likewise, and its gain
        /// exp(g(λ)): the per-interval terms of the per-event loops, computed once per interval.
        struct Interval {
            let o0: Double, dO: Double, g0: Double, dG: Double, gainBase: Double, gainDelta: Double
            @inline(__always) func offset(_ l: Double) -> Double { o0 + l * dO }
            @inline(__always) func logGain(_ l: Double) -> Double { g0 + l * dG }
            @inline(__always) func gain(_ l: Double) -> Double { IntervalGains.gain(base: gainBase, delta: gainDelta, l) }
        }
        /// exp(g_k)·exp(λΔ) from exp(g_k) and Δ of one interval.
        @inline(__always) static func gain(base: Double, delta: Double, _ l: Double) -> Double {
            let y = l * delta
            if abs(y) > 0.01 { return base * Foundation.exp(y) }
            let c5: Double = 1.0 / 120, c4: Double = 1.0 / 24, c3: Double = 1.0 / 6
            var p: Double = c4 + y * c5
            p = c3 + y * p
            p = 0.5 + y * p
            p = 1 + y * p
            return base * (1 + y * p)
        }
    }

    func channelTerms(group gi: Int, curvature q: Double) -> ChannelTerms {
        ChannelTerms(model, channels: events.channelRange[gi], curvature: q)
    }
    public var parameterCount: Int { 2 * knots + 1 }

    /// Per knot interval the window edges' (u, w) at curvature q: lower u, lower w, upper u, upper w.
    func edgeTerms(group gi: Int, curvature q: Double) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(4 * events.edges[gi].count)
        for e in events.edges[gi] {
            let lo = model.shape(e[0], curvature: q), hi = model.shape(e[1], curvature: q)
            out += [lo.u, lo.w, hi.u, hi.w]
        }
        return out
    }

    /// Runs `body` with group gi's tables and its events at x as the C kernels read them
    /// (``LikelihoodKernels``: the per-event loops, four events per vector). The pointers live for the closure.
    func withKernelGroup<R>(_ gi: Int, x: [Double], gains: IntervalGains, edges: [Double], terms: ChannelTerms,
                            _ body: (UnsafePointer<sdd_hermite_table>, UnsafePointer<sdd_hermite_table>, UnsafePointer<sdd_smooth_group>) -> R) -> R {
        logDensity[gi].withKernelTable { phiT in cdf[gi].withKernelTable { cT in
            events.withKernelGroup(gi, x: x, gains: gains, edges: edges, terms: terms.values, stride: stride) { body(phiT, cT, $0) }
        }}
    }

    /// The coefficients a curvature-only group is evaluated with at x: the frozen knots and x's q.
    func frozenCoefficients(_ x: [Double]) -> [Double]? {
        guard !curvatureOnlyGroups.isEmpty, let f = frozenKnots, f.count >= 2 * knots else { return nil }
        var y = Array(f.prefix(2 * knots))
        y.append(x[2 * knots])
        return y
    }

    /// The curvature group gi is evaluated with at x.
    func curvature(group gi: Int, _ x: [Double]) -> Double {
        if let qf = frozenCurvature, !curvatureOnlyGroups.isEmpty, !curvatureOnlyGroups.contains(gi) { return qf }
        return x[2 * knots]
    }

    /// The loss at x; +∞ where the calibration is not increasing or a window is empty.
    public func value(_ x: [Double]) -> Double {
        let gains = IntervalGains(x, knots: knots)
        let frozen = frozenCoefficients(x)
        let frozenGains = frozen.map { IntervalGains($0, knots: knots) }
        var total = 0.0
        for gi in events.groups.indices {
            let q = curvature(group: gi, x)
            var x = x
            x[2 * knots] = q
            let terms = channelTerms(group: gi, curvature: q)
            if !terms.valid { return .infinity }
            let useFrozen = frozen != nil && curvatureOnlyGroups.contains(gi)
            let ok = withKernelGroup(gi, x: useFrozen ? frozen! : x, gains: useFrozen ? frozenGains! : gains,
                                     edges: edgeTerms(group: gi, curvature: q), terms: terms) {
                sdd_smooth_value($0, $1, $2, &total)
            }
            if ok == 0 { return .infinity }
        }
        return total
    }

    /// Adds group gi's `terms` at coefficients x and curvature q to `sums`: the loss and q's terms
    /// there, the blocks, border and gradient into h and grad (SIMD4/SIMD2 of doubles: contiguous, as
    /// the kernel writes them). False where the loss is not finite.
    private func addGroup(_ gi: Int, x: [Double], curvature q: Double, channels: ChannelTerms, terms: sdd_smooth_terms,
                          to sums: inout sdd_smooth_sums, _ h: inout BorderedBlockTridiagonal, _ grad: inout [Double]) -> Bool {
        let ok = h.diagonal.withUnsafeMutableBufferPointer { d in h.upper.withUnsafeMutableBufferPointer { u in
        h.border.withUnsafeMutableBufferPointer { b in grad.withUnsafeMutableBufferPointer { g in
            sums.diagonal = UnsafeMutableRawPointer(d.baseAddress)?.assumingMemoryBound(to: Double.self)
            sums.upper = UnsafeMutableRawPointer(u.baseAddress)?.assumingMemoryBound(to: Double.self)
            sums.border = UnsafeMutableRawPointer(b.baseAddress)?.assumingMemoryBound(to: Double.self)
            sums.gradient = g.baseAddress
            defer { sums.diagonal = nil; sums.upper = nil; sums.border = nil; sums.gradient = nil }
            return withKernelGroup(gi, x: x, gains: IntervalGains(x, knots: knots), edges: edgeTerms(group: gi, curvature: q),
                                   terms: channels) { sdd_smooth_evaluate($0, $1, $2, terms, &sums) }
        }}}}
        return ok != 0
    }

    /// Loss, gradient and Hessian at x (value +∞ and zero derivatives where the loss is not finite).
    public func evaluate(_ x: [Double]) -> (value: Double, gradient: [Double], hessian: BorderedBlockTridiagonal) {
        let nk = knots
        let xCurrent = x
        var grad = [Double](repeating: 0, count: 2 * nk + 1)
        var h = BorderedBlockTridiagonal(knots: nk)
        let failure = (Double.infinity, [Double](repeating: 0, count: 2 * nk + 1), BorderedBlockTridiagonal(knots: nk))
        var sums = sdd_smooth_sums()
        let frozen = frozenCoefficients(x)
        let knotsOnly = frozenCurvature != nil && !curvatureOnlyGroups.isEmpty
        for gi in events.groups.indices {
            let q = curvature(group: gi, xCurrent)
            let channels = channelTerms(group: gi, curvature: q)
            if !channels.valid { return failure }
            // A curvature-only group at the frozen knots adds the loss and q's terms only; with a frozen
            // curvature the other groups add no q terms (nor border): they inform the knots only.
            var x = xCurrent, terms = SDD_SMOOTH_ALL_TERMS
            if let xf = frozen, curvatureOnlyGroups.contains(gi) {
                x = xf; terms = SDD_SMOOTH_CURVATURE_TERMS
            } else {
                x[2 * nk] = q
                if knotsOnly && !curvatureOnlyGroups.contains(gi) { terms = SDD_SMOOTH_KNOT_TERMS }
            }
            if !addGroup(gi, x: x, curvature: q, channels: channels, terms: terms, to: &sums, &h, &grad) { return failure }
        }
        grad[2 * nk] = sums.curvature_gradient
        h.corner = sums.curvature_hessian
        return (sums.value, grad, h)
    }
}
