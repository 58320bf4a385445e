import Foundation
import SDDCore

/// Held-out test spectra at fixed statistics, and the CNN's centroid errors on them against the
/// true line positions (the paper's figure 3, right).
public struct CentroidEvaluation {
    /// One statistics level: its spectra as window histograms and the true line positions.
    public struct TestSet {
        public var totalCounts: Double
        /// Window histograms in ADC (lower edge firstChannel − ½, `channelsPerBin` wide bins).
        public var histograms: [Histogram]
        /// Encoded network inputs `[n, bins]`.
        public var inputs: Tensor
        /// True ADC positions of the calibration lines, per spectrum.
        public var truth: [[Double]]

        public init(totalCounts: Double, histograms: [Histogram], inputs: Tensor, truth: [[Double]]) {
            self.totalCounts = totalCounts
            self.histograms = histograms
            self.inputs = inputs
            self.truth = truth
        }
    }

    public let synthesizer: TrainingSpectrumSynthesizer
    public let seed: UInt64

    /// Test spectra of `profile` drawn from `ranges` with streams that training never uses
    /// (`Trainer.testStream` and above), under `seed`.
    public init(profile: LineProfile, encoding: InputEncoding, ranges: SynthesisRanges, seed: UInt64) {
        synthesizer = TrainingSpectrumSynthesizer(profile: profile, encoding: encoding, ranges: ranges)
        self.seed = seed
    }

    /// `spectra` spectra with `totalCounts` expected counts in the window; level `index` picks the stream.
    public func testSet(totalCounts: Double, spectra: Int, index: Int) -> TestSet {
        let n = synthesizer.outputCount
        let identity = OutputScaling(center: [Double](repeating: 0, count: n), scale: [Double](repeating: 1, count: n))
        let b = synthesizer.batch(seed: seed, stream: Trainer.testStream + UInt64(index), first: 0, count: spectra,
                                  scaling: identity, totalCounts: totalCounts)
        let enc = synthesizer.encoding
        let hs = b.spectra.map { Histogram(lowerEdge: enc.lowerEdge, binWidth: Double(enc.channelsPerBin), counts: $0.counts) }
        return TestSet(totalCounts: totalCounts, histograms: hs, inputs: b.inputs, truth: b.spectra.map(\.lineADC))
    }

    /// The predictor's errors on a test set.
    public static func evaluate(_ predictor: CentroidPredictor, on set: TestSet,
                                tolerance: Double = CentroidPredictor.foundTolerance) -> ValidationSummary {
        let predicted = predictor.predict(inputs: set.inputs).map { $0.map { Optional($0) } }
        return ValidationSummary(totalCounts: set.totalCounts, lineIDs: predictor.lineIDs, predicted: predicted,
                                 truth: set.truth, foundTolerance: tolerance)
    }
}
