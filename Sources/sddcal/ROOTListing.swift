import Foundation
import SDDCore

/// `sddcal summary run.root[:pattern]`: what a ROOT file holds, one object per line (or JSON).
enum ROOTListing {
    struct Report: Encodable {
        let file: String
        let version: Int
        let bytes: Int
        let objects: [ROOTObjectSummary]
    }

    static func run(_ selection: ROOTSelection, json: Bool) throws {
        let f = try ROOTFile(path: selection.file)
        let objects = f.contents(selection.pattern == nil ? nil : selection)
        if selection.pattern != nil && objects.isEmpty {
            throw SDDError.badFile(file: selection.file, message: "no key matches '\(selection.pattern!)'")
        }
        if json { try printJSON(Report(file: selection.file, version: f.version, bytes: f.size, objects: objects)); return }
        let h = objects.filter { $0.kind == .histogram }.count, t = objects.filter { $0.kind == .tree }.count
        let d = objects.filter { $0.kind == .directory }.count
        print("\(selection.description): ROOT \(f.version), \(f.size) bytes: \(h) histograms, \(t) trees, \(d) directories, \(objects.count) keys")
        for o in objects {
            var line = "\(o.path)  \(o.className)"
            if let e = o.error {
                line += "  error: \(e)"
            } else if o.kind == .histogram, let n = o.bins, let lo = o.low, let hi = o.high {
                line += "  \(n) \(o.variableBins == true ? "variable " : "")bins [\(fmt(lo)), \(fmt(hi)))"
                if let e = o.entries { line += "  entries \(fmt(e))" }
                if let s = o.integral { line += "  sum \(fmt(s))" }
            } else if o.kind == .tree, let n = o.treeEntries {
                line += "  \(n) entries  branches \((o.branches ?? []).joined(separator: " "))"
                if let u = o.unsupportedBranches { line += "  unsupported: \(u.joined(separator: "; "))" }
            }
            if !o.title.isEmpty && o.kind != .directory { line += "  \"\(o.title)\"" }
            print(line)
        }
    }

    static func fmt(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.6g", x)
    }
}
