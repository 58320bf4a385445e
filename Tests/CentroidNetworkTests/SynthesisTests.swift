import XCTest
@testable import CentroidNetwork
import SDDCore

/// The training-data synthesizer against independent truth: numerical integration of
/// `DetectorResponse.density`, the calibration's inverse, and Poisson statistics.
final class SynthesisTests: XCTestCase {
    func testBinIntegralsMatchNumericalIntegrationOfTheResponseDensity() {
        let response = DetectorResponse(enc: 12, tailFraction: 0.05, tailSlope: 1.4)
        let mu = 2500.3, sigma = 21.7
        var bins = [Double](repeating: 0, count: 40)
        bins.withUnsafeMutableBufferPointer {
            LineShapeIntegral.accumulate(into: $0.baseAddress!, count: 40, firstEdge: 2199.5, binWidth: 10, mu: mu,
                                         sigma: sigma, tailFraction: response.tailFraction,
                                         tailSlope: response.tailSlope, weight: 1)
        }
        for j in 0..<40 {
            // Simpson's rule with 200 panels per bin.
            let a = 2199.5 + Double(j) * 10, h = 10.0 / 200
            var s = response.density(a, mu: mu, sigma: sigma) + response.density(a + 10, mu: mu, sigma: sigma)
            for k in 1..<200 { s += Double(k % 2 == 0 ? 2 : 4) * response.density(a + Double(k) * h, mu: mu, sigma: sigma) }
            XCTAssertEqual(bins[j], s * h / 3, accuracy: 2e-7, "bin \(j)")
        }
        // Window [2199.5, 2599.5] holds nearly all of the line (its tail reaches ~ −20σ).
        XCTAssertEqual(bins.reduce(0, +), 1, accuracy: 1e-4)
    }

    func testTailCDFIsFiniteFarFromThePeak() {
        for d in [-200.0, -40, -5, 0, 5, 12, 40, 300] {
            let c = SDDLineShape.cdf(d, tailFraction: 0.05, tailSlope: 1.4)
            XCTAssertTrue(c.isFinite && c >= 0 && c <= 1 + 1e-12, "cdf(\(d)) = \(c)")
        }
        XCTAssertEqual(SDDLineShape.cdf(300, tailFraction: 0.05, tailSlope: 1.4), 1, accuracy: 1e-12)
    }

    func testSpectraHaveTrueLinePositionsAndCounts() {
        let synth = TrainingSpectrumSynthesizer(profile: .vip2)
        XCTAssertEqual(synth.encoding, InputEncoding(firstChannel: 1500, channelsPerBin: 10, bins: 300))
        var rng = SeededGenerator(seed: 5)
        var totals: [Double] = []
        for _ in 0..<200 {
            let s = synth.make(using: &rng, totalCounts: 50_000)
            totals.append(s.counts.reduce(0, +))
            XCTAssertEqual(s.lineADC.count, 5)
            for (k, line) in LineProfile.vip2.calibrationLines.enumerated() {
                // The calibration maps the true position back to the line's energy.
                XCTAssertEqual(s.calibration.energy(s.lineADC[k]), line.energy, accuracy: 1e-6)
                XCTAssertTrue((1500...4500).contains(s.lineADC[k]))
            }
            XCTAssertEqual(s.lineADC, s.lineADC.sorted())
            // The strongest bin is near Mn Kα or Ti Kα.
            let peak = s.counts.indices.max { s.counts[$0] < s.counts[$1] }!
            let peakADC = 1500 + Double(peak) * 10 + 4.5
            XCTAssertLessThan(min(abs(peakADC - s.lineADC[0]), abs(peakADC - s.lineADC[2])), 30)
        }
        let mean = totals.reduce(0, +) / Double(totals.count)
        XCTAssertEqual(mean, 50_000, accuracy: 5 * (50_000.0 / 200).squareRoot())
    }

    func testBatchesAreReproducibleAndIndependentOfThreads() {
        let synth = TrainingSpectrumSynthesizer(profile: .vip2)
        let scaling = OutputScaling(center: [2000, 2100, 2500, 2700, 3200], scale: [100, 100, 100, 100, 100])
        let saved = ParallelWork.threads
        ParallelWork.threads = 1
        let a = synth.batch(seed: 3, stream: 1, first: 10, count: 12, scaling: scaling)
        ParallelWork.threads = 2
        let b = synth.batch(seed: 3, stream: 1, first: 10, count: 12, scaling: scaling)
        ParallelWork.threads = saved
        XCTAssertEqual(a.inputs, b.inputs)
        XCTAssertEqual(a.targets, b.targets)
        let c = synth.batch(seed: 3, stream: 2, first: 10, count: 12, scaling: scaling)
        XCTAssertNotEqual(a.inputs, c.inputs)
        // Inputs are normalised to a maximum of 1; targets are the scaled true positions.
        for i in 0..<12 {
            XCTAssertEqual(a.inputs.storage[(i * 300)..<((i + 1) * 300)].max()!, 1)
            XCTAssertEqual(Double(a.targets.storage[i * 5 + 4]), (a.spectra[i].lineADC[4] - 3200) / 100, accuracy: 1e-4)
        }
    }

    func testOtherProfilesSetWindowAndOutputs() {
        let p = LineProfile.named("TiKa,FeKa,CuKa,SrKa")!
        let synth = TrainingSpectrumSynthesizer(profile: p)
        XCTAssertEqual(synth.outputCount, 4)
        XCTAssertEqual(synth.encoding.bins, 300)
        var rng = SeededGenerator(seed: 1)
        let s = synth.make(using: &rng, totalCounts: 1e5)
        for x in s.lineADC { XCTAssertTrue(x > synth.encoding.lowerEdge && x < synth.encoding.upperEdge, "\(x) outside window") }
    }

    func testWindowCountsFromChannelHistogram() {
        let enc = InputEncoding(firstChannel: 1500, channelsPerBin: 10, bins: 300)
        let values: [UInt16] = [1499, 1500, 1509, 1510, 4499, 4500]
        let h = Histogram.adc(values, firstChannel: 0, channelsPerBin: 1, bins: 8192)
        let c = enc.windowCounts(h)
        XCTAssertEqual(c[0], 2)
        XCTAssertEqual(c[1], 1)
        XCTAssertEqual(c[299], 1)
        XCTAssertEqual(c.reduce(0, +), 4)
        // A coarser histogram is shared by overlap.
        let coarse = Histogram.adc(values, firstChannel: 0, channelsPerBin: 20, bins: 410)
        XCTAssertEqual(enc.windowCounts(coarse).reduce(0, +), 4, accuracy: 1e-9)
    }
}
