import Foundation

extension BLAS {
    /// One implementation of the two products the network needs, with its name for logs.
    public struct Kernel: @unchecked Sendable, CustomStringConvertible {
        /// Where the products are computed.
        public enum Kind: String, Sendable {
            /// Apple's Accelerate framework (Apple platforms).
            case accelerate
            /// A CBLAS library (OpenBLAS, or a generic `libblas`/`libcblas`) loaded at run time.
            case loadedLibrary = "library"
            /// The package's own blocked SIMD kernel (`SIMDMatrixProduct`), single-threaded.
            case swiftSIMD = "swift-simd"
        }

        public typealias GEMM = (_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                                 _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                                 _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) -> Void
        public typealias GEMV = (_ rows: Int, _ cols: Int, _ alpha: Float, _ a: UnsafePointer<Float>,
                                 _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>) -> Void

        public let kind: Kind
        /// What computes the products, e.g. "OpenBLAS 0.3.21 … (libopenblas.so.0)" or "Swift SIMD".
        public let name: String
        @usableFromInline let gemmBody: GEMM
        @usableFromInline let gemvBody: GEMV
        let getThreads: () -> Int
        let setThreads: (Int) -> Void
        let shutdownThreads: () -> Void

        init(kind: Kind, name: String, gemm: @escaping GEMM, gemv: @escaping GEMV,
             getThreads: @escaping () -> Int = { 1 }, setThreads: @escaping (Int) -> Void = { _ in },
             shutdownThreads: @escaping () -> Void = {}) {
            self.kind = kind
            self.name = name
            gemmBody = gemm
            gemvBody = gemv
            self.getThreads = getThreads
            self.setThreads = setThreads
            self.shutdownThreads = shutdownThreads
        }

        public var description: String { name }

        /// C = alpha·op(A)·op(B) + beta·C with row-major A (m×k after op), B (k×n after op), C (m×n).
        /// With beta = 0, C's previous contents are not read (NaN in C does not survive).
        @inlinable
        public func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                         alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int,
                         beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
            guard m > 0, n > 0 else { return }
            precondition(k >= 0 && lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n,
                         "BLAS.gemm: inconsistent leading dimensions")
            if k == 0 || alpha == 0 {
                // Only C·beta remains; done here so that every kernel agrees on it.
                for i in 0..<m {
                    let row = c + i * ldc
                    if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
                }
                return
            }
            gemmBody(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }

        /// y = alpha·xᵀ·A + beta·y for row-major A (rows×cols), x of length rows, y of length cols.
        @inlinable
        public func rowVectorTimesMatrix(rows: Int, cols: Int, alpha: Float = 1, a: UnsafePointer<Float>,
                                         x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
            guard cols > 0 else { return }
            if rows <= 0 || alpha == 0 {
                if beta == 0 { y.update(repeating: 0, count: cols) } else { for j in 0..<cols { y[j] *= beta } }
                return
            }
            gemvBody(rows, cols, alpha, a, x, beta, y)
        }

        /// Number of threads for one product.
        public var threads: Int {
            get { getThreads() }
            nonmutating set { setThreads(Swift.max(1, newValue)) }
        }

        /// Stops idle worker threads of a threaded library (no-op for the others).
        public func releaseIdleThreads() { shutdownThreads() }

        /// The package's own kernel, always available.
        public static let swiftSIMD = Kernel(kind: .swiftSIMD, name: "Swift SIMD (blocked, SIMD8<Float>)",
                                             gemm: SIMDMatrixProduct.gemm, gemv: SIMDMatrixProduct.gemv)

        /// Every kernel this machine has, fastest first (the platform library, if any, then Swift's).
        public static var available: [Kernel] {
            var out: [Kernel] = []
            #if canImport(Accelerate)
            out.append(.accelerate)
            #endif
            if let l = LoadedCBLAS.shared { out.append(l.kernel) }
            out.append(.swiftSIMD)
            return out
        }

        /// The kernel for this process. `SDDCAL_BLAS` in the environment: unset or `auto` picks the first
        /// of ``available``; `none` the Swift kernel; any other value is a CBLAS library (file name or
        /// path) to load first, falling back as with `auto` when it cannot be loaded.
        public static func selected(environment: [String: String] = ProcessInfo.processInfo.environment) -> Kernel {
            let choice = environment["SDDCAL_BLAS"] ?? "auto"
            switch choice {
            case "none": return .swiftSIMD
            case "", "auto": return available[0]
            default:
                if let l = LoadedCBLAS.load(candidates: [choice]) { return l.kernel }
                let k = available[0]
                return Kernel(kind: k.kind, name: "\(k.name); SDDCAL_BLAS=\(choice) could not be loaded",
                              gemm: k.gemmBody, gemv: k.gemvBody, getThreads: k.getThreads,
                              setThreads: k.setThreads, shutdownThreads: k.shutdownThreads)
            }
        }
    }
}
