/// A directory of a ROOT file (`TDirectoryFile`): the record that says where its key list is, and
/// the keys in that list. The file's top directory follows the file header; subdirectories are
/// objects of class `TDirectory`/`TDirectoryFile` whose record is the key's object.
struct ROOTDirectory {
    /// File offset of the key list.
    var seekKeys: Int
    /// Length of the key list record.
    var nbytesKeys: Int

    static let classNames: Set<String> = ["TDirectory", "TDirectoryFile"]

    /// Reads a directory record (version, dates, key-list size, name size, own, parent and key-list offsets).
    static func read(_ b: inout ROOTBuffer) throws -> ROOTDirectory {
        let start = b.position
        let version = Int(try b.i16("directory fVersion"))
        _ = try b.u32("directory fDatimeC")
        _ = try b.u32("directory fDatimeM")
        let nbytesKeys = Int(try b.i32("directory fNbytesKeys"))
        _ = try b.i32("directory fNbytesName")
        let large = version > 1000
        _ = large ? Int(try b.i64("directory fSeekDir")) : Int(try b.i32("directory fSeekDir"))
        _ = large ? Int(try b.i64("directory fSeekParent")) : Int(try b.i32("directory fSeekParent"))
        let seekKeys = large ? Int(try b.i64("directory fSeekKeys")) : Int(try b.i32("directory fSeekKeys"))
        guard nbytesKeys >= 0, seekKeys >= 0 else {
            throw b.error("directory: negative key list offset \(seekKeys) or size \(nbytesKeys)", at: start)
        }
        return ROOTDirectory(seekKeys: seekKeys, nbytesKeys: nbytesKeys)
    }

    /// The keys of the directory's key list (empty when the directory has none).
    func keys(_ source: ROOTByteSource, context: String) throws -> [ROOTKey] {
        if seekKeys == 0 || nbytesKeys == 0 { return [] }
        var b = try source.buffer(seekKeys, nbytesKeys, "key list of \(context)", context: "key list of \(context)")
        _ = try ROOTKey.read(&b)   // the key of the list itself
        let at = b.position
        let n = Int(try b.i32("number of keys"))
        // A key header is at least 26 bytes (3 empty strings): a larger count cannot be in the list.
        guard n >= 0, n <= b.remaining / 26 else {
            throw b.error("number of keys \(n) does not fit the \(b.remaining) bytes of the list", at: at)
        }
        var keys: [ROOTKey] = []
        keys.reserveCapacity(n)
        for _ in 0..<n { keys.append(try ROOTKey.read(&b)) }
        return keys
    }
}
