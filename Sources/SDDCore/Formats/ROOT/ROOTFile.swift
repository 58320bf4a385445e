/// A ROOT file opened for reading without ROOT: its header, every key of every directory (the
/// latest cycle of each name), and the objects this reader decodes: 1-D histograms
/// (`ROOTHistogram`) and flat numeric trees (`ROOTTree`). Offsets and lengths read from the file
/// are checked against its actual size before use; errors are one line naming the byte offset
/// and the key.
public final class ROOTFile: @unchecked Sendable {
    /// One object of the file: its path through the directories ("sub/bus2_sdd6") and its key.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var key: ROOTKey
        public var className: String { key.className }
        public var isDirectory: Bool { ROOTDirectory.classNames.contains(key.className) }
    }

    public let path: String
    let source: ROOTByteSource
    let header: ROOTFileHeader
    /// Every key, directories included, in directory order (a directory before its contents).
    public let entries: [Entry]

    /// ROOT format version that wrote the file (e.g. 62400 for ROOT 6.24).
    public var version: Int { header.version }
    /// True when the file uses 64-bit offsets.
    public var isLargeFile: Bool { header.largeFile }
    /// The file's size in bytes.
    public var size: Int { source.size }

    /// Opens the file at `path` (read range by range, not whole).
    public convenience init(path: String) throws {
        try self.init(source: ROOTByteSource(path: path))
    }

    /// Reads a ROOT file held in memory; `path` names it in errors.
    public convenience init(bytes: [UInt8], path: String) throws {
        try self.init(source: ROOTByteSource(bytes: bytes, path: path))
    }

    init(source: ROOTByteSource) throws {
        self.source = source
        self.path = source.path
        header = try ROOTFileHeader.read(source)
        // The top directory: its key and name (fNbytesName bytes), then its directory record.
        let (dirAt, overflow) = header.begin.addingReportingOverflow(header.nbytesName)
        guard !overflow, dirAt < source.size else {
            throw ROOTError.at(source.path, header.begin, "top directory record at \(dirAt) is outside the \(source.size)-byte file")
        }
        var b = try source.buffer(dirAt, Swift.min(source.size - dirAt, 64), "top directory", context: "top directory")
        let top = try ROOTDirectory.read(&b)
        var out: [Entry] = []
        var visited: Set<Int> = []
        try Self.collect(top, prefix: "", source: source, depth: 0, visited: &visited, into: &out)
        entries = out
    }

    /// Walks a directory's keys depth-first; a directory reached twice or nested more than 64 deep
    /// means the file is corrupt (it would otherwise loop).
    private static func collect(_ dir: ROOTDirectory, prefix: String, source: ROOTByteSource, depth: Int,
                                visited: inout Set<Int>, into out: inout [Entry]) throws {
        let context = prefix.isEmpty ? "top directory" : "directory '\(InputQuote.escape(prefix))'"
        guard depth <= 64 else { throw ROOTError.at(source.path, dir.seekKeys, "\(context): directories nested more than 64 deep") }
        guard visited.insert(dir.seekKeys).inserted || dir.seekKeys == 0 else {
            throw ROOTError.at(source.path, dir.seekKeys, "\(context): key list already read (directory loop)")
        }
        let keys = try dir.keys(source, context: context)
        // Latest cycle of each name, in first-appearance order.
        var latest: [String: Int] = [:]
        var order: [String] = []
        for (i, k) in keys.enumerated() {
            if let j = latest[k.name] {
                if k.cycle > keys[j].cycle { latest[k.name] = i }
            } else {
                latest[k.name] = i
                order.append(k.name)
            }
        }
        for name in order {
            let k = keys[latest[name]!]
            let p = prefix.isEmpty ? k.name : prefix + "/" + k.name
            out.append(Entry(path: p, key: k))
            if ROOTDirectory.classNames.contains(k.className) {
                var b = try k.objectBuffer(source, path: p)
                let sub = try ROOTDirectory.read(&b)
                try collect(sub, prefix: p, source: source, depth: depth + 1, visited: &visited, into: &out)
            }
        }
    }

    /// The entry at a path ("sub/bus2_sdd6"), nil when there is none.
    public func entry(_ path: String) -> Entry? { entries.first { $0.path == path } }

    /// Entries whose path matches a glob pattern (`*`, `?`, `[...]`; `*` does not cross `/`, `**` does).
    public func entries(matching pattern: String) -> [Entry] {
        entries.filter { ROOTPathPattern.matches(pattern, $0.path) }
    }

    /// The 1-D histograms of the file, in key order.
    public var histogramEntries: [Entry] { entries.filter { ROOTHistogram.isSupported(className: $0.className) } }

    /// Decodes the histogram of an entry.
    public func histogram(_ entry: Entry) throws -> ROOTHistogram {
        var b = try entry.key.objectBuffer(source, path: entry.path)
        guard ROOTHistogram.isSupported(className: entry.className) else {
            throw b.error("class is not a 1-D histogram (TH1C/S/I/F/D)")
        }
        return try ROOTHistogram.read(&b, className: entry.className)
    }
}
