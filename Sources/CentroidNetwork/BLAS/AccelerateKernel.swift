#if canImport(Accelerate)
import Accelerate

extension BLAS.Kernel {
    /// Apple's Accelerate (its CBLAS interface); it chooses its own threading.
    public static let accelerate = BLAS.Kernel(
        kind: .accelerate, name: "Accelerate",
        gemm: { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        },
        gemv: { rows, cols, alpha, a, x, beta, y in
            cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(cols), alpha, a, Int32(cols), x, 1, beta, y, 1)
        })
}
#endif
