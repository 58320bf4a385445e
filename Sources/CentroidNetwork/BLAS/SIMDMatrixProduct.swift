/// The package's own single-precision matrix products, for machines without a BLAS library (or
/// `SDDCAL_BLAS=none`). GEMM is blocked as in GotoBLAS: a depth × columns panel of op(B) and a
/// rows × depth block of op(A) are copied into contiguous, zero-padded buffers (transposes are
/// resolved there, alpha folded into A), then a 4 × 8 tile of C at a time accumulates in four
/// SIMD8<Float> registers over the whole depth. Portable (no CPU-specific flags); single-threaded,
/// so callers split large products over threads themselves (`Dense.Threading.dispatch`).
enum SIMDMatrixProduct {
    typealias Vector = SIMD8<Float>
    /// Rows of C per tile (4 accumulators + one B vector + a broadcast fit SSE's 16 registers).
    static let tileRows = 4
    /// Columns of C per tile: one SIMD vector.
    static let tileColumns = 8
    /// Depth of one packed block: a B strip (depth × 8 floats, 8 KB) stays in L1.
    static let depthBlock = 256
    /// Rows of one packed A block (64 × 256 floats, 64 KB) stay in L2.
    static let rowBlock = 64
    /// Columns of one packed B panel (256 × 1024 floats, 1 MB).
    static let columnBlock = 1024

    /// C = alpha·op(A)·op(B) + beta·C (row-major; see ``BLAS/gemm``). Expects m, n, k > 0.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        // C ← beta·C first (beta = 0 writes zeros without reading C); the tiles then add alpha·A·B.
        if beta != 1 {
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
            }
        }
        let depthMax = Swift.min(k, depthBlock)
        let stripsMax = (Swift.min(n, columnBlock) + tileColumns - 1) / tileColumns
        let tilesMax = (Swift.min(m, rowBlock) + tileRows - 1) / tileRows
        let packedB = UnsafeMutablePointer<Vector>.allocate(capacity: depthMax * stripsMax)
        let packedA = UnsafeMutablePointer<Float>.allocate(capacity: depthMax * tilesMax * tileRows)
        defer { packedB.deallocate(); packedA.deallocate() }

        for jc in stride(from: 0, to: n, by: columnBlock) {
            let nb = Swift.min(columnBlock, n - jc)
            let strips = (nb + tileColumns - 1) / tileColumns
            for pc in stride(from: 0, to: k, by: depthBlock) {
                let kb = Swift.min(depthBlock, k - pc)
                packB(transB: transB, b: b, ldb: ldb, row0: pc, depth: kb, column0: jc, columns: nb, into: packedB)
                for ic in stride(from: 0, to: m, by: rowBlock) {
                    let mb = Swift.min(rowBlock, m - ic)
                    let tiles = (mb + tileRows - 1) / tileRows
                    packA(transA: transA, a: a, lda: lda, alpha: alpha, row0: ic, rows: mb, column0: pc, depth: kb, into: packedA)
                    for s in 0..<strips {
                        let columns = Swift.min(tileColumns, nb - s * tileColumns)
                        let bStrip = UnsafePointer(packedB + s * kb)
                        for t in 0..<tiles {
                            let rows = Swift.min(tileRows, mb - t * tileRows)
                            tile(depth: kb, a: packedA + t * kb * tileRows, b: bStrip,
                                 c: c + (ic + t * tileRows) * ldc + jc + s * tileColumns, ldc: ldc,
                                 rows: rows, columns: columns)
                        }
                    }
                }
            }
        }
    }

    /// op(B)[row0 ..< row0+depth, column0 ..< column0+columns] as strips of 8 columns, each `depth`
    /// vectors long; columns past the edge are zero.
    @inline(__always)
    private static func packB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, row0: Int, depth: Int,
                              column0: Int, columns: Int, into out: UnsafeMutablePointer<Vector>) {
        let strips = (columns + tileColumns - 1) / tileColumns
        for s in 0..<strips {
            let strip = out + s * depth
            let j0 = column0 + s * tileColumns
            let width = Swift.min(tileColumns, columns - s * tileColumns)
            if !transB && width == tileColumns {
                // Rows of B are contiguous: one unaligned vector load per row.
                for p in 0..<depth {
                    strip[p] = UnsafeRawPointer(b + (row0 + p) * ldb + j0).loadUnaligned(as: Vector.self)
                }
                continue
            }
            if width < tileColumns { strip.update(repeating: Vector(), count: depth) }
            let floats = UnsafeMutableRawPointer(strip).assumingMemoryBound(to: Float.self)
            if transB {
                // op(B)[p, j] = B[j, p]: read each of the strip's columns along its contiguous row of B.
                for q in 0..<width {
                    let src = b + (j0 + q) * ldb + row0
                    for p in 0..<depth { floats[p * tileColumns + q] = src[p] }
                }
            } else {
                for p in 0..<depth {
                    let src = b + (row0 + p) * ldb + j0
                    for q in 0..<width { floats[p * tileColumns + q] = src[q] }
                }
            }
        }
    }

    /// alpha·op(A)[row0 ..< row0+rows, column0 ..< column0+depth] as tiles of 4 rows, stored depth-major
    /// (4 consecutive floats per depth index); rows past the edge are zero.
    @inline(__always)
    private static func packA(transA: Bool, a: UnsafePointer<Float>, lda: Int, alpha: Float, row0: Int, rows: Int,
                              column0: Int, depth: Int, into out: UnsafeMutablePointer<Float>) {
        let tiles = (rows + tileRows - 1) / tileRows
        for t in 0..<tiles {
            let tileOut = out + t * depth * tileRows
            let height = Swift.min(tileRows, rows - t * tileRows)
            if height < tileRows { tileOut.update(repeating: 0, count: depth * tileRows) }
            for r in 0..<height {
                let i = row0 + t * tileRows + r
                if transA {
                    // op(A)[i, p] = A[p, i]
                    for p in 0..<depth { tileOut[p * tileRows + r] = alpha * a[(column0 + p) * lda + i] }
                } else {
                    let src = a + i * lda + column0
                    for p in 0..<depth { tileOut[p * tileRows + r] = alpha * src[p] }
                }
            }
        }
    }

    /// C[0..<rows, 0..<columns] += (packed A tile)·(packed B strip) over `depth`.
    @inline(__always)
    private static func tile(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Vector>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int) {
        var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector()
        var ap = a
        for p in 0..<depth {
            let bv = b[p]
            // Separate multiply and add: baseline x86-64 has no FMA, and a fused call would be a libm call.
            c0 += bv * ap[0]
            c1 += bv * ap[1]
            c2 += bv * ap[2]
            c3 += bv * ap[3]
            ap += tileRows
        }
        if rows == tileRows && columns == tileColumns {
            addVector(c0, to: c)
            addVector(c1, to: c + ldc)
            addVector(c2, to: c + 2 * ldc)
            addVector(c3, to: c + 3 * ldc)
            return
        }
        for r in 0..<rows {
            let v = r == 0 ? c0 : r == 1 ? c1 : r == 2 ? c2 : c3
            let row = c + r * ldc
            for q in 0..<columns { row[q] += v[q] }
        }
    }

    @inline(__always)
    private static func addVector(_ v: Vector, to p: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(p)
        raw.storeBytes(of: raw.loadUnaligned(as: Vector.self) + v, as: Vector.self)
    }

    /// y = alpha·xᵀ·A + beta·y for row-major A (rows × cols): four rows of A per pass over y, then
    /// the remaining rows one at a time.
    static func gemv(rows: Int, cols: Int, alpha: Float, a: UnsafePointer<Float>, x: UnsafePointer<Float>,
                     beta: Float, y: UnsafeMutablePointer<Float>) {
        if beta == 0 { y.update(repeating: 0, count: cols) } else if beta != 1 { for j in 0..<cols { y[j] *= beta } }
        let full = cols - cols % tileColumns
        var i = 0
        while i + 4 <= rows {
            let (x0, x1, x2, x3) = (alpha * x[i], alpha * x[i + 1], alpha * x[i + 2], alpha * x[i + 3])
            let r0 = a + i * cols, r1 = r0 + cols, r2 = r1 + cols, r3 = r2 + cols
            var j = 0
            while j < full {
                let yp = UnsafeMutableRawPointer(y + j)
                var acc = yp.loadUnaligned(as: Vector.self)
                acc += UnsafeRawPointer(r0 + j).loadUnaligned(as: Vector.self) * x0
                acc += UnsafeRawPointer(r1 + j).loadUnaligned(as: Vector.self) * x1
                acc += UnsafeRawPointer(r2 + j).loadUnaligned(as: Vector.self) * x2
                acc += UnsafeRawPointer(r3 + j).loadUnaligned(as: Vector.self) * x3
                yp.storeBytes(of: acc, as: Vector.self)
                j += tileColumns
            }
            while j < cols {
                y[j] += r0[j] * x0 + r1[j] * x1 + r2[j] * x2 + r3[j] * x3
                j += 1
            }
            i += 4
        }
        while i < rows {
            let xi = alpha * x[i]
            let r = a + i * cols
            for j in 0..<cols { y[j] += r[j] * xi }
            i += 1
        }
    }
}
