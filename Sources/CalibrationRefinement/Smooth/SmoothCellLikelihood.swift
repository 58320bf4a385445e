import Foundation
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
/// edges), checked against finite differences in the tests.
public struct SmoothCellLikelihood: Sendable {
    public let model: SmoothCellModel
    public let events: SmoothCellEvents
    /// Per group: tables of log f and of F.
    public let logDensity: [HermiteTable]
    public let cdf: [HermiteTable]
    /// Use every `stride`-th event (1: all). A first rough fit on a subsample costs a fraction of a pass.
    public var stride: Int = 1

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

    /// The first index ≥ `first` that the stride visits (indices 0, stride, 2·stride, …).
    @inline(__always) func firstVisited(_ first: Int, _ stride: Int) -> Int {
        let r = first % stride
        return r == 0 ? first : first + stride - r
    }

    /// Runs `body` with group gi's tables (log f, F), its channel terms, λ and channel offsets, all
    /// read through unchecked buffers.
    @inline(__always) func withGroupBuffers<R>(_ gi: Int, _ terms: ChannelTerms,
                                               _ body: (_ phiT: HermiteTable.Kernel, _ cT: HermiteTable.Kernel, _ tv: UnsafeBufferPointer<SIMD4<Double>>,
                                                        _ lam: UnsafeBufferPointer<Double>, _ cho: UnsafeBufferPointer<Int32>) -> R) -> R {
        logDensity[gi].withKernel { phiT in cdf[gi].withKernel { cT in
        terms.values.withUnsafeBufferPointer { tv in
        events.lambda[gi].withUnsafeBufferPointer { lam in
        events.channelOffset[gi].withUnsafeBufferPointer { cho in body(phiT, cT, tv, lam, cho) }}}}}
    }

    // The per-event loops below walk each group's runs of events in one knot interval (events are
    // time-ordered), with every per-interval term hoisted, and read the event arrays, the channel
    // terms and the tables through unchecked buffers: every index is in range by construction
    // (run bounds ≤ the event count, channel offsets < the channel range, knot intervals < K − 1,
    // table indices checked in ``HermiteTable/Kernel``). The arithmetic per event is unchanged.

    /// The loss at x; +∞ where the calibration is not increasing or a window is empty.
    public func value(_ x: [Double]) -> Double {
        let q = x[2 * knots]
        let gains = IntervalGains(x, knots: knots)
        let st = max(1, stride)
        var total = 0.0
        for gi in events.groups.indices {
            let edges = events.edges[gi]
            let ul = edges.map { model.shape($0[0], curvature: q).u }, uh = edges.map { model.shape($0[1], curvature: q).u }
            let terms = channelTerms(group: gi, curvature: q)
            if !terms.valid { return .infinity }
            let sum: Double? = withGroupBuffers(gi, terms) { phiT, cT, tv, lam, cho in
                var sum = 0.0
                for run in events.runs[gi] {
                    let k = Int(run[0]), end = Int(run[2])
                    var i = firstVisited(Int(run[1]), st)
                    if i >= end { continue }
                    let line = gains.interval(k, x)
                    let uhk = uh[k], ulk = ul[k]
                    while i < end {
                        let l = lam[i]
                        let o = line.offset(l), g = line.logGain(l), G = line.gain(l)
                        let t = tv[Int(cho[i])]
                        let n = cT.value(o + G * uhk) - cT.value(o + G * ulk)
                        if !(n > 0) { return nil }
                        sum += -phiT.value(o + G * t[0]) - g - t[1] + Foundation.log(n)
                        i += st
                    }
                }
                return sum
            }
            guard let sum else { return .infinity }
            total += sum
        }
        return total
    }

    /// Loss, gradient and Hessian at x (value +∞ and zero derivatives where the loss is not finite).
    public func evaluate(_ x: [Double]) -> (value: Double, gradient: [Double], hessian: BorderedBlockTridiagonal) {
        let nk = knots
        let q = x[2 * nk]
        let gains = IntervalGains(x, knots: nk)
        let st = max(1, stride)
        var grad = [Double](repeating: 0, count: 2 * nk + 1)
        var h = BorderedBlockTridiagonal(knots: nk)
        var total = 0.0
        var gq = 0.0, cornerSum = 0.0
        let failure = (Double.infinity, [Double](repeating: 0, count: 2 * nk + 1), BorderedBlockTridiagonal(knots: nk))
        for gi in events.groups.indices {
            let edges = events.edges[gi]
            let lo = edges.map { model.shape($0[0], curvature: q) }, hi = edges.map { model.shape($0[1], curvature: q) }
            let terms = channelTerms(group: gi, curvature: q)
            if !terms.valid { return failure }
            let ok = withGroupBuffers(gi, terms) { phiT, cT, tv, lam, cho in
                for run in events.runs[gi] {
                    let k = Int(run[0]), end = Int(run[2])
                    var i = firstVisited(Int(run[1]), st)
                    if i >= end { continue }
                    let line = gains.interval(k, x)
                    let loU = lo[k].u, loW = lo[k].w, hiU = hi[k].u, hiW = hi[k].w
                    // Sums of this interval, added to the Hessian and gradient at its end.
                    var d0 = SIMD4<Double>.zero, d1 = SIMD4<Double>.zero, up = SIMD4<Double>.zero
                    var b0 = SIMD2<Double>.zero, b1 = SIMD2<Double>.zero, g0s = SIMD2<Double>.zero, g1s = SIMD2<Double>.zero
                    while i < end {
                        let l = lam[i]
                        let o = line.offset(l), g = line.logGain(l), G = line.gain(l)
                        let t = tv[Int(cho[i])]
                        let el = o + G * loU, eh = o + G * hiU
                        let cl = cT.evaluate(el), chh = cT.evaluate(eh)
                        let n = chh.value - cl.value
                        if !(n > 0) { return false }
                        let su = t[0]
                        let p = phiT.evaluate(o + G * su)
                        total += -p.value - g - t[1] + Foundation.log(n)

                        // Line density term −φ(E) and Jacobian term −log E′.
                        let gu = G * su, gw = G * t[2], r = t[3]
                        var ao = -p.d1, ag = -p.d1 * gu - 1, aq = -p.d1 * gw - r
                        var hoo = -p.d2, hog = -p.d2 * gu, hoq = -p.d2 * gw
                        var hgg = -p.d2 * gu * gu - p.d1 * gu, hgq = -p.d2 * gu * gw - p.d1 * gw, hqq = -p.d2 * gw * gw + r * r
                        // Normalisation log N, N = F(E_hi) − F(E_lo).
                        let inv = 1 / n
                        let uh = G * hiU, wh = G * hiW, ulo = G * loU, wlo = G * loW
                        let fh = chh.d1 * inv, fl = cl.d1 * inv, fph = chh.d2 * inv, fpl = cl.d2 * inv
                        let no = fh - fl, ng = fh * uh - fl * ulo, nq = fh * wh - fl * wlo
                        ao += no; ag += ng; aq += nq
                        hoo += fph - fpl - no * no
                        hog += fph * uh - fpl * ulo - no * ng
                        hoq += fph * wh - fpl * wlo - no * nq
                        hgg += fph * uh * uh - fpl * ulo * ulo + fh * uh - fl * ulo - ng * ng
                        hgq += fph * uh * wh - fpl * ulo * wlo + fh * wh - fl * wlo - ng * nq
                        hqq += fph * wh * wh - fpl * wlo * wlo - nq * nq

                        // Scatter to knots k (weight 1 − λ) and k + 1 (weight λ).
                        let w0 = 1 - l, w1 = l
                        let blk = SIMD4(hoo, hog, hog, hgg), bq = SIMD2(hoq, hgq), ga = SIMD2(ao, ag)
                        d0 += (w0 * w0) * blk; d1 += (w1 * w1) * blk; up += (w0 * w1) * blk
                        b0 += w0 * bq; b1 += w1 * bq
                        g0s += w0 * ga; g1s += w1 * ga
                        gq += aq; cornerSum += hqq
                        i += st
                    }
                    h.diagonal[k] += d0; h.diagonal[k + 1] += d1; h.upper[k] += up
                    h.border[k] += b0; h.border[k + 1] += b1
                    grad[2 * k] += g0s[0]; grad[2 * k + 1] += g0s[1]; grad[2 * k + 2] += g1s[0]; grad[2 * k + 3] += g1s[1]
                }
                return true
            }
            if !ok { return failure }
        }
        grad[2 * nk] = gq
        h.corner = cornerSum
        return (total, grad, h)
    }
}
