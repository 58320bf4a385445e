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

    /// Per channel of a group's range: u, log u′, w and w′/u′ at curvature q (channels repeat across
    /// events, so these are computed once per evaluation instead of once per event).
    struct ChannelTerms {
        let first: Int
        let u: [Double], logDu: [Double], w: [Double], r: [Double]
        var valid: Bool
        init(_ model: SmoothCellModel, channels: ClosedRange<Int>, curvature q: Double) {
            first = channels.lowerBound
            var u: [Double] = [], l: [Double] = [], w: [Double] = [], r: [Double] = []
            u.reserveCapacity(channels.count); l.reserveCapacity(channels.count); w.reserveCapacity(channels.count); r.reserveCapacity(channels.count)
            var ok = true
            for c in channels {
                let s = model.shape(Double(c), curvature: q)
                if !(s.du > 0) { ok = false }
                u.append(s.u); l.append(Foundation.log(s.du)); w.append(s.w); r.append(s.dw / s.du)
            }
            self.u = u; logDu = l; self.w = w; self.r = r; valid = ok
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
        @inline(__always) func at(_ k: Int, _ l: Double) -> Double {
            let y = l * delta[k]
            if abs(y) > 0.01 { return base[k] * Foundation.exp(y) }
            let c5: Double = 1.0 / 120, c4: Double = 1.0 / 24, c3: Double = 1.0 / 6
            var p: Double = c4 + y * c5
            p = c3 + y * p
            p = 0.5 + y * p
            p = 1 + y * p
            return base[k] * (1 + y * p)
        }
    }

    func channelTerms(group gi: Int, curvature q: Double) -> ChannelTerms {
        let ch = events.channel[gi]
        guard let lo = ch.min(), let hi = ch.max() else { return ChannelTerms(model, channels: 0...0, curvature: q) }
        return ChannelTerms(model, channels: Int(lo)...Int(hi), curvature: q)
    }
    public var parameterCount: Int { 2 * knots + 1 }

    /// The loss at x; +∞ where the calibration is not increasing or a window is empty.
    public func value(_ x: [Double]) -> Double {
        let q = x[2 * knots]
        let gains = IntervalGains(x, knots: knots)
        var total = 0.0
        for gi in events.groups.indices {
            let phiT = logDensity[gi], cT = cdf[gi]
            let edges = events.edges[gi]
            let ul = edges.map { model.shape($0[0], curvature: q).u }, uh = edges.map { model.shape($0[1], curvature: q).u }
            let iv = events.interval[gi], lam = events.lambda[gi], ch = events.channel[gi]
            let terms = channelTerms(group: gi, curvature: q)
            if !terms.valid { return .infinity }
            var sum = 0.0
            for i in Swift.stride(from: 0, to: iv.count, by: stride) {
                let k = Int(iv[i]), l = lam[i]
                let o = x[2 * k] + l * (x[2 * k + 2] - x[2 * k])
                let g = x[2 * k + 1] + l * (x[2 * k + 3] - x[2 * k + 1])
                let G = gains.at(k, l)
                let c = Int(ch[i]) - terms.first
                let n = cT.value(o + G * uh[k]) - cT.value(o + G * ul[k])
                if !(n > 0) { return .infinity }
                sum += -phiT.value(o + G * terms.u[c]) - g - terms.logDu[c] + Foundation.log(n)
            }
            total += sum
        }
        return total
    }

    /// Loss, gradient and Hessian at x (value +∞ and zero derivatives where the loss is not finite).
    public func evaluate(_ x: [Double]) -> (value: Double, gradient: [Double], hessian: BorderedBlockTridiagonal) {
        let nk = knots
        let q = x[2 * nk]
        let gains = IntervalGains(x, knots: nk)
        var grad = [Double](repeating: 0, count: 2 * nk + 1)
        var h = BorderedBlockTridiagonal(knots: nk)
        var total = 0.0
        var gq = 0.0, cornerSum = 0.0
        for gi in events.groups.indices {
            let phiT = logDensity[gi], cT = cdf[gi]
            let edges = events.edges[gi]
            let lo = edges.map { model.shape($0[0], curvature: q) }, hi = edges.map { model.shape($0[1], curvature: q) }
            let iv = events.interval[gi], lam = events.lambda[gi], ch = events.channel[gi]
            let terms = channelTerms(group: gi, curvature: q)
            if !terms.valid { return (.infinity, grad.map { _ in 0 }, BorderedBlockTridiagonal(knots: nk)) }
            // Sums for the current interval, flushed when the interval changes (events are time-ordered).
            var cur = -1
            var d0 = SIMD4<Double>.zero, d1 = SIMD4<Double>.zero, up = SIMD4<Double>.zero
            var b0 = SIMD2<Double>.zero, b1 = SIMD2<Double>.zero, g0 = SIMD2<Double>.zero, g1 = SIMD2<Double>.zero
            func flush() {
                guard cur >= 0 else { return }
                h.diagonal[cur] += d0; h.diagonal[cur + 1] += d1; h.upper[cur] += up
                h.border[cur] += b0; h.border[cur + 1] += b1
                grad[2 * cur] += g0[0]; grad[2 * cur + 1] += g0[1]; grad[2 * cur + 2] += g1[0]; grad[2 * cur + 3] += g1[1]
                d0 = .zero; d1 = .zero; up = .zero; b0 = .zero; b1 = .zero; g0 = .zero; g1 = .zero
            }
            for i in Swift.stride(from: 0, to: iv.count, by: stride) {
                let k = Int(iv[i]), l = lam[i]
                if k != cur { flush(); cur = k }
                let o = x[2 * k] + l * (x[2 * k + 2] - x[2 * k])
                let g = x[2 * k + 1] + l * (x[2 * k + 3] - x[2 * k + 1])
                let G = gains.at(k, l)
                let c = Int(ch[i]) - terms.first
                let el = o + G * lo[k].u, eh = o + G * hi[k].u
                let cl = cT.evaluate(el), chh = cT.evaluate(eh)
                let n = chh.value - cl.value
                if !(n > 0) { return (.infinity, grad.map { _ in 0 }, BorderedBlockTridiagonal(knots: nk)) }
                let su = terms.u[c]
                let p = phiT.evaluate(o + G * su)
                total += -p.value - g - terms.logDu[c] + Foundation.log(n)

                // Line density term −φ(E) and Jacobian term −log E′.
                let gu = G * su, gw = G * terms.w[c], r = terms.r[c]
                var ao = -p.d1, ag = -p.d1 * gu - 1, aq = -p.d1 * gw - r
                var hoo = -p.d2, hog = -p.d2 * gu, hoq = -p.d2 * gw
                var hgg = -p.d2 * gu * gu - p.d1 * gu, hgq = -p.d2 * gu * gw - p.d1 * gw, hqq = -p.d2 * gw * gw + r * r
                // Normalisation log N, N = F(E_hi) − F(E_lo).
                let inv = 1 / n
                let uh = G * hi[k].u, wh = G * hi[k].w, ulo = G * lo[k].u, wlo = G * lo[k].w
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
                g0 += w0 * ga; g1 += w1 * ga
                gq += aq; cornerSum += hqq
            }
            flush()
        }
        grad[2 * nk] = gq
        h.corner = cornerSum
        return (total, grad, h)
    }
}
