import Foundation
import SDDCore

/// One stage of training: a number of fresh synthetic spectra at a range of statistics, with a
/// cosine-decaying learning rate.
public struct TrainingPhase: Codable, Sendable, Equatable {
    public var name: String
    /// Spectra drawn in this phase (each one new: data are made on the fly).
    public var spectra: Int
    /// Total counts in the window, drawn log-uniformly.
    public var totalCounts: ClosedRange<Double>
    public var learningRate: Double
    public var finalLearningRate: Double

    public init(name: String, spectra: Int, totalCounts: ClosedRange<Double>, learningRate: Double, finalLearningRate: Double) {
        self.name = name
        self.spectra = spectra
        self.totalCounts = totalCounts
        self.learningRate = learningRate
        self.finalLearningRate = finalLearningRate
    }

    /// The paper's recipe: train at high statistics, then fine-tune at low statistics.
    public static func paperSchedule(spectra: Int) -> [TrainingPhase] {
        [TrainingPhase(name: "high-counts", spectra: spectra * 3 / 5, totalCounts: 2e4...1e6,
                       learningRate: 1e-3, finalLearningRate: 1e-4),
         TrainingPhase(name: "low-counts fine-tune", spectra: spectra * 2 / 5, totalCounts: 1e3...3e5,
                       learningRate: 3e-4, finalLearningRate: 5e-6)]
    }
}

/// Trains a `CentroidCNN` on synthetic spectra with Adam and MSE, validating on held-out seeds.
public final class Trainer {
    /// Random streams: training phases use 1, 2, …; validation uses its own stream, never trained on.
    public static let validationStream: UInt64 = 1_000
    /// Streams reserved for tests and `evaluate-peaks`.
    public static let testStream: UInt64 = 2_000

    public let synthesizer: TrainingSpectrumSynthesizer
    public let network: CentroidCNN
    public let seed: UInt64
    public let batchSize: Int
    public let phases: [TrainingPhase]
    public let scaling: OutputScaling
    /// Statistics levels and sizes of the held-out validation sets.
    public var validationCounts: [Double] = [3_000, 100_000]
    public var validationSpectra = 1_000
    /// Receives one line per report (loss, rate, validation), e.g. for a log file.
    public var log: (String) -> Void = { _ in }
    public var progress: ProgressObserver?

    public init(profile: LineProfile, seed: UInt64, phases: [TrainingPhase], batchSize: Int = 256,
                architecture: CentroidCNN.Architecture? = nil, ranges: SynthesisRanges = SynthesisRanges(),
                scalingSpectra: Int = 4096) {
        let synth = TrainingSpectrumSynthesizer(profile: profile, ranges: ranges)
        synthesizer = synth
        self.seed = seed
        self.batchSize = batchSize
        self.phases = phases
        scaling = synth.outputScaling(seed: seed, spectra: scalingSpectra)
        network = CentroidCNN(architecture ?? CentroidCNN.Architecture(inputLength: synth.encoding.bins, outputs: synth.outputCount),
                              seed: seed)
    }

    /// Runs every phase, then validates. Returns the validation summaries and the number of spectra seen.
    public func run() -> (validation: [ValidationSummary], spectraSeen: Int, seconds: Double) {
        let optimizer = AdamOptimizer(parameters: network.parameters)
        let start = Date()
        let total = phases.reduce(0) { $0 + $1.spectra }
        var seen = 0
        var validation: [ValidationSummary] = []
        for (k, phase) in phases.enumerated() {
            var synth = synthesizer
            synth.ranges.totalCounts = phase.totalCounts
            let steps = Swift.max(1, phase.spectra / batchSize)
            var lossSum = 0.0, lossN = 0
            let reportEvery = Swift.max(1, steps / 40)
            // The next mini-batch is made in the background while this one trains: synthesis fills the
            // gaps of the training step's serial parts. Items are seeded individually, so the data do
            // not depend on this overlap.
            let stream = UInt64(k + 1), scaling = self.scaling, size = batchSize, seed = self.seed, phaseSynth = synth
            func prefetch(_ step: Int) -> BatchPrefetch {
                let p = BatchPrefetch()
                p.group.enter()
                DispatchQueue.global().async {
                    let b = phaseSynth.batch(seed: seed, stream: stream, first: step * size, count: size, scaling: scaling)
                    p.batch = (b.inputs, b.targets)
                    p.group.leave()
                }
                return p
            }
            var next = prefetch(0)
            for step in 0..<steps {
                let f = Double(step) / Double(steps)
                optimizer.learningRate = phase.finalLearningRate
                    + 0.5 * (phase.learningRate - phase.finalLearningRate) * (1 + cos(Double.pi * f))
                next.group.wait()
                let b = next.batch!
                if step + 1 < steps { next = prefetch(step + 1) }
                lossSum += network.trainStep(inputs: b.inputs, targets: b.targets, optimizer: optimizer)
                lossN += 1
                seen += batchSize
                progress?.progress(done: seen, total: total, unit: "spectra")
                if (step + 1) % reportEvery == 0 || step + 1 == steps {
                    let el = Date().timeIntervalSince(start)
                    let rmsADC = (lossSum / Double(lossN)).squareRoot() * scaling.scale.reduce(0, +) / Double(scaling.scale.count)
                    log(String(format: "%@ step %d/%d  spectra %d  loss %.3e (rms %.2f ADC)  lr %.2e  %.0f spectra/s  %.0f s",
                               phase.name, step + 1, steps, seen, lossSum / Double(lossN), rmsADC,
                               optimizer.learningRate, Double(seen) / el, el))
                    lossSum = 0; lossN = 0
                }
            }
            // Held-out validation after each phase; the last one is the model's.
            validation = validate()
            for s in validation { log("after \(phase.name): " + Self.describe(s)) }
        }
        return (validation, seen, Date().timeIntervalSince(start))
    }

    /// Errors on the held-out validation stream at each of `validationCounts`.
    public func validate() -> [ValidationSummary] {
        let ids = synthesizer.profile.calibrationLineIDs
        return validationCounts.enumerated().map { (k, n) in
            let b = synthesizer.batch(seed: seed, stream: Self.validationStream + UInt64(k), first: 0,
                                      count: validationSpectra, scaling: scaling, totalCounts: n)
            let y = network.predict(b.inputs)
            let outs = synthesizer.outputCount
            let predicted: [[Double?]] = (0..<validationSpectra).map { i in
                (0..<outs).map { scaling.adc(Double(y.storage[i * outs + $0]), line: $0) }
            }
            return ValidationSummary(totalCounts: n, lineIDs: ids, predicted: predicted,
                                     truth: b.spectra.map(\.lineADC), foundTolerance: CentroidPredictor.foundTolerance)
        }
    }

    /// One line per validation set: median / p99 |error| per line.
    public static func describe(_ s: ValidationSummary) -> String {
        "validation \(Int(s.totalCounts)) counts: " + s.lines.map {
            String(format: "%@ %.2f/%.2f", $0.line, $0.medianAbsError, $0.p99AbsError)
        }.joined(separator: "  ") + String(format: "  (median/p99 |err| ADC; all found %.2f%%)", 100 * s.allFoundFraction)
    }
}

/// A mini-batch being made on another thread.
private final class BatchPrefetch: @unchecked Sendable {
    let group = DispatchGroup()
    var batch: (inputs: Tensor, targets: Tensor)?
}
