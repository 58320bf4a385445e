import Foundation

/// Which branches of a ROOT tree hold an event's cell, ADC value and time (`--branches sdd,adc,time`).
public struct ROOTEventBranches: Sendable, Equatable {
    public var cell: String
    public var adc: String
    public var time: String

    public init(cell: String = "sdd", adc: String = "adc", time: String = "time") {
        self.cell = cell
        self.adc = adc
        self.time = time
    }

    /// The defaults: `sdd`, `adc`, `time`.
    public static let standard = ROOTEventBranches()

    /// Parses `cell,adc,time` branch names (three non-empty, distinct names).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }), Set(parts).count == 3 else {
            throw SDDError.invalidArgument("--branches", "expected three distinct branch names: cell,adc,time (e.g. sdd,adc,time), got '\(InputQuote.escape(text))'")
        }
        self.init(cell: parts[0], adc: parts[1], time: parts[2])
    }

    public var description: String { "\(cell),\(adc),\(time)" }
}

/// Events from a ROOT tree: one event per entry, its cell, ADC value and time taken from three flat
/// numeric branches. Values are checked as CSV fields are: the cell an integer 0–65535, the ADC
/// value a finite whole number 0–65535, the time finite. Strict reads stop at the first bad entry
/// with an error naming the tree, branch and entry; lenient reads skip and count it.
public enum ROOTEvents {
    /// The tree a selection names: the one matching tree, or the file's only tree.
    public static func tree(_ file: ROOTFile, selection: ROOTSelection) throws -> ROOTTree {
        let trees = selection.select(file.entries.filter { $0.className == "TTree" })
        guard trees.count == 1 else {
            let all = file.entries.filter { $0.className == "TTree" }.map { InputQuote.escape($0.path) }
            let msg = trees.isEmpty ? (selection.pattern.map { "no TTree matches '\(InputQuote.escape($0))'" } ?? "holds no TTree")
                : "\(trees.count) trees match; name one as \(selection.file):TREE"
            throw SDDError.badFile(file: selection.file, message: msg + (all.isEmpty ? "" : " (trees: \(all.prefix(8).joined(separator: ", ")))"))
        }
        return try file.tree(trees[0])
    }

    /// True when the selection means events: among the objects it names (every object without a
    /// pattern) there is a TTree and no 1-D histogram.
    public static func namesTree(_ selection: ROOTSelection) -> Bool {
        guard let f = try? ROOTFile(path: selection.file) else { return false }
        let chosen = selection.select(f.entries)
        return chosen.contains { $0.className == "TTree" } && !chosen.contains { ROOTHistogram.isSupported(className: $0.className) }
    }

    /// Reads the events of the tree a selection names.
    public static func read(_ selection: ROOTSelection, branches: ROOTEventBranches = .standard,
                            options: EventReadOptions = .strict) throws -> EventReadResult {
        let file = try ROOTFile(path: selection.file)
        let t = try tree(file, selection: selection)
        func column(_ name: String, _ role: String) throws -> ROOTBranch {
            guard let b = t.branch(name) else {
                let have = t.branches.map { InputQuote.escape($0.name) }.joined(separator: ", ")
                throw SDDError.badFile(file: file.path, message: "tree '\(InputQuote.escape(t.path))' has no flat numeric branch '\(InputQuote.escape(name))' for the \(role) (branches: \(have)); choose with --branches cell,adc,time")
            }
            return b
        }
        let cb = try column(branches.cell, "cell"), ab = try column(branches.adc, "ADC value"), tb = try column(branches.time, "time")
        let cells = try file.doubles(cb, tree: t)
        let adcs = try file.doubles(ab, tree: t)
        let times = try file.doubles(tb, tree: t)
        guard cells.count == t.entries, adcs.count == t.entries, times.count == t.entries else {
            throw SDDError.badFile(file: file.path, message: "tree '\(InputQuote.escape(t.path))': branches hold \(cells.count), \(adcs.count), \(times.count) entries for a tree of \(t.entries)")
        }
        var table = EventTable()
        table.reserveCapacity(t.entries)
        var rejected = EventRejections()
        for i in 0..<t.entries {
            let c = cells[i], a = adcs[i], tm = times[i]
            func bad(_ reason: EventRejectionReason, _ branch: String, _ m: String) throws {
                let e = SDDError.badField(file: file.path, field: "\(t.path)/\(branch)[\(i)]", message: m)
                guard options.lenient else { throw e }
                rejected.record(reason, e)
            }
            if !(c >= 0 && c <= 65535 && c == c.rounded()) { try bad(.invalidCell, cb.name, "cell \(c) is not an integer in 0...65535"); continue }
            if let k = options.knownCells, !k.contains(Int(c)) { try bad(.unknownCell, cb.name, "cell \(Int(c)) is outside \(k)"); continue }
            if !a.isFinite { try bad(.nanADC, ab.name, "ADC value \(a) is not finite"); continue }
            if a < 0 { try bad(.negativeADC, ab.name, "ADC value \(a) is negative"); continue }
            if a > 65535 { try bad(.adcOutOfRange, ab.name, "ADC value \(a) is above 65535"); continue }
            if a != a.rounded() { try bad(.nonIntegerADC, ab.name, "ADC value \(a) is not a whole number"); continue }
            if !tm.isFinite { try bad(.nonFiniteTime, tb.name, "time \(tm) is not finite"); continue }
            table.append(cell: UInt16(c), adc: UInt16(a), time: tm)
        }
        return EventReadResult(events: table, rejected: rejected, rowsRead: t.entries, bytesRead: file.size, format: .root)
    }
}
