import CBLAS

/// Thin wrappers over OpenBLAS's single-precision matrix product for row-major buffers.
public enum BLAS {
    /// C = alpha·op(A)·op(B) + beta·C with row-major A (m×k after op), B (k×n after op), C (m×n).
    @inlinable
    public static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS leaves C·beta; make the k = 0 case explicit for clarity.
            for i in 0..<(m * ldc) { c[i] *= beta }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y = alpha·xᵀ·A + beta·y for row-major A (rows×cols), x of length rows, y of length cols: one
    /// row vector times a matrix, without the packing of A that sgemm does (a full copy of A per call).
    @inlinable
    public static func rowVectorTimesMatrix(rows: Int, cols: Int, alpha: Float = 1, a: UnsafePointer<Float>,
                                            x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        guard rows > 0, cols > 0 else { return }
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(cols), alpha, a, Int32(cols), x, 1, beta, y, 1)
    }

    /// Stops OpenBLAS's worker threads until the next threaded product starts them again. They are
    /// created when the library loads and spin for a while before sleeping, which costs a command
    /// that never multiplies a matrix about 0.1 s of another core.
    public static func releaseIdleThreads() {
        _ = blas_thread_shutdown_()
    }

    /// Number of threads OpenBLAS uses for one product.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(Swift.max(1, newValue))) }
    }
}
