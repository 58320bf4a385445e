#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A CBLAS library opened with `dlopen` at run time, so that building needs no BLAS and running
/// without one still works (with the Swift kernel). OpenBLAS first, then a generic CBLAS.
final class LoadedCBLAS: @unchecked Sendable {
    /// The libraries tried, in order: OpenBLAS (Debian `libopenblas0`), then the generic names of
    /// Debian's BLAS alternatives (which include the CBLAS interface).
    static let defaultCandidates = ["libopenblas.so.0", "libopenblas.so", "libblas.so.3", "libcblas.so.3"]

    /// The first default candidate that loads, opened once per process.
    static let shared: LoadedCBLAS? = load(candidates: defaultCandidates)

    // CBLAS's C signatures (32-bit integers; enums are ints): row-major order 101, no-trans 111, trans 112.
    typealias SGEMM = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias SGEMV = @convention(c) (Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    typealias GetInt = @convention(c) () -> Int32
    typealias SetInt = @convention(c) (Int32) -> Void
    typealias GetString = @convention(c) () -> UnsafePointer<CChar>?

    let kernel: BLAS.Kernel

    private init(kernel: BLAS.Kernel) { self.kernel = kernel }

    /// Opens the first of `candidates` (file names or paths) that has `cblas_sgemm` and `cblas_sgemv`.
    static func load(candidates: [String]) -> LoadedCBLAS? {
        #if canImport(Glibc) || canImport(Musl)
        for file in candidates {
            guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard let gemmSymbol = dlsym(handle, "cblas_sgemm"), let gemvSymbol = dlsym(handle, "cblas_sgemv") else {
                dlclose(handle)
                continue
            }
            let sgemm = unsafeBitCast(gemmSymbol, to: SGEMM.self)
            let sgemv = unsafeBitCast(gemvSymbol, to: SGEMV.self)
            // OpenBLAS's extras, when this is OpenBLAS.
            let getThreads = dlsym(handle, "openblas_get_num_threads").map { unsafeBitCast($0, to: GetInt.self) }
            let setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetInt.self) }
            // Exported but undeclared in cblas.h: stops the worker threads, which are started when the
            // library loads and spin on sched_yield for a while after every threaded product; the next
            // threaded product starts them again.
            let shutdown = dlsym(handle, "blas_thread_shutdown_").map { unsafeBitCast($0, to: GetInt.self) }
            let config = dlsym(handle, "openblas_get_config").map { unsafeBitCast($0, to: GetString.self) }
            let library = config.flatMap { $0() }.map { String(cString: $0) } ?? "CBLAS"
            let kernel = BLAS.Kernel(
                kind: .loadedLibrary, name: "\(library) (\(file))",
                gemm: { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
                    sgemm(101, transA ? 112 : 111, transB ? 112 : 111, Int32(m), Int32(n), Int32(k), alpha,
                          a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
                },
                gemv: { rows, cols, alpha, a, x, beta, y in
                    sgemv(101, 112, Int32(rows), Int32(cols), alpha, a, Int32(cols), x, 1, beta, y, 1)
                },
                getThreads: { getThreads.map { Int($0()) } ?? 1 },
                setThreads: { n in setThreads?(Int32(n)) },
                shutdownThreads: { _ = shutdown?() })
            _ = shutdown?()   // nothing has been multiplied yet: do not let the fresh threads spin
            return LoadedCBLAS(kernel: kernel)
        }
        #endif
        return nil
    }
}
