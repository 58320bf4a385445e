/// The header at the start of a ROOT file (`TFile`): format version, where the top directory's
/// record starts and ends, and where the streamer information lives. Files of ROOT 6 with an end
/// beyond 2 GiB use 64-bit offsets (version ≥ 1 000 000).
struct ROOTFileHeader: Sendable, Equatable {
    /// ROOT version that wrote the file (e.g. 62400), without the large-file flag.
    var version: Int
    /// True when the header's offsets are 64-bit (version field ≥ 1 000 000).
    var largeFile: Bool
    /// Offset of the top directory's key (usually 100).
    var begin: Int
    /// End of the file's used bytes.
    var end: Int
    /// Length of the top directory's key and name record.
    var nbytesName: Int
    /// Default compression setting (algorithm × 100 + level).
    var compress: Int
    var seekInfo: Int
    var nbytesInfo: Int

    static let magic: [UInt8] = Array("root".utf8)

    static func read(_ source: ROOTByteSource) throws -> ROOTFileHeader {
        let file = source.path
        guard source.size >= 4 else { throw ROOTError.at(file, 0, "too short for a ROOT file (\(source.size) bytes)") }
        let head = try source.read(0, Swift.min(source.size, 64), "file header")
        guard Array(head[0..<4]) == magic else {
            throw ROOTError.at(file, 0, "not a ROOT file: starts with '\(InputQuote.escape(head.prefix(4)))', expected 'root'")
        }
        var b = ROOTBuffer(bytes: head, file: file, fileOffset: 0, objectOffset: 0, context: "file header")
        try b.skip(4)
        var version = Int(try b.i32("fVersion"))
        let large = version >= 1_000_000
        if large { version -= 1_000_000 }
        guard version > 0 else { throw b.error("fVersion \(version) is not a ROOT version", at: 4) }
        let begin = Int(try b.i32("fBEGIN"))
        let end = large ? Int(try b.i64("fEND")) : Int(try b.i32("fEND"))
        _ = large ? try b.i64("fSeekFree") : Int64(try b.i32("fSeekFree"))
        _ = try b.i32("fNbytesFree")
        _ = try b.i32("nfree")
        let nbytesName = Int(try b.i32("fNbytesName"))
        _ = try b.u8("fUnits")
        let compress = Int(try b.i32("fCompress"))
        let seekInfo = large ? Int(try b.i64("fSeekInfo")) : Int(try b.i32("fSeekInfo"))
        let nbytesInfo = Int(try b.i32("fNbytesInfo"))
        guard begin >= 4 && begin < source.size else {
            throw b.error("fBEGIN \(begin) is outside the \(source.size)-byte file", at: 12)
        }
        // ROOT writes fEND when it closes the file: a shorter file was cut off (or never closed).
        guard end <= source.size else {
            throw b.error("file is truncated: its header says it ends at byte \(end), it has \(source.size) bytes", at: large ? 12 : 12)
        }
        guard nbytesName > 0 && nbytesName <= source.size - begin else {
            throw b.error("fNbytesName \(nbytesName) runs past the end of the \(source.size)-byte file")
        }
        return ROOTFileHeader(version: version, largeFile: large, begin: begin, end: end, nbytesName: nbytesName,
                              compress: compress, seekInfo: seekInfo, nbytesInfo: nbytesInfo)
    }
}
