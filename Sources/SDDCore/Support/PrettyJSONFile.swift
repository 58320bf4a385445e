import Foundation

/// A value the project writes as a JSON file of its own (calibrations, seeds, simulation truth):
/// pretty-printed with sorted keys, so that the same value gives the same bytes and two files
/// compare line by line.
public protocol PrettyJSONFile: Encodable {}

extension PrettyJSONFile {
    /// Pretty, key-sorted JSON.
    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }

    /// Writes the file atomically (a temporary file, then renamed); an existing file only with `overwrite`.
    public func save(_ path: String, overwrite: Bool) throws {
        try AtomicFile.write(encoded(), to: path, overwrite: overwrite)
    }
}
