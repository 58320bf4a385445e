/// What a ROOT file holds, object by object, for listings (`sddcal summary run.root`): directories,
/// histograms with their binning, entries and sum of contents, trees with their entries and branches,
/// and other classes by name. An object that fails to decode is listed with its error.
public struct ROOTObjectSummary: Sendable, Equatable, Encodable {
    public enum Kind: String, Sendable, Encodable { case directory, histogram, tree, other }
    public var path: String
    public var className: String
    public var kind: Kind
    public var title: String
    public var cycle: Int
    /// Histograms: bins (without under/overflow), axis range, whether the widths vary, entries, sum of contents.
    public var bins: Int?
    public var low: Double?
    public var high: Double?
    public var variableBins: Bool?
    public var entries: Double?
    public var integral: Double?
    /// Trees: entries and the flat numeric branches this reader can read ("name:type").
    public var treeEntries: Int?
    public var branches: [String]?
    /// Trees: branches this reader cannot read ("name: reason").
    public var unsupportedBranches: [String]?
    /// The one-line error when the object could not be decoded.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case path, className = "class", kind, title, cycle, bins, low, high, variableBins = "variable_bins",
             entries, integral, treeEntries = "tree_entries", branches, unsupportedBranches = "unsupported_branches", error
    }
}

extension ROOTFile {
    /// A summary of every object the selection names (every object without a pattern).
    public func contents(_ selection: ROOTSelection? = nil) -> [ROOTObjectSummary] {
        let chosen = selection.map { $0.select(entries) } ?? entries
        return chosen.map { e in
            let kind: ROOTObjectSummary.Kind = e.isDirectory ? .directory
                : ROOTHistogram.isSupported(className: e.className) ? .histogram
                : e.className == "TTree" ? .tree : .other
            var s = ROOTObjectSummary(path: e.path, className: e.className, kind: kind, title: e.key.title, cycle: e.key.cycle)
            do {
                switch kind {
                case .histogram:
                    let h = try histogram(e)
                    s.title = h.title
                    s.bins = h.counts.count
                    s.low = h.edges.first
                    s.high = h.edges.last
                    s.variableBins = h.variableBins
                    s.entries = h.entries
                    s.integral = h.counts.reduce(0, +)
                case .tree:
                    let t = try tree(e)
                    s.treeEntries = t.entries
                    s.branches = t.branches.map { "\($0.name):\($0.type.rawValue)" }
                    if !t.unsupported.isEmpty { s.unsupportedBranches = t.unsupported.map { "\(InputQuote.escape($0.name)): \($0.reason)" } }
                case .directory, .other:
                    break
                }
            } catch {
                s.error = "\(error)"
            }
            return s
        }
    }
}
