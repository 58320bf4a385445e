import XCTest
import SDDCore
@testable import CentroidNetwork

/// Every matrix-product kernel this machine has (the platform or loaded BLAS, and the Swift SIMD
/// kernel) against a naive double-precision reference, and against each other.
final class BLASKernelTests: XCTestCase {
    /// One product's operands, row-major with leading dimensions wider than the matrices.
    struct Problem {
        let transA: Bool, transB: Bool
        let m: Int, n: Int, k: Int
        let alpha: Float, beta: Float
        let lda: Int, ldb: Int, ldc: Int
        let a: [Float], b: [Float], c: [Float]

        init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0, pad: Int = 3, seed: UInt64) {
            (self.transA, self.transB, self.m, self.n, self.k, self.alpha, self.beta) = (transA, transB, m, n, k, alpha, beta)
            var rng = SeededGenerator(seed: seed)
            let (aRows, aCols) = transA ? (k, m) : (m, k)
            let (bRows, bCols) = transB ? (n, k) : (k, n)
            lda = aCols + pad
            ldb = bCols + pad
            ldc = n + pad
            a = (0..<(aRows * lda)).map { _ in Float(rng.uniform(-1, 1)) }
            b = (0..<(bRows * ldb)).map { _ in Float(rng.uniform(-1, 1)) }
            c = (0..<(m * ldc)).map { _ in Float(rng.uniform(-1, 1)) }
        }

        /// |A|·|B| with alpha = 1, beta = 0: the scale of a product's rounding error.
        init(abs p: Problem) {
            (transA, transB, m, n, k, alpha, beta) = (p.transA, p.transB, p.m, p.n, p.k, 1, 0)
            (lda, ldb, ldc) = (p.lda, p.ldb, p.ldc)
            (a, b, c) = (p.a.map(Swift.abs), p.b.map(Swift.abs), p.c)
        }

        func opA(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * lda + i] : a[i * lda + p]) }
        func opB(_ p: Int, _ j: Int) -> Double { Double(transB ? b[j * ldb + p] : b[p * ldb + j]) }

        /// Naive triple loop in Double, and per entry the bound of a float sum's rounding error.
        func reference() -> (c: [Double], tolerance: [Double]) {
            var out = c.map(Double.init), tol = [Double](repeating: 0, count: c.count)
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0, sAbs = 0.0
                    for p in 0..<k { let t = opA(i, p) * opB(p, j); s += t; sAbs += abs(t) }
                    let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                    out[i * ldc + j] = Double(alpha) * s + old
                    tol[i * ldc + j] = Double(k + 4) * 1.2e-7 * (abs(Double(alpha)) * sAbs + abs(old)) + 1e-30
                }
            }
            return (out, tol)
        }

        func run(_ kernel: BLAS.Kernel) -> [Float] {
            var out = c
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    out.withUnsafeMutableBufferPointer { cp in
                        kernel.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                                    a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                                    beta: beta, c: cp.baseAddress!, ldc: ldc)
                    }
                }
            }
            return out
        }
    }

    /// Shapes: tiny, not multiples of the Swift kernel's 4 × 8 tiles, and across its 64-row,
    /// 256-deep and 1024-column blocks; the CNN's three Dense products (forward, xᵀ·dy, dy·Wᵀ) in
    /// small versions.
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (3, 5, 2), (4, 8, 16), (7, 13, 9), (65, 17, 257), (9, 1030, 31), (130, 9, 520)]

    func testEveryKernelMatchesNaiveReferenceForAllTransposes() {
        XCTAssertEqual(BLAS.Kernel.available.last?.kind, .swiftSIMD)
        var seed: UInt64 = 1
        for kernel in BLAS.Kernel.available {
            for (m, n, k) in Self.shapes {
                for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                    for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25)] {
                        seed += 1
                        let p = Problem(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta, seed: seed)
                        let got = p.run(kernel)
                        let (want, tol) = p.reference()
                        var worst = 0.0, at = 0
                        for i in 0..<m { for j in 0..<n {
                            let e = abs(Double(got[i * p.ldc + j]) - want[i * p.ldc + j]) / tol[i * p.ldc + j]
                            if e > worst { (worst, at) = (e, i * p.ldc + j) }
                        } }
                        XCTAssertLessThanOrEqual(worst, 1, "\(kernel.name) m\(m) n\(n) k\(k) tA \(transA) tB \(transB) α \(alpha) β \(beta): C[\(at)] = \(got[at]) vs \(want[at])")
                        // Padding between rows of C is never written.
                        for i in 0..<m { for j in n..<p.ldc { XCTAssertEqual(got[i * p.ldc + j], p.c[i * p.ldc + j]) } }
                    }
                }
            }
        }
    }

    /// The paths agree with each other to float rounding on the CNN's Dense shapes (batch 8).
    func testKernelsAgreeOnDenseShapes() throws {
        let kernels = BLAS.Kernel.available
        try XCTSkipIf(kernels.count < 2, "only the Swift kernel on this machine")
        let problems = [
            Problem(transA: false, transB: false, m: 8, n: 500, k: 2105, seed: 91),         // x·W
            Problem(transA: true, transB: false, m: 2105, n: 500, k: 8, beta: 1, seed: 92), // dW += xᵀ·dy
            Problem(transA: false, transB: true, m: 8, n: 2105, k: 500, seed: 93),          // dx = dy·Wᵀ
        ]
        for p in problems {
            // Rounding bound (k + 4)·ε·(|A|·|B|), the product of absolute values by the Swift kernel.
            let bound = Problem(abs: p).run(.swiftSIMD)
            let base = p.run(kernels[0])
            for other in kernels.dropFirst() {
                let got = p.run(other)
                for i in 0..<(p.m * p.ldc) where abs(got[i] - base[i]) > 2 * Float(p.k + 4) * 1.2e-7 * (bound[i] + abs(p.c[i])) {
                    XCTFail("\(kernels[0].name) vs \(other.name), m\(p.m) n\(p.n) k\(p.k): \(base[i]) vs \(got[i])")
                    break
                }
            }
        }
    }

    func testRowVectorTimesMatrixMatchesReference() {
        for kernel in BLAS.Kernel.available {
            for (rows, cols) in [(1, 1), (3, 9), (7, 17), (2105, 500)] {
                var rng = SeededGenerator(seed: UInt64(rows * 1000 + cols))
                let a = (0..<(rows * cols)).map { _ in Float(rng.uniform(-1, 1)) }
                let x = (0..<rows).map { _ in Float(rng.uniform(-1, 1)) }
                let y0 = (0..<cols).map { _ in Float(rng.uniform(-1, 1)) }
                for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25)] {
                    var y = y0
                    kernel.rowVectorTimesMatrix(rows: rows, cols: cols, alpha: alpha, a: a, x: x, beta: beta, y: &y)
                    for j in 0..<cols {
                        var s = 0.0, sAbs = 0.0
                        for i in 0..<rows { let t = Double(x[i]) * Double(a[i * cols + j]); s += t; sAbs += abs(t) }
                        let old = beta == 0 ? 0 : Double(beta) * Double(y0[j])
                        let tol = Double(rows + 4) * 1.2e-7 * (abs(Double(alpha)) * sAbs + abs(old))
                        XCTAssertEqual(Double(y[j]), Double(alpha) * s + old, accuracy: tol, "\(kernel.name) \(rows)×\(cols) y[\(j)]")
                    }
                }
            }
        }
    }

    /// beta = 0 does not read C (NaN there is overwritten); k = 0 leaves beta·C.
    func testBetaZeroIgnoresOldCAndEmptyDepthScales() {
        for kernel in BLAS.Kernel.available {
            let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
            var c = [Float](repeating: .nan, count: 4)
            kernel.gemm(m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2)
            XCTAssertEqual(c, [19, 22, 43, 50], kernel.name)
            var d: [Float] = [1, 2, 3, 4]
            kernel.gemm(m: 2, n: 2, k: 0, a: a, lda: 2, b: b, ldb: 2, beta: 3, c: &d, ldc: 2)
            XCTAssertEqual(d, [3, 6, 9, 12], kernel.name)
        }
    }

    /// `SDDCAL_BLAS`: none forces the Swift kernel; auto takes the best available; a library that
    /// cannot be loaded falls back and says so in the kernel's name.
    func testSelectionFromEnvironment() {
        XCTAssertEqual(BLAS.Kernel.selected(environment: ["SDDCAL_BLAS": "none"]).kind, .swiftSIMD)
        XCTAssertEqual(BLAS.Kernel.selected(environment: [:]).kind, BLAS.Kernel.available[0].kind)
        XCTAssertEqual(BLAS.Kernel.selected(environment: ["SDDCAL_BLAS": "auto"]).name, BLAS.Kernel.available[0].name)
        let missing = BLAS.Kernel.selected(environment: ["SDDCAL_BLAS": "libno-such-blas.so.9"])
        XCTAssertTrue(missing.name.contains("SDDCAL_BLAS=libno-such-blas.so.9 could not be loaded"), missing.name)
        if ProcessInfo.processInfo.environment["SDDCAL_BLAS"] == "none" {
            XCTAssertEqual(BLAS.kernel.kind, .swiftSIMD)
        }
        #if os(Linux)
        // When OpenBLAS is installed, it is the library found (CI installs it to test this path).
        if FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/libopenblas.so.0")
            || FileManager.default.fileExists(atPath: "/usr/lib/aarch64-linux-gnu/libopenblas.so.0") {
            XCTAssertEqual(BLAS.Kernel.available.first?.kind, .loadedLibrary)
            XCTAssertTrue(BLAS.Kernel.available.first?.name.contains("OpenBLAS") ?? false)
        }
        #endif
    }
}
