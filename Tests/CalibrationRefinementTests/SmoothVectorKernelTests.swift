import XCTest
@testable import CalibrationRefinement
import LikelihoodKernels
import SDDCore

/// The C kernels of the smooth likelihood (four events per vector; portable, AVX2 + FMA and AVX-512
/// copies) against a plain event-by-event loop written from the definitions, and their logarithm
/// against libm.
final class SmoothVectorKernelTests: XCTestCase {
    /// Loss, gradient and Hessian summed event by event from the public arrays: exp per event, the
    /// tables' own evaluate, every term added to the knots directly.
    private func reference(_ like: SmoothCellLikelihood, _ x: [Double], stride: Int) -> (Double, [Double], BorderedBlockTridiagonal) {
        let ev = like.events, nk = ev.grid.count, q = x[2 * nk]
        var total = 0.0
        var grad = [Double](repeating: 0, count: 2 * nk + 1)
        var h = BorderedBlockTridiagonal(knots: nk)
        for gi in ev.groups.indices {
            let iv = ev.interval[gi], lam = ev.lambda[gi], ch = ev.channel[gi]
            for i in Swift.stride(from: 0, to: iv.count, by: stride) {
                let k = Int(iv[i]), l = lam[i]
                let o = x[2 * k] + l * (x[2 * k + 2] - x[2 * k]), g = x[2 * k + 1] + l * (x[2 * k + 3] - x[2 * k + 1])
                let G = Foundation.exp(g)
                let s = like.model.shape(ch[i], curvature: q)
                let lo = like.model.shape(ev.edges[gi][k][0], curvature: q), hi = like.model.shape(ev.edges[gi][k][1], curvature: q)
                let cl = like.cdf[gi].evaluate(o + G * lo.u), chh = like.cdf[gi].evaluate(o + G * hi.u)
                let n = chh.value - cl.value
                let p = like.logDensity[gi].evaluate(o + G * s.u)
                total += -p.value - g - Foundation.log(s.du) + Foundation.log(n)
                // Derivatives in (o, g, q): E = o + G·(u + …), ∂E/∂o = 1, ∂E/∂g = G·u, ∂E/∂q = G·w.
                let e = SIMD3(1, G * s.u, G * s.w), eh = SIMD3(1, G * hi.u, G * hi.w), el = SIMD3(1, G * lo.u, G * lo.w)
                let r = s.dw / s.du
                // −φ(E): gradient −φ′·∂E, Hessian −φ″·∂E∂Eᵀ − φ′·∂²E (∂²E: g-g G·u, g-q G·w).
                var a = -p.d1 * e - SIMD3(0, 1, r)
                var hm = [[Double]](repeating: [0, 0, 0], count: 3)
                for u in 0..<3 { for v in 0..<3 { hm[u][v] = -p.d2 * e[u] * e[v] } }
                hm[1][1] -= p.d1 * e[1]; hm[1][2] -= p.d1 * e[2]; hm[2][1] -= p.d1 * e[2]
                hm[2][2] += r * r
                // log N: gradient ∂N/N, Hessian ∂²N/N − (∂N/N)(∂N/N)ᵀ.
                let dn = (chh.d1 * eh - cl.d1 * el) / n
                a += dn
                for u in 0..<3 {
                    for v in 0..<3 { hm[u][v] += (chh.d2 * eh[u] * eh[v] - cl.d2 * el[u] * el[v]) / n - dn[u] * dn[v] }
                }
                hm[1][1] += (chh.d1 * eh[1] - cl.d1 * el[1]) / n
                hm[1][2] += (chh.d1 * eh[2] - cl.d1 * el[2]) / n; hm[2][1] += (chh.d1 * eh[2] - cl.d1 * el[2]) / n
                let w = [1 - l, l]
                for (m, wm) in w.enumerated() {
                    grad[2 * (k + m)] += wm * a[0]; grad[2 * (k + m) + 1] += wm * a[1]
                    h.border[k + m] += wm * SIMD2(hm[0][2], hm[1][2])
                    h.diagonal[k + m] += wm * wm * SIMD4(hm[0][0], hm[0][1], hm[1][0], hm[1][1])
                }
                h.upper[k] += w[0] * w[1] * SIMD4(hm[0][0], hm[0][1], hm[1][0], hm[1][1])
                grad[2 * nk] += a[2]
                h.corner += hm[2][2]
            }
        }
        return (total, grad, h)
    }

    private func assertClose(_ a: [Double], _ b: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let scale = b.map(abs).max() ?? 0
        for i in b.indices { XCTAssertEqual(a[i], b[i], accuracy: 1e-10 * scale, "\(what) [\(i)]", file: file, line: line) }
    }

    private func flat(_ h: BorderedBlockTridiagonal) -> [[Double]] {
        [h.diagonal.flatMap { [$0[0], $0[1], $0[2], $0[3]] }, h.upper.flatMap { [$0[0], $0[1], $0[2], $0[3]] },
         h.border.flatMap { [$0[0], $0[1]] }, [h.corner]]
    }

    func testEveryKernelMatchesAnEventByEventSum() {
        var (like, x) = SmoothFixtures.cellLikelihood(wideGainStep: true)
        let best = sdd_smooth_best_kernel()
        defer { _ = sdd_smooth_use_kernel(best) }
        let kernels = [SDD_SMOOTH_PORTABLE, SDD_SMOOTH_AVX2_FMA, SDD_SMOOTH_AVX512].filter { $0.rawValue <= best.rawValue }
        for stride in [1, 3] {
            like.stride = stride
            let ref = reference(like, x, stride: stride)
            for k in kernels {
                XCTAssertEqual(sdd_smooth_use_kernel(k), k)
                let e = like.evaluate(x)
                let label = "kernel \(k.rawValue), stride \(stride)"
                XCTAssertEqual(e.value, ref.0, accuracy: 1e-11 * abs(ref.0), label)
                XCTAssertEqual(like.value(x), ref.0, accuracy: 1e-11 * abs(ref.0), label)
                assertClose(e.gradient, ref.1, "gradient, \(label)")
                for (part, (a, b)) in zip(["diagonal", "upper", "border", "corner"], zip(flat(e.hessian), flat(ref.2))) {
                    assertClose(a, b, "Hessian \(part), \(label)")
                }
            }
        }
    }

    /// A window probability that is not positive makes the loss +∞ in every kernel (here: a gain so
    /// large that every window maps beyond the tables, where F is flat to rounding: N = 0).
    func testEveryKernelRejectsAnEmptyWindow() {
        let (like, x) = SmoothFixtures.cellLikelihood(wideGainStep: true)
        var far = x
        for k in 0..<like.knots { far[2 * k + 1] += 5 }
        let best = sdd_smooth_best_kernel()
        defer { _ = sdd_smooth_use_kernel(best) }
        for k in [SDD_SMOOTH_PORTABLE, SDD_SMOOTH_AVX2_FMA, SDD_SMOOTH_AVX512] where k.rawValue <= best.rawValue {
            _ = sdd_smooth_use_kernel(k)
            XCTAssertEqual(like.value(far), .infinity, "kernel \(k.rawValue)")
            XCTAssertEqual(like.evaluate(far).value, .infinity, "kernel \(k.rawValue)")
        }
    }

    /// The vector logarithm within 1 ulp of libm's (correctly rounded to < 1 ulp) over many binades.
    func testVectorLogarithmWithinOneUlp() {
        var rng = SystemRandomNumberGenerator()
        var xs: [Double] = [1, 2, 0.5, 1.4142135623730951, 1.4142135623730950, 0.7071067811865476, 1 - 1e-12, 1 + 1e-12, .leastNormalMagnitude, .greatestFiniteMagnitude]
        for _ in 0..<200_000 { xs.append(Foundation.exp(Double.random(in: -700...700, using: &rng))) }
        for _ in 0..<50_000 { xs.append(Double.random(in: 0.5...2, using: &rng)) }
        var out = [Double](repeating: 0, count: xs.count)
        sdd_smooth_log(xs, &out, xs.count)
        var worst = 0.0
        for (x, y) in zip(xs, out) {
            let ref = Foundation.log(x)
            let ulp = ref == 0 ? Double.leastNonzeroMagnitude : ref.ulp
            worst = max(worst, abs(y - ref) / ulp)
        }
        XCTAssertLessThanOrEqual(worst, 1.0, "worst error \(worst) ulp")
    }
}
