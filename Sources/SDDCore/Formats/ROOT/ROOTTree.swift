/// A `TTree` with flat numeric branches: each branch one leaf of a fixed-size number type (one
/// value per entry), stored in baskets that this reader locates through the branch's basket
/// tables and decompresses like any other object. Branches of other shapes (arrays, strings,
/// objects, sub-branches) are listed as unsupported and cannot be read.
public struct ROOTTree: Sendable, Equatable {
    public var path: String
    public var title: String
    /// Number of entries (events) of the tree.
    public var entries: Int
    /// The flat numeric branches, in tree order.
    public var branches: [ROOTBranch]
    /// Branches this reader cannot read, with the reason.
    public var unsupported: [(name: String, reason: String)]

    public static func == (a: ROOTTree, b: ROOTTree) -> Bool {
        a.path == b.path && a.title == b.title && a.entries == b.entries && a.branches == b.branches
            && a.unsupported.map(\.name) == b.unsupported.map(\.name)
    }

    /// The branch of a name, nil when there is no such flat numeric branch.
    public func branch(_ name: String) -> ROOTBranch? { branches.first { $0.name == name } }
}

/// The number type of a flat branch's single leaf.
public enum ROOTLeafType: String, Sendable, Equatable {
    case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64

    var size: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    /// From a leaf class and its `fIsUnsigned` flag.
    static func of(className: String, unsigned: Bool) -> ROOTLeafType? {
        switch className {
        case "TLeafO": return .bool
        case "TLeafB": return unsigned ? .uint8 : .int8
        case "TLeafS": return unsigned ? .uint16 : .int16
        case "TLeafI": return unsigned ? .uint32 : .int32
        case "TLeafL": return unsigned ? .uint64 : .int64
        case "TLeafF": return .float32
        case "TLeafD": return .float64
        default: return nil
        }
    }
}

/// One flat numeric branch and where its baskets are.
public struct ROOTBranch: Sendable, Equatable {
    public var name: String
    public var type: ROOTLeafType
    public var entries: Int
    struct Basket: Sendable, Equatable {
        var seek: Int
        var bytes: Int
        var firstEntry: Int
    }
    var baskets: [Basket]
}

extension ROOTFile {
    /// Decodes the tree of an entry (class `TTree`, versions 18–20 as written by ROOT 6 and uproot).
    public func tree(_ entry: Entry) throws -> ROOTTree {
        var b = try entry.key.objectBuffer(source, path: entry.path)
        guard entry.className == "TTree" else { throw b.error("class is not a TTree") }
        let outer = try b.versionHeader("TTree")
        guard (18...20).contains(outer.version) else { throw b.error("TTree version \(outer.version) is not supported (18–20)") }
        let (_, title) = try b.named("TTree TNamed")
        try b.skipObject("TAttLine")
        try b.skipObject("TAttFill")
        try b.skipObject("TAttMarker")
        let entriesAt = b.position
        let entries = try b.i64("fEntries")
        guard entries >= 0 else { throw b.error("fEntries \(entries) is negative", at: entriesAt) }
        try b.skip(4 * 8 + 8 + 4 * 4, "TTree counters")
        let nClusterAt = b.position
        let nCluster = Int(try b.i32("fNClusterRange"))
        guard nCluster >= 0, nCluster <= b.remaining / 16 else { throw b.error("fNClusterRange \(nCluster) is not a count", at: nClusterAt) }
        try b.skip(6 * 8, "TTree limits")
        try b.skip(1 + 8 * nCluster, "fClusterRangeEnd")
        try b.skip(1 + 8 * nCluster, "fClusterSize")
        try b.skipObject("fIOFeatures")
        var refs = ROOTObjectReferences()
        var branches: [ROOTBranch] = []
        var unsupported: [(String, String)] = []
        try ROOTFile.objArray(&b, "fBranches", refs: &refs) { b, className, refs in
            guard className == "TBranch" else {
                unsupported.append(("?", "branch class \(InputQuote.escape(className)) (only TBranch)"))
                return
            }
            switch try ROOTFile.readBranch(&b, refs: &refs) {
            case let .success(br): branches.append(br)
            case let .failure(name, reason): unsupported.append((name, reason))
            }
        }
        return ROOTTree(path: entry.path, title: title, entries: Int(entries), branches: branches, unsupported: unsupported)
    }

    enum BranchResult {
        case success(ROOTBranch)
        case failure(String, String)
    }

    /// A `TBranch` (versions 12–13) with one flat numeric leaf; anything else is reported unsupported.
    static func readBranch(_ b: inout ROOTBuffer, refs: inout ROOTObjectReferences) throws -> BranchResult {
        let h = try b.versionHeader("TBranch")
        guard (12...13).contains(h.version) else { return .failure("?", "TBranch version \(h.version) is not supported") }
        let (name, _) = try b.named("TBranch TNamed")
        let label = "branch '\(InputQuote.escape(name))'"
        try b.skipObject("TAttFill")
        try b.skip(4 * 4 + 8, "\(label) fields")
        if h.version >= 13 { try b.skipObject("\(label) fIOFeatures") }
        _ = try b.i32("\(label) fOffset")
        let maxAt = b.position
        let maxBaskets = Int(try b.u32("\(label) fMaxBaskets"))
        guard maxBaskets <= b.remaining / 20 else { throw b.error("\(label): fMaxBaskets \(maxBaskets) does not fit", at: maxAt) }
        _ = try b.i32("\(label) fSplitLevel")
        let entriesAt = b.position
        let entries = Int(try b.i64("\(label) fEntries"))
        guard entries >= 0 else { throw b.error("\(label): fEntries \(entries) is negative", at: entriesAt) }
        try b.skip(3 * 8, "\(label) byte counters")
        var subBranches = 0
        try ROOTFile.countObjects(&b, "\(label) fBranches", refs: &refs) { subBranches += 1 }
        var leaves: [(String, ROOTLeafType?, String?)] = []
        try ROOTFile.objArray(&b, "\(label) fLeaves", refs: &refs) { b, className, refs in
            leaves.append(try readLeaf(&b, className: className, refs: &refs))
        }
        var embedded = 0
        try ROOTFile.countObjects(&b, "\(label) fBaskets", refs: &refs) { embedded += 1 }
        try b.skip(1, "\(label) fBasketBytes")
        var bytes: [Int] = []
        for _ in 0..<maxBaskets { bytes.append(Int(try b.i32("\(label) fBasketBytes"))) }
        try b.skip(1, "\(label) fBasketEntry")
        var firsts: [Int] = []
        for _ in 0..<maxBaskets { firsts.append(Int(try b.i64("\(label) fBasketEntry"))) }
        try b.skip(1, "\(label) fBasketSeek")
        var seeks: [Int] = []
        for _ in 0..<maxBaskets { seeks.append(Int(try b.i64("\(label) fBasketSeek"))) }
        try b.skip(to: h.end, label)
        guard subBranches == 0 else { return .failure(name, "has sub-branches") }
        guard leaves.count == 1 else { return .failure(name, "has \(leaves.count) leaves") }
        if let why = leaves[0].2 { return .failure(name, why) }
        guard let type = leaves[0].1 else { return .failure(name, "leaf type not numeric") }
        guard embedded == 0 else { return .failure(name, "has baskets stored inside the tree (not written out)") }
        var baskets: [ROOTBranch.Basket] = []
        for i in 0..<maxBaskets where seeks[i] > 0 {
            guard bytes[i] > 0, firsts[i] >= 0, firsts[i] <= entries else {
                throw b.error("\(label): basket \(i) has size \(bytes[i]) and first entry \(firsts[i]) of \(entries)")
            }
            baskets.append(.init(seek: seeks[i], bytes: bytes[i], firstEntry: firsts[i]))
        }
        for i in baskets.indices.dropFirst() where baskets[i].firstEntry < baskets[i - 1].firstEntry {
            throw b.error("\(label): basket \(i) starts at entry \(baskets[i].firstEntry), before basket \(i - 1)")
        }
        return .success(ROOTBranch(name: name, type: type, entries: entries, baskets: baskets))
    }

    /// A leaf: its number type when it is a single fixed-size number, else the reason it is not.
    static func readLeaf(_ b: inout ROOTBuffer, className: String, refs: inout ROOTObjectReferences) throws -> (String, ROOTLeafType?, String?) {
        let h = try b.versionHeader("TLeaf")
        let th = try b.versionHeader("TLeaf base")
        let (name, _) = try b.named("TLeaf TNamed")
        let len = Int(try b.i32("fLen"))
        _ = try b.i32("fLenType")
        _ = try b.i32("fOffset")
        _ = try b.u8("fIsRange")
        let unsigned = try b.u8("fIsUnsigned") != 0
        let count = try refs.read(&b, "fLeafCount")
        try b.skip(to: th.end, "TLeaf")
        try b.skip(to: h.end, className)
        if case .null = count {} else { return (name, nil, "variable-length leaf") }
        guard len == 1 else { return (name, nil, "array leaf of \(len)") }
        guard let t = ROOTLeafType.of(className: className, unsigned: unsigned) else {
            return (name, nil, "leaf class \(InputQuote.escape(className)) is not a flat number")
        }
        return (name, t, nil)
    }

    /// Counts the objects of a `TObjArray`, skipping each.
    static func countObjects(_ b: inout ROOTBuffer, _ what: String, refs: inout ROOTObjectReferences, each: () -> Void) throws {
        try objArray(&b, what, refs: &refs) { _, _, _ in each() }
    }

    /// A `TObjArray` of pointers; `body` reads each new object from its start, the cursor then
    /// moves to the object's end by its byte count.
    static func objArray(_ b: inout ROOTBuffer, _ what: String, refs: inout ROOTObjectReferences,
                         body: (inout ROOTBuffer, String, inout ROOTObjectReferences) throws -> Void) throws {
        let h = try b.versionHeader(what)
        try b.skipTObject(what)
        _ = try b.string(what + " fName")
        let countAt = b.position
        let n = Int(try b.i32(what + " size"))
        guard n >= 0, n <= b.remaining / 4 else { throw b.error("\(what): \(n) elements cannot fit", at: countAt) }
        _ = try b.i32(what + " fLowerBound")
        for i in 0..<n {
            let at = b.position
            switch try refs.read(&b, "\(what)[\(i)]") {
            case .null, .reference: continue
            case let .object(className, end):
                guard let end else { throw b.error("\(what)[\(i)]: object without byte count", at: at) }
                try body(&b, className, &refs)
                try b.skip(to: end, "\(what)[\(i)]")
            }
        }
        try b.skip(to: h.end, what)
    }
}
