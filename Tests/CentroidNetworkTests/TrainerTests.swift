import XCTest
@testable import CentroidNetwork
import SDDCore

/// A (tiny) end-to-end training run on another profile: outputs and window come from the profile,
/// both phases run, validation uses held-out streams, and the model file round-trips.
final class TrainerTests: XCTestCase {
    func testTrainingOnAnotherProfileWritesAModelForIt() throws {
        let profile = try XCTUnwrap(LineProfile.named("TiKa,FeKa,CuKa,SrKa"))
        let phases = [TrainingPhase(name: "high", spectra: 32, totalCounts: 1e4...1e5, learningRate: 1e-3, finalLearningRate: 1e-4),
                      TrainingPhase(name: "low", spectra: 16, totalCounts: 1e3...1e4, learningRate: 1e-4, finalLearningRate: 1e-5)]
        let trainer = Trainer(profile: profile, seed: 5, phases: phases, batchSize: 8, scalingSpectra: 64)
        trainer.validationSpectra = 10
        var lines: [String] = []
        trainer.log = { lines.append($0) }
        XCTAssertEqual(trainer.network.architecture.outputs, 4)
        XCTAssertEqual(trainer.network.parameterCount, 1_078_825 - 51)   // one output fewer: 50 weights + 1 bias
        let before = trainer.network.flatParameters
        let result = trainer.run()
        XCTAssertEqual(result.spectraSeen, 48)
        XCTAssertNotEqual(trainer.network.flatParameters, before)
        XCTAssertEqual(result.validation.map(\.totalCounts), [3_000, 100_000])
        XCTAssertEqual(result.validation[0].lines.map(\.line), ["TiKa", "FeKa", "CuKa", "SrKa"])
        XCTAssertTrue(lines.contains { $0.hasPrefix("after high") } && lines.contains { $0.hasPrefix("after low") })

        let meta = ModelMetadata(profile: .init(profile), encoding: trainer.synthesizer.encoding, outputScaling: trainer.scaling,
                                 architecture: trainer.network.architecture, parameterCount: trainer.network.parameterCount,
                                 training: nil)
        let loaded = try ModelFile.decode(try ModelFile.encode(network: trainer.network, metadata: meta), file: "t.sddnn")
        XCTAssertEqual(loaded.metadata.profile.calibrationLineIDs, ["TiKa", "FeKa", "CuKa", "SrKa"])
        XCTAssertEqual(loaded.metadata.encoding, InputEncoding(profile: profile))
        XCTAssertEqual(loaded.network.flatParameters, trainer.network.flatParameters)
    }
}
