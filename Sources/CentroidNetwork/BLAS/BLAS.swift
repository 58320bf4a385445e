/// Single-precision matrix products for row-major buffers, computed by the best kernel this machine
/// has (see ``Kernel``): Accelerate on Apple platforms, OpenBLAS (or another CBLAS) loaded at run
/// time on Linux, a Swift SIMD kernel otherwise. No BLAS is needed to build.
public enum BLAS {
    /// The kernel every product uses, chosen once per process on first use (``Kernel/selected()``):
    /// `SDDCAL_BLAS=none` forces the Swift SIMD kernel.
    public static let kernel: Kernel = Kernel.selected()

    /// C = alpha·op(A)·op(B) + beta·C with row-major A (m×k after op), B (k×n after op), C (m×n).
    /// With beta = 0, C's previous contents are not read.
    @inlinable
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        kernel.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                    b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// y = alpha·xᵀ·A + beta·y for row-major A (rows×cols), x of length rows, y of length cols: one
    /// row vector times a matrix, without the packing of A that sgemm does (a full copy of A per call).
    @inlinable
    public static func rowVectorTimesMatrix(rows: Int, cols: Int, alpha: Float = 1, a: UnsafePointer<Float>,
                                            x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        kernel.rowVectorTimesMatrix(rows: rows, cols: cols, alpha: alpha, a: a, x: x, beta: beta, y: y)
    }

    /// Stops OpenBLAS's worker threads until the next threaded product starts them again. They spin
    /// for a while after every threaded product before sleeping, costing other work a core. (The
    /// library is loaded on first use and its threads are stopped right after loading.)
    public static func releaseIdleThreads() {
        kernel.releaseIdleThreads()
    }

    /// Number of threads the kernel uses for one product (always 1 for the Swift kernel; Accelerate
    /// manages its own).
    public static var threads: Int {
        get { kernel.threads }
        set { kernel.threads = newValue }
    }
}
