import ArgumentParser
import CentroidNetwork
import Foundation
import SDDCore

/// `sddcal train`: trains the paper's CNN on synthetic spectra of a line profile and writes a model file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the centroid CNN on synthetic spectra (high counts, then a low-count fine-tune).",
        discussion: """
        Spectra are made on the fly from the detector response model with wide variations of gain,
        offset, quadratic term, resolution, tail, yields, continuum and counts; each phase draws new
        ones. The window and the number of outputs come from the profile. Validation uses held-out
        seeds at 3,000 and 100,000 counts. The exact command and seed are stored in the model file.
        Example (the shipped model): sddcal train --profile vip2 --seed 1 --out Assets/cnn-vip2.sddnn
        """)

    @Option(help: "Line profile: vip2, siddharta2, or a list of lines such as TiKa,FeKa,CuKa,SrKa.")
    var profile = "vip2"
    @Option(help: "Seed of initialisation, dropout and training data.")
    var seed: UInt64 = 1
    @Option(help: "Spectra in all (3/5 at high counts, 2/5 in the low-count fine-tune).")
    var spectra = 3_000_000
    @Option(name: .customLong("batch-size"), help: "Mini-batch size.")
    var batchSize = 256
    @Option(name: .customLong("validation-spectra"), help: "Held-out spectra per statistics level.")
    var validationSpectra = 2_000
    @Option(help: "Threads (default: all cores).")
    var threads: Int?
    @Option(help: "Output model file.")
    var out: String
    @Flag(help: "Print the model's metadata as JSON on stdout.")
    var json = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors {
            guard let p = LineProfile.named(profile) else {
                throw SDDError.invalidArgument("--profile", "unknown line profile '\(profile)'")
            }
            guard spectra >= batchSize * 2 else { throw SDDError.invalidArgument("--spectra", "must be at least twice the batch size") }
            guard batchSize >= 1 else { throw SDDError.invalidArgument("--batch-size", "must be positive") }
            guard validationSpectra >= 10 else { throw SDDError.invalidArgument("--validation-spectra", "must be at least 10") }
            if !output.force && FileManager.default.fileExists(atPath: out) { throw SDDError.outputExists(out) }
            if let t = threads {
                guard t >= 1 else { throw SDDError.invalidArgument("--threads", "must be positive") }
                ParallelWork.threads = t
                Dense.applyThreading()
            }
            let command = (["sddcal"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            let phases = TrainingPhase.paperSchedule(spectra: spectra)
            let trainer = Trainer(profile: p, seed: seed, phases: phases, batchSize: batchSize)
            trainer.validationSpectra = validationSpectra
            let bar = TerminalProgressBar("train")
            trainer.progress = bar
            trainer.log = { line in
                FileHandle.standardError.write(Data(((isatty(STDERR_FILENO) != 0 ? "\r\u{1B}[K" : "") + line + "\n").utf8))
            }
            trainer.log("training \(p.name): \(trainer.network.parameterCount) parameters, window ADC \(trainer.synthesizer.encoding.firstChannel)+\(trainer.synthesizer.encoding.bins)×\(trainer.synthesizer.encoding.channelsPerBin), outputs \(p.calibrationLineIDs.joined(separator: ",")), seed \(seed); matrix products: \(BLAS.kernel.name)")
            let result = trainer.run()
            bar.finish()
            let iso = ISO8601DateFormatter().string(from: Date())
            let meta = ModelMetadata(
                profile: .init(p), encoding: trainer.synthesizer.encoding, outputScaling: trainer.scaling, architecture: trainer.network.architecture,
                parameterCount: trainer.network.parameterCount,
                training: .init(command: command, seed: seed, phases: phases, batchSize: batchSize,
                                spectraSeen: result.spectraSeen, durationSeconds: result.seconds,
                                validation: result.validation, createdAt: iso, synthesis: trainer.synthesizer.ranges))
            try ModelFile.write(network: trainer.network, metadata: meta, to: out, overwrite: output.force)
            trainer.log(String(format: "wrote %@ (%.0f s, %d spectra, %.0f spectra/s)", out, result.seconds,
                               result.spectraSeen, Double(result.spectraSeen) / result.seconds))
            if json { try printJSON(meta) }
        }
    }
}
