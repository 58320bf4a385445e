import Foundation

/// Reading and writing event files: CSV with header `sdd,adc,time` (`EventCSV`), sddcal's own
/// binary format (`EventBinary`, docs/binary-format.md), chosen by extension and content, and
/// (read only) a ROOT tree's flat branches (`ROOTEvents`, `run.root` or `run.root:TREE`).
public enum EventFile {
    public enum Format: String, Sendable, Hashable, Codable, CustomStringConvertible {
        case csv
        case binary = "bin"
        case root
        public var description: String { rawValue }
    }

    /// The format an output path asks for by its extension (`.csv` or `.bin`).
    public static func format(forOutput path: String) throws -> Format {
        switch fileExtension(path) {
        case "csv": return .csv
        case "bin": return .binary
        default:
            throw SDDError.badFile(file: path, message: "unknown event file extension; use .csv or .bin")
        }
    }

    /// The format of an existing file: binary when it starts with the binary magic, or when its
    /// extension is `.bin` (so a damaged binary file reports a bad magic rather than a CSV error);
    /// CSV otherwise.
    public static func format(ofInput path: String) throws -> Format {
        if fileExtension(path) == "bin" { return .binary }
        if ROOTSelection.parse(path) != nil { return .root }
        let f = try FileInput(path)
        defer { f.close() }
        var head = [UInt8](repeating: 0, count: EventBinary.magic.count)
        let n = try head.withUnsafeMutableBytes { try f.read(into: $0) }
        return n == head.count && head == EventBinary.magic ? .binary : .csv
    }

    /// Reads an event file, strict by default (the first bad row throws a one-line `SDDError`).
    public static func read(_ path: String, options: EventReadOptions = .strict,
                            progress: ProgressObserver? = nil) throws -> EventReadResult {
        switch try format(ofInput: path) {
        case .csv: return try EventCSV.read(path, options: options, progress: progress)
        case .binary: return try EventBinary.read(path, options: options, progress: progress)
        case .root: return try ROOTEvents.read(ROOTSelection.parse(path)!, branches: options.rootBranches, options: options)
        }
    }

    /// Reads an event file strictly and returns its events.
    public static func read(_ path: String) throws -> EventTable {
        try read(path, options: .strict, progress: nil).events
    }

    /// Writes events to `path` in the format its extension names, through a temporary file and a
    /// rename. A nonzero `generation` (`SimulationPair`) is kept, so that a converted events file
    /// still pairs with its truth. Returns the number of bytes written.
    @discardableResult
    public static func write(_ table: EventTable, to path: String, overwrite: Bool, generation: UInt64 = 0,
                             progress: ProgressObserver? = nil) throws -> Int {
        switch try format(forOutput: path) {
        case .csv: return try EventCSV.write(table, to: path, overwrite: overwrite, generation: generation, progress: progress)
        case .binary: return try EventBinary.write(table, to: path, overwrite: overwrite, generation: generation, progress: progress)
        case .root: throw SDDError.badFile(file: path, message: "sddcal reads ROOT files but does not write them; use .csv or .bin")
        }
    }

    /// The lower-cased extension of the last path component ("" when it has none).
    public static func fileExtension(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }
}

extension EventFile {
    /// True when `path` holds events rather than histograms (one spectrum per cell): the one decision
    /// of every command that takes either. A ROOT selection holds events when it names a tree and no
    /// histogram; a folder and the spectrum extensions (.npy, .mca, .spe, .txt, .dat, .tsv) hold
    /// histograms; `.bin` holds events; anything else (.csv, no extension, /dev/stdin) is decided by
    /// its first bytes, read once (a pipe keeps them for the reader that follows): the binary magic,
    /// or a first content line (after blank and `#` comment lines) naming the sdd, adc and time columns.
    public static func holdsEvents(_ path: String) throws -> Bool {
        if let selection = ROOTSelection.parse(path) { return ROOTEvents.namesTree(selection) }
        if SpectrumFolder.isFolder(path) { return false }
        switch fileExtension(path) {
        case "bin": return true
        case "npy", "mca", "spe", "txt", "dat", "tsv": return false
        default: break
        }
        let f = try FileInput(path)
        defer { f.close() }
        var head = [UInt8](repeating: 0, count: 1 << 16)
        let n = try head.withUnsafeMutableBytes { try f.read(into: $0) }
        if n >= EventBinary.magic.count && Array(head[0..<EventBinary.magic.count]) == EventBinary.magic { return true }
        let t = TextLines(path: path, bytes: Array(head[0..<n]))
        for l in t.lines {
            let s = TextLines.trimmed(l)
            if s.isEmpty || s.hasPrefix("#") { continue }
            let names = Set(s.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\""))).lowercased()
            })
            return !names.isDisjoint(with: EventCSV.cellNames) && !names.isDisjoint(with: EventCSV.adcNames)
                && !names.isDisjoint(with: EventCSV.timeNames)
        }
        return false
    }
}
