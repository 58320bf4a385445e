import PeakFinding
import SDDCore
import XCTest

/// Hand-worked cases of SciPy's documented semantics, and bad input.
final class PeakFinderTests: XCTestCase {
    func testPlateauMiddleRoundsDown() throws {
        // Tops: single at 1; plateau 3...4 (even: middle rounds down to 3); plateau 6...8 (middle 7).
        let x: [Double] = [0, 2, 0, 1, 1, 0, 3, 3, 3, 0]
        let r = try PeakFinder.findPeaks(x, options: PeakSearchOptions(plateauSize: 1))
        XCTAssertEqual(r.peaks, [1, 3, 7])
        XCTAssertEqual(r.properties.plateauSizes, [1, 2, 3])
        XCTAssertEqual(r.properties.leftEdges, [1, 3, 6])
        XCTAssertEqual(r.properties.rightEdges, [1, 4, 8])
        XCTAssertEqual(try PeakFinder.findPeaks(x, options: PeakSearchOptions(plateauSize: PeakCondition(min: 2, max: 2))).peaks, [3])
    }

    func testEdgesAndShouldersAreNotPeaks() throws {
        XCTAssertEqual(try PeakFinder.findPeaks([3, 1, 2, 2]).peaks, [])        // plateau touching the end
        XCTAssertEqual(try PeakFinder.findPeaks([5, 1, 0]).peaks, [])           // first sample
        XCTAssertEqual(try PeakFinder.findPeaks([0, 2, 2, 3, 1]).peaks, [3])    // shoulder then peak
    }

    func testHeightThresholdAndIntervals() throws {
        let x: [Double] = [0, 5, 4, 9, 0, 3, 2.5, 0]
        XCTAssertEqual(try PeakFinder.findPeaks(x).peaks, [1, 3, 5])
        XCTAssertEqual(try PeakFinder.findPeaks(x, options: PeakSearchOptions(height: 4)).peaks, [1, 3])
        XCTAssertEqual(try PeakFinder.findPeaks(x, options: PeakSearchOptions(height: PeakCondition(max: 5))).peaks, [1, 5])
        // Threshold: steps to neighbours are (5, 1), (5, 9), (3, 0.5).
        let t = try PeakFinder.findPeaks(x, options: PeakSearchOptions(threshold: 1))
        XCTAssertEqual(t.peaks, [1, 3])
        XCTAssertEqual(t.properties.leftThresholds, [5, 5])
        XCTAssertEqual(t.properties.rightThresholds, [1, 9])
        XCTAssertEqual(try PeakFinder.findPeaks(x, options: PeakSearchOptions(threshold: PeakCondition(min: 0.5, max: 5))).peaks, [1, 5])
        // min above max accepts nothing (SciPy's behaviour), no error.
        XCTAssertEqual(try PeakFinder.findPeaks(x, options: PeakSearchOptions(height: PeakCondition(min: 5, max: 1))).peaks, [])
    }

    func testDistanceRemovesLowerPeaksFirst() throws {
        let x: [Double] = [0, 3, 0, 5, 0, 4, 0, 1, 0]
        XCTAssertEqual(try PeakFinder.findPeaks(x, options: PeakSearchOptions(distance: 2.5)).peaks, [3, 7])
        XCTAssertEqual(try PeakFinder.findPeaks(x, options: PeakSearchOptions(distance: 2)).peaks, [1, 3, 5, 7])
        // Equal heights: the rightmost is kept.
        XCTAssertEqual(try PeakFinder.findPeaks([0, 2, 0, 2, 0], options: PeakSearchOptions(distance: 3)).peaks, [3])
    }

    func testProminenceAndWidthByHand() throws {
        // Peak 3 (height 4): left walk reaches index 0 (value 0), right walk stops at index 6 (5 > 4):
        // right minimum 1 at index 5, so prominence = 4 − max(0, 1) = 3.
        let x: [Double] = [0, 1, 2, 4, 2, 1, 5, 0]
        let p = try PeakFinder.peakProminences(x, peaks: [3, 6])
        XCTAssertEqual(p.prominences, [3, 5])
        XCTAssertEqual(p.leftBases, [0, 0])
        XCTAssertEqual(p.rightBases, [5, 7])
        // Window 3 around peak 3: bases inside 2...4, prominence 4 − 2 = 2.
        XCTAssertEqual(try PeakFinder.peakProminences(x, peaks: [3], wlen: 3).prominences, [2])
        XCTAssertEqual(try PeakFinder.peakProminences(x, peaks: [3], wlen: 2.2).prominences, [2])   // rounded up to 3
        // Width at half prominence of peak 3: height 4 − 3/2 = 2.5; left crossing between samples 2 (2)
        // and 3 (4) at 2 + 0.5/2 = 2.25; right crossing between 4 (2) and 3 (4) at 4 − 0.5/2 = 3.75.
        let w = try PeakFinder.peakWidths(x, peaks: [3], relHeight: 0.5)
        XCTAssertEqual(w.widthHeights, [2.5])
        XCTAssertEqual(w.leftIPs, [2.25])
        XCTAssertEqual(w.rightIPs, [3.75])
        XCTAssertEqual(w.widths, [1.5])
    }

    func testGaussianWidthMatchesFWHM() throws {
        // A sampled Gaussian of σ = 10: width at rel_height 0.5 ≈ 2.3548 σ (linear interpolation error < 0.05).
        let x = (0..<201).map { exp(-0.5 * pow((Double($0) - 100) / 10, 2)) }
        let r = try PeakFinder.findPeaks(x, options: PeakSearchOptions(width: 1))
        XCTAssertEqual(r.peaks, [100])
        XCTAssertEqual(r.properties.widths![0], 2.3548 * 10, accuracy: 0.05)
        XCTAssertEqual(r.properties.prominences![0], 1 - x[0], accuracy: 1e-12)
    }

    func testPropertiesPresentOnlyForGivenConditions() throws {
        let x: [Double] = [0, 1, 0, 2, 0]
        let none = try PeakFinder.findPeaks(x).properties
        XCTAssertNil(none.peakHeights); XCTAssertNil(none.prominences); XCTAssertNil(none.widths); XCTAssertNil(none.plateauSizes)
        let w = try PeakFinder.findPeaks(x, options: PeakSearchOptions(width: 0)).properties
        XCTAssertNotNil(w.prominences)   // width needs prominences, so SciPy reports them
        XCTAssertNotNil(w.widths)
        XCTAssertNil(w.peakHeights)
    }

    // MARK: bad input

    func testEmptyShortAndFlatSignalsGiveNoPeaks() throws {
        for x in [[], [1], [1, 2], [0, 0, 0, 0], [Double](repeating: 0, count: 300)] as [[Double]] {
            let r = try PeakFinder.findPeaks(x, options: PeakSearchOptions(height: 0, threshold: 0, distance: 3, prominence: 0, width: 0, plateauSize: 1))
            XCTAssertEqual(r.peaks, [], "\(x.count) samples")
            XCTAssertEqual(r.properties.prominences ?? [], [])
        }
        XCTAssertEqual(try PeakFinder.peakProminences([], peaks: []).prominences, [])
        XCTAssertEqual(try PeakFinder.peakWidths([], peaks: []).widths, [])
    }

    func testNegativeValuesAreOrdinarySamples() throws {
        let r = try PeakFinder.findPeaks([-5, -1, -4, -2, -3], options: PeakSearchOptions(prominence: 0))
        XCTAssertEqual(r.peaks, [1, 3])
        XCTAssertEqual(r.properties.prominences, [3, 1])
    }

    func testNonFiniteSamplesAreRefused() {
        for bad in [Double.nan, .infinity, -.infinity] {
            XCTAssertThrowsError(try PeakFinder.findPeaks([0, 1, bad, 0])) { e in
                XCTAssertEqual((e as? SDDError).map { "\($0)" }?.hasPrefix("x: sample 2 is"), true, "\(e)")
            }
            XCTAssertThrowsError(try PeakFinder.peakProminences([0, bad, 0], peaks: [1]))
            XCTAssertThrowsError(try PeakFinder.peakWidths([0, 1, bad], peaks: [1]))
        }
    }

    func testBadParametersAreRefusedWithTheirName() {
        func name(_ o: PeakSearchOptions) -> String? {
            do { _ = try PeakFinder.findPeaks([0, 1, 0], options: o); return nil } catch let e as SDDError {
                if case let .invalidArgument(n, _) = e { return n }
                return "other"
            } catch { return "other" }
        }
        XCTAssertEqual(name(PeakSearchOptions(distance: 0.99)), "distance")
        XCTAssertEqual(name(PeakSearchOptions(distance: .nan)), "distance")
        XCTAssertEqual(name(PeakSearchOptions(distance: .infinity)), "distance")
        XCTAssertEqual(name(PeakSearchOptions(prominence: 1, wlen: 1)), "wlen")
        XCTAssertEqual(name(PeakSearchOptions(width: 1, wlen: .nan)), "wlen")
        XCTAssertEqual(name(PeakSearchOptions(width: 1, relHeight: -0.5)), "rel_height")
        XCTAssertEqual(name(PeakSearchOptions(height: PeakCondition(min: .nan))), "height")
        XCTAssertEqual(name(PeakSearchOptions(threshold: PeakCondition(max: .nan))), "threshold")
        // Huge but finite values are fine (a distance beyond the signal keeps only the highest peak).
        XCTAssertEqual(try PeakFinder.findPeaks([0, 1, 0, 2, 0, 1, 0], options: PeakSearchOptions(distance: 1e300)).peaks, [3])
        XCTAssertEqual(try PeakFinder.findPeaks([0, 1, 0, 2, 0], options: PeakSearchOptions(prominence: 0, wlen: 1e300)).properties.prominences, [1, 2])
        XCTAssertEqual(try PeakFinder.findPeaks([0, 1, 0, 2, 0], options: PeakSearchOptions(width: 0, relHeight: 1e300)).peaks, [1, 3])
        // Unused wlen / rel_height are ignored, as in SciPy.
        XCTAssertNil(name(PeakSearchOptions(wlen: 0, relHeight: -1)))
    }

    func testBadPeakIndicesAndProminenceData() {
        XCTAssertThrowsError(try PeakFinder.peakProminences([0, 1, 0], peaks: [3]))
        XCTAssertThrowsError(try PeakFinder.peakProminences([0, 1, 0], peaks: [-1]))
        XCTAssertThrowsError(try PeakFinder.peakWidths([0, 1, 0], peaks: [1], relHeight: -1))
        let wrong = try? PeakFinder.peakProminences([0, 1, 0, 2, 0], peaks: [3])
        XCTAssertThrowsError(try PeakFinder.peakWidths([0, 1, 0, 2, 0], peaks: [1], prominenceData: wrong))   // bases don't bracket 1
        XCTAssertThrowsError(try PeakFinder.peakWidths([0, 1, 0], peaks: [1, 1], prominenceData: wrong))     // count mismatch
    }

    func testConditionParsing() throws {
        XCTAssertEqual(try PeakCondition(parsing: "5", option: "--height"), PeakCondition(min: 5))
        XCTAssertEqual(try PeakCondition(parsing: "5:20", option: "--height"), PeakCondition(min: 5, max: 20))
        XCTAssertEqual(try PeakCondition(parsing: ":20", option: "--height"), PeakCondition(max: 20))
        XCTAssertEqual(try PeakCondition(parsing: "5:", option: "--height"), PeakCondition(min: 5))
        XCTAssertEqual(try PeakCondition(parsing: "5,none", option: "--height"), PeakCondition(min: 5))
        XCTAssertThrowsError(try PeakCondition(parsing: "abc", option: "--height"))
        XCTAssertThrowsError(try PeakCondition(parsing: "nan", option: "--height"))
        XCTAssertThrowsError(try PeakCondition(parsing: "", option: "--height"))
    }
}
