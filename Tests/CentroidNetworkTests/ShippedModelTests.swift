import XCTest
@testable import CentroidNetwork
import SDDCore

/// The model shipped in Assets/: what it says about itself, and its accuracy on held-out spectra
/// drawn like the VIP-2 simulator's detectors (streams and seed never used in training).
final class ShippedModelTests: XCTestCase {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Assets").appendingPathComponent(CentroidPredictor.bundledFileName).path

    static let predictor: CentroidPredictor? = try? CentroidPredictor.load(path)

    func testShippedModelRecordsHowItWasMade() throws {
        let p = try XCTUnwrap(Self.predictor, "cannot load \(Self.path)")
        XCTAssertEqual(p.metadata.profile.name, "vip2")
        XCTAssertEqual(p.lineIDs, ["TiKa", "TiKb", "MnKa", "MnKb", "CuKa"])
        XCTAssertEqual(p.metadata.encoding, InputEncoding(firstChannel: 1500, channelsPerBin: 10, bins: 300, normalisation: .sqrtMax))
        XCTAssertEqual(p.metadata.parameterCount, 1_078_825)
        let t = try XCTUnwrap(p.metadata.training)
        XCTAssertTrue(t.command.hasPrefix("sddcal train "), t.command)
        XCTAssertTrue(t.command.contains("--seed \(t.seed)"), t.command)
        XCTAssertEqual(t.phases.count, 2)
        XCTAssertLessThan(t.phases[1].totalCounts.lowerBound, t.phases[0].totalCounts.lowerBound, "fine-tune at lower counts")
        XCTAssertEqual(t.validation.map(\.totalCounts), [3_000, 100_000])
    }

    func testShippedModelFindsTheLinesOfHeldOutSpectra() throws {
        let p = try XCTUnwrap(Self.predictor, "cannot load \(Self.path)")
        let eval = CentroidEvaluation(profile: .vip2, encoding: p.encoding, ranges: .simulatorPopulation(), seed: 4242)
        for (k, counts) in [3_000.0, 100_000].enumerated() {
            let s = CentroidEvaluation.evaluate(p, on: eval.testSet(totalCounts: counts, spectra: 300, index: k))
            for l in s.lines {
                XCTAssertLessThan(l.medianAbsError, 2, "\(l.line) at \(counts) counts: median |error| \(l.medianAbsError) ADC")
                XCTAssertLessThan(l.p99AbsError, 10, "\(l.line) at \(counts) counts: p99 |error| \(l.p99AbsError) ADC")
            }
            XCTAssertGreaterThanOrEqual(s.allFoundFraction, 0.99, "all five lines found at \(counts) counts")
        }
    }

    /// The predictor reads any ADC histogram: a channel histogram of simulated events gives the same
    /// centroids as the window histogram it contains.
    func testChannelHistogramAndWindowHistogramAgree() throws {
        let p = try XCTUnwrap(Self.predictor, "cannot load \(Self.path)")
        let synth = TrainingSpectrumSynthesizer(profile: .vip2, ranges: .simulatorPopulation())
        var rng = SeededGenerator(seed: 99, stream: 5, index: 0)
        let s = synth.make(using: &rng, totalCounts: 20_000)
        let window = Histogram(lowerEdge: 1499.5, binWidth: 10, counts: s.counts)
        var channels = Histogram(lowerEdge: -0.5, binWidth: 1, bins: 8192)
        for (j, c) in s.counts.enumerated() { channels.counts[1500 + 10 * j + 3] = c }
        let a = try p.predict(window), b = try p.predict(channels)
        for k in 0..<5 {
            XCTAssertEqual(a[k], b[k], accuracy: 1e-6)
            XCTAssertEqual(a[k], s.lineADC[k], accuracy: 15)
        }
    }
}
