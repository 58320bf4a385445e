import Foundation

/// A ROOT file named on the command line, optionally with a glob on its key paths after a colon:
/// `run.root`, `run.root:bus1_*`, `run.root:sub/bus2_sdd6`. A path that exists as a file is taken
/// whole (so file names containing ".root:" still work).
public struct ROOTSelection: Sendable, Equatable {
    public var file: String
    /// Glob on key paths, nil for every object of the kind asked for.
    public var pattern: String?

    public init(file: String, pattern: String? = nil) {
        self.file = file
        self.pattern = pattern
    }

    /// The selection a command-line path names, nil when it is not a ROOT file (by its `.root`
    /// extension, or `.root:` followed by a pattern).
    public static func parse(_ path: String) -> ROOTSelection? {
        if EventFile.fileExtension(path) == "root" { return ROOTSelection(file: path) }
        if FileManager.default.fileExists(atPath: path) { return nil }
        guard let r = path.range(of: ".root:", options: [.caseInsensitive, .backwards]) else { return nil }
        let file = String(path[..<path.index(r.lowerBound, offsetBy: 5)])
        let pattern = String(path[r.upperBound...])
        return ROOTSelection(file: file, pattern: pattern.isEmpty ? nil : pattern)
    }

    /// The entries of `file` this selection names among `candidates`: the pattern matched against
    /// the full key path, or (a pattern without `/` that matches no path) against key names at
    /// any depth.
    public func select(_ candidates: [ROOTFile.Entry]) -> [ROOTFile.Entry] {
        guard let pattern else { return candidates }
        let byPath = candidates.filter { ROOTPathPattern.matches(pattern, $0.path) }
        if !byPath.isEmpty || pattern.contains("/") { return byPath }
        return candidates.filter { ROOTPathPattern.matches(pattern, $0.key.name) }
    }

    public var description: String { pattern.map { "\(file):\($0)" } ?? file }
}
