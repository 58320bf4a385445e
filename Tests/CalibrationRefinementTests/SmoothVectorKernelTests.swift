import XCTest
@testable import CalibrationRefinement
import LikelihoodKernels
import SDDCore

/// The C kernels of the smooth likelihood (four events per vector; portable, AVX2 + FMA and AVX-512
/// copies) against a plain event-by-event loop written from the definitions, and their logarithm
/// against libm.
final class SmoothVectorKernelTests: XCTestCase {
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
            let ref = SmoothFixtures.reference(like, x, stride: stride)
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
