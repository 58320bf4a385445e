import XCTest
@testable import CentroidNetwork
import SDDCore

final class ModelFileTests: XCTestCase {
    private func smallModel() -> (CentroidCNN, ModelMetadata) {
        let arch = CentroidCNN.Architecture(inputLength: 300, outputs: 5)
        let net = CentroidCNN(arch, seed: 11)
        let meta = ModelMetadata(profile: .init(.vip2), encoding: InputEncoding(profile: .vip2),
                                 outputScaling: OutputScaling(center: [2000, 2150, 2500, 2700, 3200], scale: [150, 160, 180, 190, 220]),
                                 architecture: arch, parameterCount: net.parameterCount, training: nil)
        return (net, meta)
    }

    private func tempPath(_ name: String) -> String {
        NSTemporaryDirectory() + "sddcal-cnn-\(getpid())-\(name)"
    }

    func testRoundTripKeepsWeightsAndMetadata() throws {
        let (net, meta) = smallModel()
        let path = tempPath("roundtrip.sddnn")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.write(network: net, metadata: meta, to: path, overwrite: true)
        let p = try CentroidPredictor.load(path)
        XCTAssertEqual(p.metadata, meta)
        XCTAssertEqual(p.network.flatParameters, net.flatParameters)
        XCTAssertEqual(p.lineIDs, ["TiKa", "TiKb", "MnKa", "MnKb", "CuKa"])
        // float32 weights: ~4.3 MB for 1,078,825 parameters plus metadata.
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        XCTAssertEqual(size, 8 + 4 + 4 + 8 + 4 + 1_078_825 * 4 + (size - 28 - 1_078_825 * 4))
        XCTAssertLessThan(size, 4_400_000)
        // Refuses to overwrite without being asked.
        XCTAssertThrowsError(try ModelFile.write(network: net, metadata: meta, to: path, overwrite: false))
    }

    func testCorruptOrMismatchedFilesAreRejectedWithClearErrors() throws {
        let (net, meta) = smallModel()
        let good = try ModelFile.encode(network: net, metadata: meta)
        func message(_ data: Data) -> String {
            do { _ = try ModelFile.decode(data, file: "m.sddnn"); return "accepted" } catch { return "\(error)" }
        }
        var flipped = good
        flipped[good.count - 100] ^= 0x01
        XCTAssertTrue(message(flipped).contains("checksum"), message(flipped))
        XCTAssertTrue(message(good.prefix(1000)).contains("truncated"), message(good.prefix(1000)))
        var magic = good
        magic[0] = 0x41
        XCTAssertTrue(message(magic).contains("magic"))
        var version = good
        version[8] = 9
        XCTAssertTrue(message(version).contains("version 9"), message(version))
        // Metadata that does not fit the weights (wrong profile for the outputs).
        var wrong = meta
        wrong.profile.calibrationLineIDs = ["TiKa", "MnKa", "CuKa"]
        wrong.profile.lineEnergies = [1, 2, 3]
        let bad = try ModelFile.encode(network: net, metadata: wrong)
        XCTAssertTrue(message(bad).contains("architecture.outputs"), message(bad))
    }

    /// Issue 16: metadata with a valid checksum but absurd binning or scales gave nonsense centroids.
    func testAbsurdMetadataWithValidChecksumIsRejectedWithTheFieldNamed() throws {
        let (net, meta) = smallModel()
        func message(_ m: ModelMetadata) -> String {
            do { _ = try ModelFile.decode(try ModelFile.encode(network: net, metadata: m), file: "m.sddnn"); return "accepted" } catch { return "\(error)" }
        }
        var wide = meta
        wide.encoding.channelsPerBin = 1 << 60
        XCTAssertTrue(message(wide).contains("field 'encoding.channelsPerBin'"), message(wide))
        var huge = meta
        huge.outputScaling.scale[2] = 1e308
        XCTAssertTrue(message(huge).contains("field 'outputScaling.scale[2]'"), message(huge))
        var far = meta
        far.outputScaling.center[0] = -1e300
        XCTAssertTrue(message(far).contains("field 'outputScaling.center[0]'"), message(far))
        var first = meta
        first.encoding.firstChannel = -5
        XCTAssertTrue(message(first).contains("field 'encoding.firstChannel'"), message(first))
        XCTAssertEqual(message(meta), "accepted")
    }

    func testPredictorChecksProfileAndEmptyWindow() throws {
        let (net, meta) = smallModel()
        let p = CentroidPredictor(network: net, metadata: meta, path: "m.sddnn")
        XCTAssertNoThrow(try p.check(profile: .vip2))
        XCTAssertThrowsError(try p.check(profile: .siddharta2))
        let empty = Histogram(lowerEdge: -0.5, binWidth: 1, bins: 8192)
        XCTAssertThrowsError(try p.predict(empty))
        var h = empty
        for i in 1500..<4500 { h.counts[i] = Double(i % 7) }
        let out = try p.predict(h)
        XCTAssertEqual(out.count, 5)
        XCTAssertTrue(out.allSatisfy(\.isFinite))
        // The batched path (matrix products) gives the numbers of the single one (matrix-vector
        // products) up to float rounding.
        for (a, b) in zip(try p.predict([h, h])[1], out) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }

    func testBundledModelLocations() {
        let c = CentroidPredictor.bundledCandidates(environment: ["SDDCAL_MODEL": "/x/m.sddnn", "SDDCAL_ASSETS": "/assets"])
        XCTAssertEqual(Array(c.prefix(2)), ["/x/m.sddnn", "/assets/cnn-vip2.sddnn"])
        XCTAssertTrue(c.dropFirst(2).allSatisfy { $0.hasSuffix("Assets/cnn-vip2.sddnn") })
    }
}
