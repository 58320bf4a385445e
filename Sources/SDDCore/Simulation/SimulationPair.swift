import Foundation

/// `simulate` writes an events file and a truth file that only make sense together. Both are written
/// completely to temporary files and then renamed, events first (`AtomicFile.streamTogether`); a
/// kill between the two renames could leave new events next to an old truth. So both carry one
/// random generation id (binary events: header bytes 56..<64, under the header checksum; CSV events: a first comment line
/// `# sddcal generation HEX`; truth: `eventsGeneration`), and every command that reads the two
/// together refuses a mismatched pair instead of comparing against the wrong truth.
public enum SimulationPair {
    /// Writes events and truth as one generation; events are renamed into place first.
    @discardableResult
    public static func write(events: EventTable, to eventsPath: String, truth: SimulationTruth, to truthPath: String,
                             overwrite: Bool, progress: ProgressObserver? = nil) throws -> (eventBytes: Int, truthBytes: Int) {
        var generation: UInt64 = 0
        while generation == 0 { generation = UInt64.random(in: 1...UInt64.max) }
        var t = truth
        t.eventsGeneration = String(generation, radix: 16)
        let eventsBody: (AtomicOutputStream) throws -> Void
        switch try EventFile.format(forOutput: eventsPath) {
        case .csv: eventsBody = EventCSV.writer(events, generation: generation, progress: progress)
        case .binary: eventsBody = EventBinary.writer(events, generation: generation, progress: progress)
        default: throw SDDError.badFile(file: eventsPath, message: "simulate writes .csv or .bin events")
        }
        let truthData = try t.encoded()
        let sizes = try AtomicFile.streamTogether([(eventsPath, eventsBody), (truthPath, { try $0.write(truthData) })],
                                                  overwrite: overwrite)
        return (sizes[0], sizes[1])
    }

    /// The generation id stored in an event file, nil when it has none (not written by simulate, or
    /// by an older sddcal).
    public static func generation(ofEvents path: String) throws -> UInt64? {
        switch try EventFile.format(ofInput: path) {
        case .binary:
            let f = try FileInput(path)
            defer { f.close() }
            var head = [UInt8](repeating: 0, count: EventBinary.headerSize)
            guard try head.withUnsafeMutableBytes({ try f.read(into: $0) }) == head.count else { return nil }
            // The header checksum covers the generation id from version 3 on: a damaged id is an error.
            let g = try EventBinary.decodeHeader(head, fileSize: f.size, path: path).generation
            return g == 0 ? nil : g
        case .csv:
            let f = try FileInput(path)
            defer { f.close() }
            var head = [UInt8](repeating: 0, count: 64)
            let n = try head.withUnsafeMutableBytes { try f.read(into: $0) }
            let line = String(decoding: head[0..<n].prefix { $0 != 0x0A }, as: UTF8.self)
            guard line.hasPrefix(EventCSV.generationPrefix) else { return nil }
            return UInt64(line.dropFirst(EventCSV.generationPrefix.count).trimmingCharacters(in: .whitespaces), radix: 16)
        default:
            return nil
        }
    }

    /// Throws when the truth was written with a different event file than `eventsPath` holds.
    /// Files without a generation (older, or events converted since) are accepted.
    public static func check(events eventsPath: String, truth: SimulationTruth, truthPath: String) throws {
        guard let want = truth.eventsGeneration.flatMap({ UInt64($0, radix: 16) }),
              let have = try generation(ofEvents: eventsPath) else { return }
        guard want == have else {
            throw SDDError.badFile(file: truthPath, message: "belongs to another simulate run than \(eventsPath) (generation \(String(want, radix: 16)) vs \(String(have, radix: 16))): an interrupted simulate? rerun it")
        }
    }
}

extension SimulationTruth {
    /// Loads a truth file and checks that it belongs to the events at `eventsPath` (`SimulationPair`).
    public static func load(_ path: String, pairedWith eventsPath: String) throws -> SimulationTruth {
        let t = try load(path)
        try SimulationPair.check(events: eventsPath, truth: t, truthPath: path)
        return t
    }
}
