@testable import PeakFinding
import SDDCore
import XCTest

/// Fast paths against the plain definitions they replace, on random signals.
final class PeakPropertyTests: XCTestCase {
    func randomSignal(_ rng: inout SeededGenerator) -> [Double] {
        let n = 3 + Int(rng.uniform() * 300)
        if rng.uniform() < 0.5 { return (0..<n).map { _ in Double(Int(rng.uniform() * 6)) } }   // many ties
        return (0..<n).map { _ in rng.normal() }
    }

    func testProminencesFromMaximaEqualWalks() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<800 {
            let x = randomSignal(&rng)
            let all = LocalMaxima(x).peaks
            // All maxima, and a random subset (as left by earlier conditions).
            for peaks in [all, all.filter { _ in rng.uniform() < 0.4 }] {
                let (a, b) = x.withUnsafeBufferPointer {
                    (PeakProminences.computeByMaxima($0, peaks: peaks, maxima: all),
                     PeakProminences.computeByWalks($0, peaks: peaks, half: nil))
                }
                XCTAssertEqual(a, b)
                if a != b { return }
            }
        }
    }

    func testWindowedProminencesFromStretchesEqualWalks() {
        var rng = SeededGenerator(seed: 123)
        for _ in 0..<800 {
            let x = randomSignal(&rng)
            let all = LocalMaxima(x).peaks
            let half = Int(rng.uniform() * Double(x.count))
            for peaks in [all, all.filter { _ in rng.uniform() < 0.4 }] {
                let (a, b) = x.withUnsafeBufferPointer {
                    (PeakProminences.computeByStretches($0, peaks: peaks, maxima: all, half: half),
                     PeakProminences.computeByWalks($0, peaks: peaks, half: half))
                }
                XCTAssertEqual(a, b, "half \(half)")
                if a != b { return }
            }
        }
    }

    /// The definition of a local maximum, sample by sample, against the two-pass scan.
    func testLocalMaximaMatchDefinition() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<500 {
            let x = randomSignal(&rng)
            var expected: [Int] = [], lefts: [Int] = [], rights: [Int] = []
            var i = 1
            while i < x.count - 1 {
                // Maximal run of equal values starting at i, preceded by a lower sample.
                var j = i
                while j + 1 < x.count && x[j + 1] == x[i] { j += 1 }
                if x[i - 1] < x[i] && j + 1 < x.count && x[j + 1] < x[i] {
                    expected.append((i + j) / 2); lefts.append(i); rights.append(j)
                }
                i = j + 1
            }
            let m = LocalMaxima(x)
            XCTAssertEqual(m.peaks, expected)
            XCTAssertEqual(m.leftEdges, lefts)
            XCTAssertEqual(m.rightEdges, rights)
            if m.peaks != expected { break }
        }
    }

    /// Distance selection against its plain statement: visiting peaks by decreasing height (equal
    /// heights right first), a peak survives if no survivor visited before it is closer than d.
    func testDistanceSelectionMatchesGreedyDefinition() {
        var rng = SeededGenerator(seed: 17)
        for _ in 0..<300 {
            let x = randomSignal(&rng)
            let peaks = LocalMaxima(x).peaks
            let d = 1 + Int(rng.uniform() * 8)
            let order = peaks.indices.sorted { (x[peaks[$0]], $0) > (x[peaks[$1]], $1) }
            var kept = Set<Int>()
            for j in order where !kept.contains(where: { abs(peaks[$0] - peaks[j]) < d }) { kept.insert(j) }
            let keep = x.withUnsafeBufferPointer { PeakFinder.distanceSelection(peaks, $0, distance: d) }
            XCTAssertEqual(Set(keep.indices.filter { keep[$0] }), kept, "d \(d)")
        }
    }
}
