import PeakFinding
import PeakKernels
import SDDCore
import XCTest

/// The C kernels of the local-maxima scan (every one this processor runs: portable, AVX2,
/// AVX-512) against the definition written out plainly, on signals full of plateaus.
final class LocalMaximaKernelTests: XCTestCase {
    /// The definition: a rise, a run of equal samples, then a fall before the last sample; the
    /// middle of the run, rounded down.
    private func reference(_ x: [Double]) -> [Int] {
        var out: [Int] = []
        var i = 1
        while i < x.count - 1 {
            if x[i - 1] < x[i] {
                var j = i + 1
                while j < x.count - 1 && x[j] == x[i] { j += 1 }
                if x[j] < x[i] { out.append((i + j - 1) / 2); i = j; continue }
            }
            i += 1
        }
        return out
    }

    /// The kernels this processor runs.
    private let kernels = [SDD_MAXIMA_PORTABLE, SDD_MAXIMA_AVX2, SDD_MAXIMA_AVX512]
        .filter { $0.rawValue <= sdd_local_maxima_best_kernel().rawValue }

    private func kernel(_ x: [Double], _ k: sdd_maxima_kernel) -> (peaks: [Int], finite: Bool) {
        var finite: Int32 = -1
        let peaks = x.withUnsafeBufferPointer { b -> [Int] in
            [Int](unsafeUninitializedCapacity: (x.count + 1) / 2 + 16) { out, count in
                // An empty signal has no base address; the kernels never read it then.
                let base = b.baseAddress ?? UnsafePointer(bitPattern: 8)!
                count = sdd_local_maxima_with(k, base, x.count, out.baseAddress!, &finite)
            }
        }
        return (peaks, finite == 1)
    }

    func testKernelsMatchTheDefinitionOnPlateauRichSignals() {
        var rng = SeededGenerator(seed: 31)
        // Few levels make plateaus of every length, across the 64-sample chunks and the signal's ends.
        for t in 0..<4000 {
            let n = Int(rng.next() % 400)
            let levels = 1 + rng.next() % 5
            let x = (0..<n).map { _ in Double(rng.next() % levels) }
            let want = reference(x)
            for k in kernels {
                let (got, finite) = kernel(x, k)
                XCTAssertTrue(finite)
                XCTAssertEqual(got, want, "signal \(t) (n = \(n), kernel \(k.rawValue))")
                if got != want { return }
            }
        }
    }

    func testPlateauEdgesOfEveryLength() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let n = 3 + Int(rng.next() % 300)
            let x = (0..<n).map { _ in Double(rng.next() % 3) }
            let peaks = reference(x)
            var left = [Int](repeating: -1, count: peaks.count), right = left
            x.withUnsafeBufferPointer { X in peaks.withUnsafeBufferPointer { P in
                left.withUnsafeMutableBufferPointer { L in right.withUnsafeMutableBufferPointer { R in
                    if !P.isEmpty { sdd_plateau_edges(X.baseAddress!, P.baseAddress!, P.count, L.baseAddress!, R.baseAddress!) }
                }}
            }}
            for (k, p) in peaks.enumerated() {
                var l = p, r = p
                while x[l - 1] == x[p] { l -= 1 }
                while x[r + 1] == x[p] { r += 1 }
                XCTAssertEqual([left[k], right[k]], [l, r], "peak \(p)")
            }
        }
    }

    func testLongSignalsBeyondTheStackWords() {
        // Over 65,536 samples the kernels keep their per-chunk words on the heap; a plateau of a
        // few hundred samples across that boundary and short ones everywhere.
        var rng = SeededGenerator(seed: 5)
        for n in [65_537, 65_600, 200_001] {
            var x = (0..<n).map { _ in Double(rng.next() % 4) }
            for i in (65_400..<65_700) where i < n { x[i] = 9 }
            let want = reference(x)
            for k in kernels { XCTAssertEqual(kernel(x, k).peaks, want, "n = \(n) kernel \(k.rawValue)") }
        }
    }

    func testLongPlateausAndSignedZeros() {
        // Plateaus of 3 to 130 samples ending in a fall (a maximum) or a rise (none), at every offset
        // of a 64-sample chunk; −0 equals +0, so a run mixing them is one plateau.
        for length in [3, 4, 5, 63, 64, 65, 130] {
            for offset in 0..<70 {
                for fallsAfter in [true, false] {
                    var x = [Double](repeating: 0, count: offset + 1) + [Double](repeating: 2, count: length)
                    x += fallsAfter ? [1, 0] : [3, 0]
                    if offset > 2 { x[offset - 1] = -0.0 }
                    let want = reference(x)
                    XCTAssertEqual(want.contains((offset + 1 + offset + length) / 2), fallsAfter)
                    for k in kernels {
                        XCTAssertEqual(kernel(x, k).peaks, want, "length \(length) offset \(offset) kernel \(k.rawValue)")
                    }
                }
            }
        }
    }

    func testNonFiniteSamplesAreReportedWherever() {
        for n in [1, 2, 3, 64, 65, 66, 200] {
            for at in Set([0, n / 2, n - 1]) {
                for bad in [Double.nan, .infinity, -.infinity] {
                    var x = (0..<n).map { Double($0 % 7) }
                    x[at] = bad
                    for k in kernels {
                        XCTAssertFalse(kernel(x, k).finite, "n \(n) at \(at) \(bad) kernel \(k.rawValue)")
                    }
                }
            }
            for k in kernels { XCTAssertTrue(kernel((0..<n).map { Double($0 % 7) }, k).finite) }
        }
        for k in kernels { XCTAssertTrue(kernel([], k).finite) }
    }
}
