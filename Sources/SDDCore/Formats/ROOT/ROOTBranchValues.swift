/// Reading a flat branch's values from its baskets. Each basket is a key (`TBasket`) whose object
/// is the branch's big-endian values for the basket's entries; its entry count must agree with the
/// branch's basket table, and the values of all baskets must add up to the branch's entries.
extension ROOTFile {
    /// Every value of a branch, converted by `convert` from the raw big-endian bits (sign- or
    /// zero-extended into a UInt64 word by type) to the caller's element type.
    func branchValues<T>(_ branch: ROOTBranch, tree: String, limit: Int = 1 << 31,
                         _ convert: (UInt64, ROOTLeafType) -> T) throws -> [T] {
        let label = "tree '\(InputQuote.escape(tree))' branch '\(InputQuote.escape(branch.name))'"
        let size = branch.type.size
        guard branch.entries <= limit, branch.entries <= source.size else {
            throw ROOTError.at(path, 0, "\(label): \(branch.entries) entries exceed what the \(source.size)-byte file can hold")
        }
        var out: [T] = []
        out.reserveCapacity(branch.entries)
        for (i, basket) in branch.baskets.enumerated() {
            let nextFirst = i + 1 < branch.baskets.count ? branch.baskets[i + 1].firstEntry : branch.entries
            let want = nextFirst - basket.firstEntry
            guard basket.firstEntry == out.count else {
                throw ROOTError.at(path, basket.seek, "\(label): basket \(i) starts at entry \(basket.firstEntry), expected \(out.count)")
            }
            var head = try source.buffer(basket.seek, Swift.min(basket.bytes, source.size - basket.seek), "\(label) basket \(i)",
                                         context: "\(label) basket \(i)")
            let key = try ROOTKey.read(&head)
            _ = try head.i16("TBasket version")
            _ = try head.i32("fBufferSize")
            _ = try head.i32("fNevBufSize")
            let nevAt = head.position
            let nev = Int(try head.i32("fNevBuf"))
            let lastAt = head.position
            let last = Int(try head.i32("fLast"))
            guard key.seekKey == basket.seek, key.nbytes == basket.bytes else {
                throw head.error("basket key says offset \(key.seekKey), \(key.nbytes) bytes; the branch says \(basket.seek), \(basket.bytes)", at: 0)
            }
            guard nev == want else { throw head.error("fNevBuf \(nev): the branch's basket table says \(want) entries", at: nevAt) }
            let (dataBytes, overflow) = nev.multipliedReportingOverflow(by: size)
            guard !overflow, last - key.keyLength >= dataBytes, dataBytes <= key.objectLength else {
                throw head.error("\(nev) entries of \(size) bytes do not fit the basket's \(last - key.keyLength) data bytes (fLast \(last))", at: lastAt)
            }
            var data = try key.objectBuffer(source, path: "\(tree)/\(branch.name) basket \(i)")
            let type = branch.type
            out.append(contentsOf: try data.bigEndianArray(nev, elementSize: size, "basket values") { convert($0, type) })
        }
        guard out.count == branch.entries else {
            throw ROOTError.at(path, branch.baskets.last?.seek ?? 0, "\(label): baskets hold \(out.count) entries, the branch says \(branch.entries)")
        }
        return out
    }

    /// A branch's values as doubles (exact for every type except 64-bit integers beyond 2^53).
    public func doubles(_ branch: ROOTBranch, tree: ROOTTree) throws -> [Double] {
        try branchValues(branch, tree: tree.path) { w, t in ROOTLeafType.double(w, t) }
    }

    /// A branch's values as 64-bit integers; an error for floating-point branches (and for
    /// unsigned 64-bit values above Int64.max).
    public func integers(_ branch: ROOTBranch, tree: ROOTTree) throws -> [Int64] {
        guard branch.type != .float32 && branch.type != .float64 else {
            throw SDDError.badFile(file: path, message: "tree '\(InputQuote.escape(tree.path))' branch '\(InputQuote.escape(branch.name))' holds \(branch.type.rawValue), not integers")
        }
        var tooBig = false
        let v = try branchValues(branch, tree: tree.path) { w, t -> Int64 in
            if t == .uint64 && w > UInt64(Int64.max) { tooBig = true }
            return ROOTLeafType.integer(w, t)
        }
        if tooBig { throw SDDError.badFile(file: path, message: "tree '\(InputQuote.escape(tree.path))' branch '\(InputQuote.escape(branch.name))' holds a uint64 above 2^63") }
        return v
    }
}

extension ROOTLeafType {
    /// The value of raw big-endian bits (right-aligned in `w`) as an integer of this type.
    static func integer(_ w: UInt64, _ t: ROOTLeafType) -> Int64 {
        switch t {
        case .bool: return w != 0 ? 1 : 0
        case .int8: return Int64(Int8(truncatingIfNeeded: w))
        case .int16: return Int64(Int16(truncatingIfNeeded: w))
        case .int32: return Int64(Int32(truncatingIfNeeded: w))
        case .int64: return Int64(bitPattern: w)
        case .uint8, .uint16, .uint32: return Int64(w)
        case .uint64: return Int64(bitPattern: w)
        case .float32, .float64: return 0   // not integers: `integers` refuses these branches
        }
    }

    static func double(_ w: UInt64, _ t: ROOTLeafType) -> Double {
        switch t {
        case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: w)))
        case .float64: return Double(bitPattern: w)
        case .uint64: return Double(w)
        default: return Double(integer(w, t))
        }
    }
}
