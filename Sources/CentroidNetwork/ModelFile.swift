import Foundation
import SDDCore

/// What a trained centroid model is for and how it was made: everything needed to feed it, to
/// read its outputs, and to reproduce it. Checked when a model is loaded.
public struct ModelMetadata: Codable, Sendable, Equatable {
    /// The profile the network was trained on: the output order and line energies.
    public struct Profile: Codable, Sendable, Equatable {
        public var name: String
        public var calibrationLineIDs: [String]
        public var lineEnergies: [Double]
        public init(_ p: LineProfile) {
            name = p.name
            calibrationLineIDs = p.calibrationLineIDs
            lineEnergies = p.calibrationLines.map(\.energy)
        }
    }

    /// How the model was trained.
    public struct Training: Codable, Sendable, Equatable {
        /// The exact command line that made the model.
        public var command: String
        public var seed: UInt64
        public var phases: [TrainingPhase]
        public var batchSize: Int
        /// Spectra seen in all phases.
        public var spectraSeen: Int
        public var durationSeconds: Double
        /// Validation on held-out seeds at the end: per line, median and 99th percentile of |error| in ADC.
        public var validation: [ValidationSummary]
        public var createdAt: String
        public var synthesis: SynthesisRanges

        public init(command: String, seed: UInt64, phases: [TrainingPhase], batchSize: Int, spectraSeen: Int,
                    durationSeconds: Double, validation: [ValidationSummary], createdAt: String, synthesis: SynthesisRanges) {
            self.command = command
            self.seed = seed
            self.phases = phases
            self.batchSize = batchSize
            self.spectraSeen = spectraSeen
            self.durationSeconds = durationSeconds
            self.validation = validation
            self.createdAt = createdAt
            self.synthesis = synthesis
        }
    }

    public static let currentFormatVersion = 1

    public var formatVersion: Int = ModelMetadata.currentFormatVersion
    public var profile: Profile
    public var encoding: InputEncoding
    public var architecture: CentroidCNN.Architecture
    public var parameterCount: Int
    /// Outputs are standardised line positions: output k = (ADC − center[k]) / scale[k].
    public var outputScaling: OutputScaling
    public var training: Training?

    public init(profile: Profile, encoding: InputEncoding, outputScaling: OutputScaling,
                architecture: CentroidCNN.Architecture, parameterCount: Int, training: Training?) {
        self.outputScaling = outputScaling
        self.profile = profile
        self.encoding = encoding
        self.architecture = architecture
        self.parameterCount = parameterCount
        self.training = training
    }
}

/// The model file: a versioned binary with a JSON metadata block and float32 weights.
///
/// Layout (little-endian): magic `SDDCALNN` (8 bytes) · format version UInt32 · metadata length
/// UInt32 · metadata (UTF-8 JSON) · weight count UInt64 · weights float32 in `CentroidCNN.parameters`
/// order · CRC-32 (zlib's) of all preceding bytes, UInt32.
public enum ModelFile {
    static let magic = Array("SDDCALNN".utf8)

    /// Serialises a network and its metadata.
    public static func encode(network: CentroidCNN, metadata: ModelMetadata) throws -> Data {
        var d = Data(magic)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        let json = try enc.encode(metadata)
        put(UInt32(metadata.formatVersion))
        put(UInt32(json.count))
        d.append(json)
        let weights = network.flatParameters
        put(UInt64(weights.count))
        for w in weights { put(w.bitPattern) }
        var crc = CRC32()
        d.withUnsafeBytes { crc.update($0) }
        put(crc.value)
        return d
    }

    /// Writes a model file through a temporary file and a rename.
    public static func write(network: CentroidCNN, metadata: ModelMetadata, to path: String, overwrite: Bool) throws {
        try AtomicFile.write(try encode(network: network, metadata: metadata), to: path, overwrite: overwrite)
    }

    /// Reads and checks a model file: magic, version, checksum, metadata consistency (weight count
    /// against the architecture, outputs against the profile, input bins against the encoding).
    public static func read(_ path: String) throws -> (network: CentroidCNN, metadata: ModelMetadata) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SDDError.badFile(file: path, message: "cannot read model file")
        }
        return try decode(data, file: path)
    }

    public static func decode(_ data: Data, file: String) throws -> (network: CentroidCNN, metadata: ModelMetadata) {
        let bytes = [UInt8](data)
        var o = 0
        func need(_ n: Int, _ what: String) throws {
            guard o + n <= bytes.count else { throw SDDError.badBytes(file: file, offset: o, message: "truncated model file: \(what) missing") }
        }
        func u32() throws -> UInt32 {
            try need(4, "32-bit field")
            defer { o += 4 }
            return UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        try need(8, "magic")
        guard Array(bytes[0..<8]) == magic else { throw SDDError.badBytes(file: file, offset: 0, message: "not an sddcal model file (bad magic)") }
        o = 8
        let version = try u32()
        guard version == UInt32(ModelMetadata.currentFormatVersion) else {
            throw SDDError.badBytes(file: file, offset: 8, message: "model format version \(version) is not supported (expected \(ModelMetadata.currentFormatVersion))")
        }
        guard bytes.count >= 16 else { throw SDDError.badBytes(file: file, offset: 0, message: "truncated model file") }
        var crc = CRC32()
        bytes.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<(bytes.count - 4)])) }
        let storedCRC = bytes[(bytes.count - 4)...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let jsonLength = Int(try u32())
        try need(jsonLength, "metadata")
        let metadata: ModelMetadata
        do {
            metadata = try JSONDecoder().decode(ModelMetadata.self, from: Data(bytes[o..<(o + jsonLength)]))
        } catch {
            throw SDDError.badBytes(file: file, offset: o, message: "unreadable model metadata: \(error)")
        }
        o += jsonLength
        try need(8, "weight count")
        let count64 = UInt64(try u32()) | UInt64(try u32()) << 32
        // Overflow-checked: the count must fit the bytes that are actually there.
        guard count64 <= UInt64(bytes.count / 4), metadata.parameterCount >= 0 else {
            throw SDDError.badBytes(file: file, offset: o - 8, message: "truncated model file: weight count \(count64) is more than the file can hold")
        }
        let count = Int(count64)
        guard count == metadata.parameterCount else {
            throw SDDError.badField(file: file, field: "parameterCount", message: "metadata says \(metadata.parameterCount) weights, file holds \(count)")
        }
        try need(count * 4 + 4, "weights")
        guard crc.value == storedCRC else {
            throw SDDError.badBytes(file: file, offset: bytes.count - 4, message: "checksum mismatch: the model file is corrupt")
        }
        guard metadata.architecture.outputs == metadata.profile.calibrationLineIDs.count else {
            throw SDDError.badField(file: file, field: "architecture.outputs",
                                    message: "\(metadata.architecture.outputs) outputs for \(metadata.profile.calibrationLineIDs.count) calibration lines")
        }
        guard metadata.outputScaling.center.count == metadata.architecture.outputs,
              metadata.outputScaling.scale.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw SDDError.badField(file: file, field: "outputScaling", message: "needs one positive scale per output")
        }
        guard metadata.architecture.inputLength == metadata.encoding.bins else {
            throw SDDError.badField(file: file, field: "encoding.bins", message: "\(metadata.encoding.bins) bins but the network takes \(metadata.architecture.inputLength)")
        }
        guard metadata.encoding.channelsPerBin >= 1, metadata.encoding.bins >= 60 else {
            throw SDDError.badField(file: file, field: "encoding", message: "invalid window binning")
        }
        // The window must lie in the 16-bit ADC range: a checksum only proves the bytes are as written.
        let adcRange = 1 << 16
        guard metadata.encoding.channelsPerBin <= adcRange else {
            throw SDDError.badField(file: file, field: "encoding.channelsPerBin", message: "\(metadata.encoding.channelsPerBin) is more than the \(adcRange) ADC channels")
        }
        guard (0..<adcRange).contains(metadata.encoding.firstChannel) else {
            throw SDDError.badField(file: file, field: "encoding.firstChannel", message: "\(metadata.encoding.firstChannel) is not an ADC channel (0…\(adcRange - 1))")
        }
        guard let span = CheckedSize.product(metadata.encoding.bins, metadata.encoding.channelsPerBin), span <= 4 * adcRange else {
            throw SDDError.badField(file: file, field: "encoding.bins", message: "\(metadata.encoding.bins) bins of \(metadata.encoding.channelsPerBin) channels span more than the ADC range")
        }
        if let k = metadata.outputScaling.center.firstIndex(where: { !($0.isFinite && Swift.abs($0) <= 4 * Double(adcRange)) }) {
            throw SDDError.badField(file: file, field: "outputScaling.center[\(k)]", message: "\(metadata.outputScaling.center[k]) is not a finite ADC position")
        }
        if let k = metadata.outputScaling.scale.firstIndex(where: { !($0 <= 4 * Double(adcRange)) }) {
            throw SDDError.badField(file: file, field: "outputScaling.scale[\(k)]", message: "\(metadata.outputScaling.scale[k]) ADC is wider than the ADC range")
        }
        let network = CentroidCNN(metadata.architecture, seed: 0)
        guard network.parameterCount == count else {
            throw SDDError.badField(file: file, field: "parameterCount", message: "architecture needs \(network.parameterCount) weights, file holds \(count)")
        }
        var weights = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let b = o + 4 * i
            weights[i] = Float(bitPattern: UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24)
        }
        guard weights.allSatisfy(\.isFinite) else {
            throw SDDError.badBytes(file: file, offset: o, message: "non-finite weights")
        }
        network.flatParameters = weights
        return (network, metadata)
    }
}
