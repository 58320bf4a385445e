/// ROOT's compressed object records: a sequence of blocks, each a 9-byte header (two letters for
/// the algorithm, a method byte, the compressed and the uncompressed size as 24-bit little-endian
/// numbers) followed by the compressed bytes. "ZL" is zlib, "L4" LZ4 with an 8-byte XXH64
/// checksum of the compressed bytes in front, "ZS" Zstandard. Sizes are checked before any
/// allocation: the blocks' stated sizes must add up to the key's object length, and each block
/// must decompress to exactly its stated size.
enum ROOTDecompression {
    /// Largest object (decompressed) the reader accepts: 1 GiB.
    static let objectLimit = 1 << 30
    static let headerSize = 9

    struct Block {
        var algorithm: String
        var offset: Int        // of the header in the record
        var compressed: Int    // bytes after the header
        var uncompressed: Int
    }

    /// The blocks of a compressed record, checked to lie inside it and to add up to `expected` bytes.
    static func blocks(_ raw: [UInt8], expected: Int, file: String, at base: Int, what: String) throws -> [Block] {
        var out: [Block] = []
        var pos = 0, total = 0
        while total < expected {
            guard raw.count - pos >= headerSize else {
                throw ROOTError.at(file, base + pos, "\(what): compressed block header truncated (\(raw.count - pos) bytes left, \(expected - total) bytes of the object missing)")
            }
            let h = raw[pos..<(pos + headerSize)]
            let c = Int(h[pos + 3]) | Int(h[pos + 4]) << 8 | Int(h[pos + 5]) << 16
            let u = Int(h[pos + 6]) | Int(h[pos + 7]) << 8 | Int(h[pos + 8]) << 16
            let alg = InputQuote.escape(h[pos..<(pos + 2)])
            guard c <= raw.count - pos - headerSize else {
                throw ROOTError.at(file, base + pos, "\(what): \(alg) block of \(c) compressed bytes runs past the record's \(raw.count - pos - headerSize) bytes")
            }
            guard u > 0, u <= expected - total else {
                throw ROOTError.at(file, base + pos, "\(what): \(alg) block says \(u) bytes uncompressed, but \(expected - total) of the object's \(expected) remain")
            }
            out.append(Block(algorithm: alg, offset: pos, compressed: c, uncompressed: u))
            pos += headerSize + c
            total += u
        }
        return out
    }

    /// Decompresses a record into exactly `expected` bytes.
    static func decompress(_ raw: [UInt8], expected: Int, file: String, at base: Int, what: String) throws -> [UInt8] {
        let bs = try blocks(raw, expected: expected, file: file, at: base, what: what)
        var out = [UInt8](repeating: 0, count: expected)
        var written = 0
        try raw.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                for b in bs {
                    let input = UnsafeBufferPointer(rebasing: src[(b.offset + headerSize)..<(b.offset + headerSize + b.compressed)])
                    let output = UnsafeMutableBufferPointer(rebasing: dst[written..<(written + b.uncompressed)])
                    let fail = { (m: String) in ROOTError.at(file, base + b.offset, "\(what): \(b.algorithm) block: \(m)") }
                    let got: Int
                    switch b.algorithm {
                    case "ZL": got = try zlib(input, output, fail)
                    case "L4": got = try lz4(input, output, fail)
                    case "ZS": got = try zstd(input, output, fail)
                    case "XZ": throw fail("LZMA compression is not supported; recompress the file with zlib, LZ4 or ZSTD")
                    case "CS": throw fail("ROOT's old compression algorithm is not supported; recompress the file with zlib")
                    default: throw fail("unknown compression algorithm")
                    }
                    guard got == b.uncompressed else { throw fail("decompressed to \(got) bytes, header says \(b.uncompressed)") }
                    written += got
                }
            }
        }
        return out
    }

    typealias Failure = (String) -> SDDError

    static func zlib(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, _ fail: Failure) throws -> Int {
        guard let z = ROOTCompressionLibraries.zlib else { throw fail("zlib (libz.so.1, Debian package zlib1g) is not installed") }
        var length = UInt(output.count)
        let rc = z.uncompress(output.baseAddress, &length, input.baseAddress, UInt(input.count))
        guard rc == 0 else {
            let why = rc == -3 ? "corrupt data" : rc == -5 ? "more data than the header says" : rc == -4 ? "out of memory" : "error \(rc)"
            throw fail("zlib: \(why)")
        }
        return Int(length)
    }

    static func lz4(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, _ fail: Failure) throws -> Int {
        guard input.count >= 8 else { throw fail("too short for its 8-byte checksum") }
        var stated: UInt64 = 0
        for i in 0..<8 { stated = stated << 8 | UInt64(input[i]) }
        let payload = UnsafeBufferPointer(rebasing: input[8...])
        let actual = XXHash64.hash(UnsafeRawBufferPointer(payload))
        guard actual == stated else {
            throw fail("checksum mismatch (stored \(String(stated, radix: 16)), computed \(String(actual, radix: 16)))")
        }
        guard let l = ROOTCompressionLibraries.lz4 else {
            throw fail("LZ4 decompression needs liblz4.so.1: install the Debian package liblz4-1")
        }
        guard payload.count <= Int(Int32.max), output.count <= Int(Int32.max) else { throw fail("block too large") }
        let n = payload.withMemoryRebound(to: CChar.self) { p in
            output.withMemoryRebound(to: CChar.self) { o in
                l.decompressSafe(p.baseAddress, o.baseAddress, Int32(p.count), Int32(o.count))
            }
        }
        guard n >= 0 else { throw fail("LZ4: corrupt data") }
        return Int(n)
    }

    static func zstd(_ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, _ fail: Failure) throws -> Int {
        guard let z = ROOTCompressionLibraries.zstd else {
            throw fail("ZSTD decompression needs libzstd.so.1: install the Debian package libzstd1")
        }
        let n = z.decompress(UnsafeMutableRawPointer(output.baseAddress), output.count,
                             UnsafeRawPointer(input.baseAddress), input.count)
        if z.isError(n) != 0 {
            let name = z.errorName(n).map { String(cString: $0) } ?? "error"
            throw fail("ZSTD: \(InputQuote.escape(name))")
        }
        return n
    }
}
