import Foundation
import SDDCore

/// Predicts the ADC centroids of a profile's calibration lines from a spectrum with a trained
/// `CentroidCNN` (the paper's section 3.1).
///
/// Finding the model: `load(path)` reads a given file; `bundled()` looks, in order, at
/// `$SDDCAL_MODEL` (a file), `$SDDCAL_ASSETS/cnn-vip2.sddnn`, then `Assets/cnn-vip2.sddnn` in the
/// package root found by walking up from the executable's directory and from the current
/// directory (so `swift run`, `.build/release/sddcal` and a checkout all work).
public final class CentroidPredictor {
    /// |error| (ADC) within which a predicted line counts as found: two input bins.
    public static let foundTolerance = 20.0
    /// File name of the shipped `vip2` model in `Assets/`.
    public static let bundledFileName = "cnn-vip2.sddnn"

    public let network: CentroidCNN
    public let metadata: ModelMetadata
    /// Where the model was read from.
    public let path: String
    private let lock = NSLock()

    public init(network: CentroidCNN, metadata: ModelMetadata, path: String) {
        self.network = network
        self.metadata = metadata
        self.path = path
    }

    /// The model in a file, checked (see `ModelFile`).
    public static func load(_ path: String) throws -> CentroidPredictor {
        let (net, meta) = try ModelFile.read(path)
        return CentroidPredictor(network: net, metadata: meta, path: path)
    }

    /// Candidate locations of the shipped model, in search order.
    public static func bundledCandidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var out: [String] = []
        if let m = environment["SDDCAL_MODEL"], !m.isEmpty { out.append(m) }
        if let a = environment["SDDCAL_ASSETS"], !a.isEmpty { out.append((a as NSString).appendingPathComponent(bundledFileName)) }
        var starts: [URL] = [URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()]
        starts.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for s in starts {
            var dir = s.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("Assets").appendingPathComponent(bundledFileName).path
                if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                    if !out.contains(candidate) { out.append(candidate) }
                    break
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return out
    }

    /// The shipped `vip2` model (see the type's documentation for where it is looked for).
    public static func bundled() throws -> CentroidPredictor {
        let candidates = bundledCandidates()
        for c in candidates where FileManager.default.fileExists(atPath: c) { return try load(c) }
        throw SDDError.badFile(file: bundledFileName,
                               message: "shipped CNN model not found (looked at: \(candidates.joined(separator: ", "))); pass --model FILE or set SDDCAL_ASSETS")
    }

    /// Calibration line identifiers, in output order.
    public var lineIDs: [String] { metadata.profile.calibrationLineIDs }
    public var encoding: InputEncoding { metadata.encoding }

    /// Checks that the model was trained for `profile` (same calibration lines, in order).
    public func check(profile: LineProfile) throws {
        guard profile.calibrationLineIDs == lineIDs else {
            throw SDDError.badField(file: path, field: "profile",
                                    message: "model predicts \(lineIDs.joined(separator: ",")) (profile '\(metadata.profile.name)'), not \(profile.calibrationLineIDs.joined(separator: ",")) of profile '\(profile.name)'")
        }
    }

    /// ADC centroids of the calibration lines from a histogram in ADC coordinates (any binning;
    /// `Histogram.adc` convention). Throws when the window holds no counts.
    public func predict(_ histogram: Histogram) throws -> [Double] {
        try predict([histogram])[0]
    }

    /// Batched prediction for many spectra (one network pass per 256 spectra).
    public func predict(_ histograms: [Histogram]) throws -> [[Double]] {
        let enc = metadata.encoding
        var x = [Float](repeating: 0, count: histograms.count * enc.bins)
        for (i, h) in histograms.enumerated() {
            let c = enc.windowCounts(h)
            guard c.contains(where: { $0 > 0 }) else {
                throw SDDError.failed("spectrum \(i) has no counts in the CNN's ADC window \(enc.firstChannel)–\(enc.firstChannel + enc.bins * enc.channelsPerBin - 1)")
            }
            x.withUnsafeMutableBufferPointer { enc.normalise(c, into: $0.baseAddress! + i * enc.bins) }
        }
        return predict(inputs: Tensor(shape: [histograms.count, enc.bins], storage: x))
    }

    /// Prediction from already encoded inputs `[n, bins]`.
    public func predict(inputs: Tensor) -> [[Double]] {
        lock.lock(); defer { lock.unlock() }   // layers keep per-pass buffers
        let y = network.predict(inputs)
        let outs = metadata.architecture.outputs
        return (0..<inputs.batch).map { i in
            (0..<outs).map { metadata.outputScaling.adc(Double(y.storage[i * outs + $0]), line: $0) }
        }
    }
}
