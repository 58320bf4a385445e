/// A `TKey`: the header in front of every object record of a ROOT file, and its entry in a
/// directory's key list. It says where the object's (possibly compressed) bytes are, how long they
/// are once decompressed, and the object's class, name and cycle.
public struct ROOTKey: Sendable, Equatable {
    /// Total bytes of the record on disk (key header + compressed object).
    public var nbytes: Int
    /// Bytes of the object once decompressed.
    public var objectLength: Int
    /// Length of the key header in front of the object.
    public var keyLength: Int
    /// Cycle number (ROOT's `name;cycle`).
    public var cycle: Int
    /// File offset of the record (where this key header is written).
    public var seekKey: Int
    /// File offset of the directory the key belongs to.
    public var seekParentDirectory: Int
    public var className: String
    public var name: String
    public var title: String

    /// True when the object bytes on disk are compressed (shorter than the object).
    var isCompressed: Bool { objectLength > nbytes - keyLength }

    /// Reads a key header at the buffer's position.
    static func read(_ b: inout ROOTBuffer) throws -> ROOTKey {
        let start = b.position
        let nbytes = Int(try b.i32("key fNbytes"))
        let version = Int(try b.i16("key fVersion"))
        let objlen = Int(try b.i32("key fObjlen"))
        _ = try b.u32("key fDatime")
        let keylen = Int(try b.i16("key fKeylen"))
        let cycle = Int(try b.i16("key fCycle"))
        let large = version > 1000
        let seekKey = large ? Int(try b.i64("key fSeekKey")) : Int(try b.i32("key fSeekKey"))
        let seekPdir = large ? Int(try b.i64("key fSeekPdir")) : Int(try b.i32("key fSeekPdir"))
        let cls = try b.string("key fClassName")
        let name = try b.string("key fName")
        let title = try b.string("key fTitle")
        let what = "key '\(InputQuote.escape(name))' (\(InputQuote.escape(cls)))"
        guard nbytes > 0, keylen > 0, keylen <= nbytes else {
            throw b.error("\(what): bad lengths fNbytes \(nbytes), fKeylen \(keylen)", at: start)
        }
        guard objlen >= 0 else { throw b.error("\(what): negative object length \(objlen)", at: start + 6) }
        guard seekKey >= 0, seekPdir >= 0 else { throw b.error("\(what): negative offset", at: start + 18) }
        return ROOTKey(nbytes: nbytes, objectLength: objlen, keyLength: keylen, cycle: cycle, seekKey: seekKey,
                       seekParentDirectory: seekPdir, className: cls, name: name, title: title)
    }

    /// The key described for messages: `key 'sub/name' (TH1F) at byte N`.
    func described(path: String) -> String {
        "key '\(InputQuote.escape(path))' (\(InputQuote.escape(className)))"
    }

    /// The object's bytes, decompressed when needed, as a buffer whose errors name this key.
    /// The decompressed length must equal `objectLength`, which is itself bounded by `limit`.
    func objectBuffer(_ source: ROOTByteSource, path: String, limit: Int = ROOTDecompression.objectLimit) throws -> ROOTBuffer {
        let what = described(path: path)
        let stored = nbytes - keyLength
        let (dataStart, overflow) = seekKey.addingReportingOverflow(keyLength)
        guard !overflow else { throw ROOTError.at(source.path, seekKey, "\(what): offset overflows") }
        let raw = try source.read(dataStart, stored, what)
        if !isCompressed {
            return ROOTBuffer(bytes: objectLength == stored ? raw : Array(raw.prefix(objectLength)), file: source.path,
                              fileOffset: dataStart, objectOffset: dataStart, context: what, displacement: keyLength)
        }
        guard objectLength <= limit else {
            throw ROOTError.at(source.path, seekKey, "\(what): object of \(objectLength) bytes exceeds the \(limit)-byte limit")
        }
        let bytes = try ROOTDecompression.decompress(raw, expected: objectLength, file: source.path, at: dataStart, what: what)
        return ROOTBuffer(bytes: bytes, file: source.path, fileOffset: nil, objectOffset: seekKey, context: what,
                          displacement: keyLength)
    }
}
