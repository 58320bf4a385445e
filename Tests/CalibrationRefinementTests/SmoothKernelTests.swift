import XCTest
@testable import CalibrationRefinement
import LikelihoodKernels
import SDDCore

/// The smooth refinement's fast kernels (interval runs, channel offsets, unchecked tables, the EM
/// over occupied bins) against plain reference loops written from the definitions.
final class SmoothKernelTests: XCTestCase {
    func testLikelihoodKernelsMatchAnEventByEventSum() {
        var (like, x) = SmoothFixtures.cellLikelihood()
        XCTAssertEqual(like.events.interval.map(\.count), like.events.counts)
        XCTAssertGreaterThan(like.events.counts[0], 1000)
        for stride in [1, 3] {
            like.stride = stride
            let ref = SmoothFixtures.reference(like, x, stride: stride).value
            XCTAssertEqual(like.value(x), ref, accuracy: 1e-11 * abs(ref), "stride \(stride)")
            XCTAssertEqual(like.evaluate(x).value, ref, accuracy: 1e-11 * abs(ref), "stride \(stride)")
        }
        // The computed channel array is the events' ADC channels: whole channels, each inside the window
        // of the event's own interval (the computed interval array, event by event).
        let ch = like.events.channel, iv = like.events.interval
        for gi in ch.indices {
            XCTAssertEqual(ch[gi].count, iv[gi].count)
            for (c, k) in zip(ch[gi], iv[gi]) {
                let w = like.events.edges[gi][Int(k)]
                XCTAssertTrue(c == c.rounded() && c > w[0] && c < w[1], "group \(gi): channel \(c), interval \(k) window \(w)")
            }
        }
    }

    /// EM for fixed component shapes against the textbook loop over all bins.
    func testNuisanceEMMatchesTheTextbookUpdate() {
        let (like, x) = SmoothFixtures.cellLikelihood()
        let fit = SmoothNuisanceFit()
        let hists = fit.histograms(like.events, model: like.model, x: x)
        var response = DetectorResponse()
        response.enc = 12; response.tailFraction = 0.03; response.tailSlope = 1.4
        for (gi, group) in like.events.groups.enumerated() {
            var h = hists[gi]
            h.counts[3] = 0; h.counts[4] = 0      // empty bins are skipped by the fast path
            let nc = group.componentCount, nb = h.counts.count
            let shapes = group.shapes(response)
            var p = [[Double]](repeating: [Double](repeating: 0, count: nb), count: nc)
            for j in 0..<nc {
                let c = (0...nb).map { group.component(j, shapes: shapes, at: h.lowerEdge + Double($0) * h.binWidth).cdf }
                let mass = c[nb] - c[0]
                for b in 0..<nb { p[j][b] = max(0, c[b + 1] - c[b]) / mass }
            }
            var pi = [Double](repeating: 1 / Double(nc), count: nc)
            let n = h.total
            for _ in 0..<fit.emIterations {
                var mix = [Double](repeating: 0, count: nb)
                for b in 0..<nb { for j in 0..<nc { mix[b] += pi[j] * p[j][b] } }
                var next = [Double](repeating: 0, count: nc)
                for j in 0..<nc {
                    var s = 0.0
                    for b in 0..<nb where mix[b] > 0 { s += h.counts[b] * p[j][b] / mix[b] }
                    next[j] = pi[j] * s / n
                }
                pi = next
            }
            var ll = 0.0
            for b in 0..<nb where h.counts[b] > 0 {
                var m = 0.0
                for j in 0..<nc { m += pi[j] * p[j][b] }
                ll += h.counts[b] * Foundation.log(m)
            }
            // Every EM kernel (LikelihoodKernels: portable, AVX2 + FMA, AVX-512 where the processor has them).
            let best = sdd_smooth_best_kernel()
            defer { _ = sdd_smooth_use_kernel(best) }
            for k in [SDD_SMOOTH_PORTABLE, SDD_SMOOTH_AVX2_FMA, SDD_SMOOTH_AVX512] where k.rawValue <= best.rawValue {
                _ = sdd_smooth_use_kernel(k)
                let fast = fit.emFitWithMass(h, group: group, response: response, start: [])
                XCTAssertEqual(fast.0, ll, accuracy: 1e-10 * abs(ll), "group \(gi), kernel \(k.rawValue)")
                for j in 0..<nc { XCTAssertEqual(fast.1[j], pi[j], accuracy: 1e-10, "group \(gi) component \(j), kernel \(k.rawValue)") }
            }
        }
    }

    /// The histograms of calibrated energies (a C pass over the runs) against a loop over the public
    /// event arrays with the same arithmetic: the same counts, bin by bin.
    func testHistogramsMatchAnEventByEventLoop() {
        let (like, x) = SmoothFixtures.cellLikelihood()
        let fit = SmoothNuisanceFit()
        let hists = fit.histograms(like.events, model: like.model, x: x)
        let ev = like.events, q = x[2 * ev.grid.count]
        let gains = SmoothCellLikelihood.IntervalGains(x, knots: ev.grid.count)
        for gi in ev.groups.indices {
            var counts = [Double](repeating: 0, count: hists[gi].counts.count)
            let iv = ev.interval[gi], lam = ev.lambda[gi], ch = ev.channel[gi]
            for i in iv.indices {
                let line = gains.interval(Int(iv[i]), x)
                let e = line.offset(lam[i]) + line.gain(lam[i]) * like.model.shape(ch[i], curvature: q).u
                let b = Int(((e - hists[gi].lowerEdge) / hists[gi].binWidth).rounded(.down))
                if b >= 0 && b < counts.count { counts[b] += 1 }
            }
            XCTAssertEqual(hists[gi].counts, counts, "group \(gi)")
            XCTAssertGreaterThan(counts.reduce(0, +), 0.9 * Double(iv.count), "group \(gi)")
        }
    }
}
