import XCTest
import NetworkKernels
import SDDCore
@testable import CentroidNetwork

/// The C loops of Conv1D (`NetworkKernels`) in every implementation this processor runs (portable,
/// and AVX2 + FMA where present): against direct sums, finite differences, and each other.
final class ConvolutionKernelTests: XCTestCase {
    /// The kernels to test: portable always, the best one when it differs.
    var kernels: [sdd_vector_kernel] {
        let best = sdd_vector_best_kernel()
        return best == SDD_VECTOR_PORTABLE ? [SDD_VECTOR_PORTABLE] : [SDD_VECTOR_PORTABLE, best]
    }

    /// Runs `body` with each kernel selected, then restores the best.
    func forEachKernel(_ body: (sdd_vector_kernel) throws -> Void) rethrows {
        defer { sdd_vector_use_kernel(sdd_vector_best_kernel()) }
        for k in kernels {
            XCTAssertEqual(sdd_vector_use_kernel(k), k)
            XCTAssertEqual(sdd_vector_current_kernel(), k)
            try body(k)
        }
    }

    func testDotAndAxpyMatchDoubleSums() {
        var rng = SeededGenerator(seed: 41)
        forEachKernel { k in
            for n in [0, 1, 7, 8, 9, 15, 16, 17, 40, 251] {
                let a = (0..<n).map { _ in Float(rng.uniform(-1, 1)) }, b = (0..<n).map { _ in Float(rng.uniform(-1, 1)) }
                let want = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                XCTAssertEqual(Double(sdd_dot(a, b, n)), want, accuracy: 1e-6 * Double(n + 1), "kernel \(k.rawValue) n \(n)")
                var y = b
                sdd_axpy(0.75, a, &y, n)
                for i in 0..<n { XCTAssertEqual(y[i], b[i] + 0.75 * a[i], accuracy: 1e-6, "kernel \(k.rawValue) n \(n)") }
            }
        }
    }

    /// Conv1D values against direct sums and gradients against finite differences, for outputs
    /// shorter and longer than a SIMD block, the general filter count and the paper's 5.
    func testConv1DWithEachKernel() {
        forEachKernel { k in
            for (filters, cin, kw, length) in [(3, 2, 3, 21), (5, 2, 3, 21), (5, 1, 4, 9), (5, 2, 2, 6), (4, 3, 5, 30)] {
                let layer = Conv1D(inputChannels: cin, filters: filters, kernelSize: kw)
                var rng = SeededGenerator(seed: 23)
                layer.initialize(using: &rng)
                layer.bias.value = (0..<filters).map { 0.1 * Float($0) - 0.2 }
                let x = GradientCheck.randomTensor([3, length, cin], seed: 24)
                let y = layer.forward(x, training: false)
                let outLength = length - kw + 1
                for s in 0..<3 { for t in 0..<outLength { for f in 0..<filters {
                    var sum = Double(layer.bias.value[f])
                    for j in 0..<kw { for c in 0..<cin {
                        sum += Double(x.storage[(s * length + t + j) * cin + c]) * Double(layer.kernel.value[(j * cin + c) * filters + f])
                    } }
                    XCTAssertEqual(Double(y.storage[(s * outLength + t) * filters + f]), sum, accuracy: 1e-5,
                                   "kernel \(k.rawValue) filters \(filters) cin \(cin) kw \(kw) length \(length)")
                } } }
                GradientCheck.check(layer, input: x)
            }
        }
    }

    /// The paper's two convolutions on a small batch: every kernel gives the same outputs and
    /// gradients to float rounding.
    func testKernelsAgreeOnThePapersConvolutions() throws {
        try XCTSkipIf(kernels.count < 2, "only the portable kernel on this processor")
        for (cin, kw, length) in [(1, 50, 300), (5, 10, 251)] {
            var results: [[Float]] = []
            forEachKernel { _ in
                let layer = Conv1D(inputChannels: cin, filters: 5, kernelSize: kw)
                var rng = SeededGenerator(seed: 61)
                layer.initialize(using: &rng)
                let x = GradientCheck.randomTensor([4, length, cin], seed: 62)
                let y = layer.forward(x, training: true)
                let g = GradientCheck.randomTensor(y.shape, seed: 63)
                let dx = layer.backward(g)
                results.append(y.storage + dx.storage + layer.kernel.gradient + layer.bias.gradient)
            }
            for (a, b) in zip(results[0], results[1]) {
                XCTAssertEqual(a, b, accuracy: 2e-5 * Swift.max(1, abs(a)), "Conv1D cin \(cin) k\(kw)")
            }
        }
    }

    /// Adam's vector update (`sdd_adam_update`) against the formula in double precision, for lengths
    /// around the 8-lane blocks, over several steps (moments carried from one step to the next).
    func testAdamUpdateMatchesTheFormulaWithEachKernel() {
        forEachKernel { k in
            for n in [1, 7, 8, 9, 37] {
                var rng = SeededGenerator(seed: UInt64(70 + n))
                var w = (0..<n).map { _ in Float(rng.uniform(-1, 1)) }
                var m = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
                var wd = w.map(Double.init), md = [Double](repeating: 0, count: n), vd = md
                let (b1, b2, step, eps): (Float, Float, Float, Float) = (0.9, 0.999, 1e-2, 1e-7)
                for _ in 0..<3 {
                    let g = (0..<n).map { _ in Float(rng.uniform(-2, 2)) }
                    sdd_adam_update(&w, g, &m, &v, n, b1, b2, step, eps)
                    for i in 0..<n {
                        let gi = Double(g[i])
                        md[i] = Double(b1) * md[i] + (1 - Double(b1)) * gi
                        vd[i] = Double(b2) * vd[i] + (1 - Double(b2)) * gi * gi
                        wd[i] -= Double(step) * md[i] / (vd[i].squareRoot() + Double(eps))
                    }
                }
                for i in 0..<n {
                    XCTAssertEqual(Double(m[i]), md[i], accuracy: 1e-6, "kernel \(k.rawValue) n \(n)")
                    XCTAssertEqual(Double(v[i]), vd[i], accuracy: 1e-6, "kernel \(k.rawValue) n \(n)")
                    XCTAssertEqual(Double(w[i]), wd[i], accuracy: 1e-5, "kernel \(k.rawValue) n \(n)")
                }
            }
        }
    }
}
