/// A bounds-checked big-endian cursor over bytes of a ROOT file: a record of the file itself or a
/// decompressed object. Every read checks the remaining length first, so a damaged length or count
/// becomes a one-line error naming the file and byte offset instead of a crash.
struct ROOTBuffer {
    let bytes: [UInt8]
    /// Current read position in `bytes`.
    var position = 0
    let file: String
    /// File offset of `bytes[0]` when the bytes are the file's own (uncompressed); nil for
    /// decompressed objects, whose errors name `objectOffset` and the object's position instead.
    let fileOffset: Int?
    /// Where a decompressed object starts in the file (its key), for messages.
    let objectOffset: Int
    /// What is being read (e.g. "key 'bus1_sdd1' (TH1F)"), prefixed to messages.
    let context: String
    /// The key length: ROOT's object and class references count from the start of the key, so a
    /// reference tag `t` names the object at `t − displacement − kMapOffset` in these bytes.
    let displacement: Int

    init(bytes: [UInt8], file: String, fileOffset: Int?, objectOffset: Int, context: String, displacement: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.fileOffset = fileOffset
        self.objectOffset = objectOffset
        self.context = context
        self.displacement = displacement
    }

    var remaining: Int { bytes.count - position }

    /// A one-line error at the current position (or `at`).
    func error(_ message: String, at: Int? = nil) -> SDDError {
        let p = at ?? position
        let where_ = context.isEmpty ? "" : context + ": "
        if let base = fileOffset { return ROOTError.at(file, base + p, where_ + message) }
        return ROOTError.at(file, objectOffset, where_ + message + " (byte \(p) of the uncompressed object)")
    }

    mutating func need(_ n: Int, _ what: String) throws {
        guard n >= 0, n <= remaining else {
            throw error("\(what): needs \(n) bytes, \(Swift.max(0, remaining)) left (truncated or corrupt)")
        }
    }

    mutating func skip(_ n: Int, _ what: String = "skip") throws {
        try need(n, what)
        position += n
    }

    /// Moves to `offset` within the bytes (which must lie inside them).
    mutating func seek(_ offset: Int, _ what: String) throws {
        guard offset >= 0, offset <= bytes.count else { throw error("\(what): offset \(offset) outside the \(bytes.count) bytes") }
        position = offset
    }

    @inline(__always) private mutating func raw<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        try need(MemoryLayout<T>.size, what)
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v = (v << 8) | T(truncatingIfNeeded: bytes[position + i]) }
        position += MemoryLayout<T>.size
        return v
    }

    mutating func u8(_ what: String) throws -> UInt8 { try raw(UInt8.self, what) }
    mutating func i8(_ what: String) throws -> Int8 { Int8(bitPattern: try raw(UInt8.self, what)) }
    mutating func u16(_ what: String) throws -> UInt16 { try raw(UInt16.self, what) }
    mutating func i16(_ what: String) throws -> Int16 { Int16(bitPattern: try raw(UInt16.self, what)) }
    mutating func u32(_ what: String) throws -> UInt32 { try raw(UInt32.self, what) }
    mutating func i32(_ what: String) throws -> Int32 { Int32(bitPattern: try raw(UInt32.self, what)) }
    mutating func i64(_ what: String) throws -> Int64 { Int64(bitPattern: try raw(UInt64.self, what)) }
    mutating func f32(_ what: String) throws -> Float { Float(bitPattern: try raw(UInt32.self, what)) }
    mutating func f64(_ what: String) throws -> Double { Double(bitPattern: try raw(UInt64.self, what)) }

    /// A non-negative 32-bit count, at most `limit` (so that `count × size` stays inside the buffer).
    mutating func count(_ what: String, elementSize: Int) throws -> Int {
        let at = position
        let n = Int(try i32(what))
        guard n >= 0 else { throw error("\(what) is negative (\(n))", at: at) }
        guard n <= remaining / Swift.max(1, elementSize) else {
            throw error("\(what) \(n) × \(elementSize) bytes exceeds the \(remaining) bytes left", at: at)
        }
        return n
    }

    /// `n` big-endian elements of `elementSize` bytes (1, 2, 4 or 8), each right-aligned in a UInt64
    /// and converted by `convert`; one bounds check for the whole array.
    mutating func bigEndianArray<T>(_ n: Int, elementSize: Int, _ what: String, _ convert: (UInt64) -> T) throws -> [T] {
        let (total, overflow) = n.multipliedReportingOverflow(by: elementSize)
        guard !overflow else { throw error("\(what): \(n) elements overflow") }
        try need(total, what)
        let start = position
        let out = [T](unsafeUninitializedCapacity: n) { buf, count in
            bytes.withUnsafeBytes { raw in
                let p = raw.baseAddress! + start
                switch elementSize {
                case 1: for i in 0..<n { (buf.baseAddress! + i).initialize(to: convert(UInt64(p.load(fromByteOffset: i, as: UInt8.self)))) }
                case 2: for i in 0..<n { (buf.baseAddress! + i).initialize(to: convert(UInt64(UInt16(bigEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))) }
                case 4: for i in 0..<n { (buf.baseAddress! + i).initialize(to: convert(UInt64(UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))) }
                default: for i in 0..<n { (buf.baseAddress! + i).initialize(to: convert(UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
                }
            }
            count = n
        }
        position += total
        return out
    }

    /// A ROOT `TString`: one length byte, or 255 then a 32-bit length; bytes as Latin-1/UTF-8.
    mutating func string(_ what: String) throws -> String {
        var n = Int(try u8(what))
        if n == 255 {
            let at = position
            n = Int(try i32(what))
            guard n >= 0 else { throw error("\(what): negative string length \(n)", at: at) }
        }
        try need(n, what)
        let s = decodeText(bytes[position..<(position + n)])
        position += n
        return s
    }

    /// A zero-terminated class name (as written in front of a new class in an object reference).
    mutating func cString(_ what: String) throws -> String {
        let start = position
        guard let end = bytes[start...].firstIndex(of: 0) else { throw error("\(what): no terminating zero byte") }
        guard end - start <= 1024 else { throw error("\(what): longer than 1024 bytes") }
        position = end + 1
        return decodeText(bytes[start..<end])
    }

    /// UTF-8 when valid, else Latin-1 (ROOT stores raw bytes).
    private func decodeText(_ b: ArraySlice<UInt8>) -> String {
        if let s = String(validating: b, as: UTF8.self) { return s }
        return String(b.map { Character(Unicode.Scalar($0)) })
    }

    /// The header of a streamed object or base: a byte count (flagged by bit 30) and a version.
    /// Returns the version and the end of the object when the byte count is present.
    mutating func versionHeader(_ what: String) throws -> (version: Int, end: Int?) {
        let start = position
        try need(6, what)
        let first = try u32(what)
        if first & ROOTBuffer.byteCountMask != 0 {
            let count = Int(first & ~ROOTBuffer.byteCountMask)
            let end = start + 4 + count
            guard count >= 2, end <= bytes.count else {
                throw error("\(what): byte count \(count) runs past the \(bytes.count - start - 4) bytes left", at: start)
            }
            let v = Int(try i16(what))
            if v & 0x4000 != 0 { throw error("\(what): member-wise streaming is not supported", at: start + 4) }
            return (v, end)
        }
        position = start
        return (Int(try i16(what)), nil)
    }

    /// Moves to the end of an object read with `versionHeader` (nil: stays, no byte count to go by).
    mutating func skip(to end: Int?, _ what: String) throws {
        guard let end else { return }
        guard end >= position else { throw error("\(what): read past its byte count (ends at \(end))") }
        position = end
    }

    /// A `TObject`: version, unique id, bits, and the process id when the object is referenced.
    mutating func skipTObject(_ what: String) throws {
        _ = try versionHeader(what)
        _ = try u32(what + " fUniqueID")
        let bits = try u32(what + " fBits")
        if bits & 0x10 != 0 { try skip(2, what + " pidf") }   // kIsReferenced
    }

    /// A `TNamed`: a TObject and its name and title.
    mutating func named(_ what: String) throws -> (name: String, title: String) {
        let h = try versionHeader(what)
        try skipTObject(what)
        let name = try string(what + " fName")
        let title = try string(what + " fTitle")
        try skip(to: h.end, what)
        return (name, title)
    }

    /// Skips a streamed object or base by its byte count (which it must have).
    mutating func skipObject(_ what: String) throws {
        let start = position
        let h = try versionHeader(what)
        guard let end = h.end else { throw error("\(what): no byte count to skip by", at: start) }
        position = end
    }

    static let byteCountMask: UInt32 = 0x4000_0000
}
