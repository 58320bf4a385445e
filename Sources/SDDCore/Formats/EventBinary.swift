import Foundation

/// sddcal's binary event file (docs/binary-format.md): a 64-byte little-endian header, then the
/// cell, ADC and time columns one after another, so loading is a few large reads straight into the
/// arrays plus a checksum pass.
///
/// Header of version 4, written by this code (all integers little-endian):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `SDDCALEV` |
/// | 8 | 4 | format version (4) |
/// | 12 | 4 | header size in bytes (64) |
/// | 16 | 8 | event count N |
/// | 24 | 4 | number of distinct cells |
/// | 28 | 4 | largest cell number + 1 (0 when empty) |
/// | 32 | 4 | flags (bit 0: events sorted by cell, then time) |
/// | 36 | 4 | payload bytes per checksum block B (a power of two, 4096...2^30) |
/// | 40 | 8 | number of checksum blocks K = ⌈payload bytes / B⌉ |
/// | 48 | 8 | XXH64 (seed 0) of header bytes 0..<48 followed by bytes 56..<64 |
/// | 56 | 8 | generation id shared with files written together (simulate's truth), 0 when none |
///
/// Payload at byte 64: N × UInt16 cell, N × UInt16 ADC, 4 zero bytes when N is odd (so the times
/// are 8-byte aligned), N × Float64 time. Version 4 ends with a table of K UInt64: the XXH64
/// (seed 0) of each B-byte block of the payload (the last one shorter), so that the blocks are
/// verified on every core at once (one XXH64 over the whole payload is one sequential stream).
///
/// Versions 1–3 are still read. Version 3 has no block table: XXH64 of the whole payload at 40,
/// bytes 36..<40 zero. Version 2 differs from 3 only in its header checksum, which covers bytes
/// 0..<48 and so leaves the generation id unchecked. Version 1 has CRC-32 checksums: of the
/// payload at 36 and of header bytes 0..<40 at 40; XXH64 replaced it because CRC-32 took half the
/// load time.
public enum EventBinary {
    /// The first eight bytes of every binary event file.
    public static let magic: [UInt8] = Array("SDDCALEV".utf8)
    /// The version written.
    public static let version: UInt32 = 4
    /// Versions read.
    public static let readableVersions: ClosedRange<UInt32> = 1...4
    /// Payload bytes per checksum block written (version 4): 46 blocks for 10⁶ events, so two
    /// cores that take blocks as they come finish within a block of each other.
    public static let checksumBlockBytes = 1 << 18
    /// Block sizes read (powers of two).
    static let checksumBlockBytesRange = (1 << 12)...(1 << 30)
    /// Bytes before the payload.
    public static let headerSize = 64

    /// Header flag: events are ordered by (cell, time).
    public static let sortedFlag: UInt32 = 1

    /// The header fields of a binary event file.
    public struct Header: Sendable, Equatable {
        public var version: UInt32
        public var eventCount: Int
        public var distinctCells: Int
        public var cellBound: Int
        public var flags: UInt32
        /// Whole-payload checksum: XXH64 (versions 2 and 3) or CRC-32 (version 1); 0 in version 4,
        /// whose blocks have their own.
        public var payloadChecksum: UInt64
        /// Generation id shared with the files written together with this one (0: none); covered by
        /// the header checksum from version 3 on.
        public var generation: UInt64 = 0
        /// Version 4: payload bytes per checksum block and the number of blocks (0 before).
        public var blockBytes = 0
        public var blockCount = 0

        /// Byte offsets of the ADC and time columns, of the end of the payload (where version 4's
        /// block hash table starts) and the total file size.
        public var adcOffset: Int { headerSize + 2 * eventCount }
        public var timeOffset: Int { headerSize + 4 * eventCount + (eventCount % 2 == 1 ? 4 : 0) }
        public var payloadEnd: Int { timeOffset + 8 * eventCount }
        public var fileSize: Int { payloadEnd + 8 * blockCount }
        /// Payload bytes `block` of version 4 covers, as file offsets.
        public func blockRange(_ block: Int) -> Range<Int> {
            let start = headerSize + block * blockBytes
            return start..<Swift.min(start + blockBytes, payloadEnd)
        }
        /// Where the payload checksum is stored.
        public var payloadChecksumOffset: Int { version == 1 ? 36 : 40 }
    }

    /// Exact size of a file holding `n` events.
    public static func fileSize(events n: Int) -> Int {
        var h = Header(version: version, eventCount: n, distinctCells: 0, cellBound: 0, flags: 0, payloadChecksum: 0)
        h.blockBytes = checksumBlockBytes
        h.blockCount = blockCount(payloadBytes: h.payloadEnd - headerSize, blockBytes: checksumBlockBytes)
        return h.fileSize
    }

    /// Checksum blocks of version 4 for a payload: ⌈payload / block⌉.
    static func blockCount(payloadBytes: Int, blockBytes: Int) -> Int {
        payloadBytes / blockBytes + (payloadBytes % blockBytes == 0 ? 0 : 1)
    }

    /// A running payload checksum of any version: CRC-32 (1), XXH64 (2, 3), or XXH64 per block of
    /// `blockBytes` (4, `blocks`).
    struct PayloadChecksum {
        var crc: CRC32?
        var xxh: XXHash64?
        /// Version 4: bytes per block, the hashes of the blocks completed and the bytes of the current one.
        var blockBytes = 0
        var completed: [UInt64] = []
        var inBlock = 0
        init(version: UInt32, blockBytes: Int = 0) {
            if version == 1 { crc = CRC32() } else { xxh = XXHash64() }
            if version >= 4 { self.blockBytes = blockBytes }
        }
        mutating func update(_ b: UnsafeRawBufferPointer) {
            if crc != nil { crc!.update(b); return }
            guard blockBytes > 0 else { xxh!.update(b); return }
            var o = 0
            while o < b.count {
                let take = Swift.min(blockBytes - inBlock, b.count - o)
                xxh!.update(UnsafeRawBufferPointer(rebasing: b[o..<(o + take)]))
                inBlock += take
                o += take
                if inBlock == blockBytes {
                    completed.append(xxh!.value)
                    xxh = XXHash64()
                    inBlock = 0
                }
            }
        }
        /// Version 4: the hash of every block, the last one possibly short.
        var blocks: [UInt64] { inBlock > 0 ? completed + [xxh!.value] : completed }
        /// `update`, copying the bytes to `destination` in the same pass.
        mutating func updateCopying(_ b: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
            if crc != nil {
                if let p = b.baseAddress { destination.copyMemory(from: p, byteCount: b.count) }
                crc!.update(b)
            } else {
                xxh!.updateCopying(b, to: destination)
            }
        }
        var value: UInt64 { crc.map { UInt64($0.value) } ?? xxh!.value }
    }

    // MARK: Writing

    @discardableResult
    public static func write(_ table: EventTable, to path: String, overwrite: Bool, generation: UInt64 = 0,
                             progress: ProgressObserver? = nil) throws -> Int {
        try write(table, to: path, overwrite: overwrite, version: version, generation: generation, progress: progress)
    }

    /// Writes a given format version (1–3 only for compatibility tests) and generation id.
    static func write(_ table: EventTable, to path: String, overwrite: Bool, version v: UInt32,
                      generation: UInt64 = 0, progress: ProgressObserver?) throws -> Int {
        try AtomicFile.stream(to: path, overwrite: overwrite, writer(table, version: v, generation: generation, progress: progress))
    }

    /// The body of an atomic write of `table` (see `AtomicFile.streamTogether`).
    static func writer(_ table: EventTable, version v: UInt32 = version, generation: UInt64,
                       progress: ProgressObserver?) -> (AtomicOutputStream) throws -> Void {
        let n = table.count
        let cells = table.cells
        let cell = table.cell.map { $0.littleEndian }, adc = table.adc.map { $0.littleEndian }
        let time = table.time.map { $0.bitPattern.littleEndian }
        let padding = [UInt8](repeating: 0, count: n % 2 == 1 ? 4 : 0)
        var sum = PayloadChecksum(version: v, blockBytes: checksumBlockBytes)
        cell.withUnsafeBytes { sum.update($0) }
        adc.withUnsafeBytes { sum.update($0) }
        padding.withUnsafeBytes { sum.update($0) }
        time.withUnsafeBytes { sum.update($0) }
        let blockTable = v >= 4 ? sum.blocks.map { $0.littleEndian } : []
        var header = Header(version: v, eventCount: n, distinctCells: cells.count, cellBound: (cells.last ?? -1) + 1,
                            flags: table.isSortedByCellAndTime ? sortedFlag : 0, payloadChecksum: v >= 4 ? 0 : sum.value,
                            generation: generation)
        if v >= 4 {
            header.blockBytes = checksumBlockBytes
            header.blockCount = blockTable.count
        }
        return { out in
            try out.write(encode(header))
            try writeColumn(cell, out)
            try writeColumn(adc, out)
            try out.write(padding)
            progress?.progress(done: n / 3, total: n, unit: "events")
            try writeColumn(time, out)
            try writeColumn(blockTable, out)
            progress?.progress(done: n, total: n, unit: "events")
        }
    }

    private static func writeColumn<T>(_ column: [T], _ out: AtomicOutputStream) throws {
        try column.withUnsafeBytes { try out.write($0) }
    }

    static func encode(_ h: Header) -> [UInt8] {
        var b = [UInt8]()
        b.reserveCapacity(headerSize)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b.append(contentsOf: $0) } }
        b.append(contentsOf: magic)
        put(h.version)
        put(UInt32(headerSize))
        put(UInt64(h.eventCount))
        put(UInt32(h.distinctCells))
        put(UInt32(h.cellBound))
        put(h.flags)
        if h.version == 1 {
            put(UInt32(truncatingIfNeeded: h.payloadChecksum))
        } else if h.version >= 4 {
            put(UInt32(h.blockBytes))
            put(UInt64(h.blockCount))
        } else {
            put(UInt32(0))
            put(h.payloadChecksum)
        }
        b.append(contentsOf: repeatElement(0, count: 56 - b.count))
        put(h.generation)
        let sum = headerChecksum(b, version: h.version)
        let at = h.version == 1 ? 40 : 48
        withUnsafeBytes(of: h.version == 1 ? UInt64(UInt32(sum)).littleEndian : sum.littleEndian) { s in
            for k in 0..<(h.version == 1 ? 4 : 8) { b[at + k] = s[k] }
        }
        return b
    }

    /// The header checksum of a 64-byte header of version `v`: CRC-32 of bytes 0..<40 (version 1),
    /// XXH64 of bytes 0..<48 (version 2), XXH64 of bytes 0..<48 then 56..<64, the generation id (3, 4).
    static func headerChecksum(_ b: [UInt8], version v: UInt32) -> UInt64 {
        b.withUnsafeBytes { raw in
            switch v {
            case 1: return UInt64(CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<40])))
            case 2: return XXHash64.hash(UnsafeRawBufferPointer(rebasing: raw[0..<48]))
            default:
                var h = XXHash64()
                h.update(UnsafeRawBufferPointer(rebasing: raw[0..<48]))
                h.update(UnsafeRawBufferPointer(rebasing: raw[56..<64]))
                return h.value
            }
        }
    }

    // MARK: Reading

    /// Reads and checks a header; errors name the byte offset of the faulty field.
    static func decodeHeader(_ b: [UInt8], fileSize: Int, path: String) throws -> Header {
        func fail(_ offset: Int, _ message: String) -> SDDError { .badBytes(file: path, offset: offset, message: message) }
        let prefix = Swift.min(b.count, magic.count)
        if Array(b[0..<prefix]) != Array(magic[0..<prefix]) {
            throw fail(0, "bad magic: not an sddcal binary event file (expected 'SDDCALEV')")
        }
        guard b.count >= headerSize else {
            throw fail(b.count, "truncated: file ends inside the \(headerSize)-byte header")
        }
        func u32(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }
        func u64(_ o: Int) -> UInt64 { UInt64(u32(o)) | UInt64(u32(o + 4)) << 32 }
        let v = u32(8)
        guard readableVersions.contains(v) else {
            throw fail(8, "unsupported format version \(v) (this sddcal reads versions \(readableVersions.lowerBound)–\(readableVersions.upperBound))")
        }
        let hs = u32(12)
        guard hs == headerSize else { throw fail(12, "bad header size \(hs) (expected \(headerSize))") }
        let at = v == 1 ? 40 : 48
        let stored = v == 1 ? UInt64(u32(40)) : u64(48)
        let computed = headerChecksum(b, version: v)
        guard stored == computed else {
            throw fail(at, String(format: "header checksum mismatch (stored %016llx, computed %016llx)", stored, computed))
        }
        let n = u64(16)
        let limit = InputLimits.current.maxEvents
        // Int.max / 16: the payload (12 bytes per event) and a block table of at most 1/512 of it fit in an Int.
        guard n <= UInt64(limit), n <= UInt64(Int.max / 16) else {
            throw fail(16, "event count \(n) is above the limit of \(limit) events (SDDCAL_MAX_EVENTS)")
        }
        var h = Header(version: v, eventCount: Int(n), distinctCells: Int(u32(24)), cellBound: Int(u32(28)),
                       flags: u32(32), payloadChecksum: v == 1 ? UInt64(u32(36)) : v >= 4 ? 0 : u64(40), generation: u64(56))
        if v >= 4 {
            let b = u32(36)
            guard b.nonzeroBitCount == 1, checksumBlockBytesRange.contains(Int(b)) else {
                throw fail(36, "bad checksum block size \(b) (expected a power of two from \(checksumBlockBytesRange.lowerBound) to \(checksumBlockBytesRange.upperBound) bytes)")
            }
            h.blockBytes = Int(b)
            let expected = blockCount(payloadBytes: h.payloadEnd - headerSize, blockBytes: h.blockBytes)
            let k = u64(40)
            guard k == UInt64(expected) else {
                throw fail(40, "checksum block count \(k) does not match \(n) events in blocks of \(b) bytes (expected \(expected))")
            }
            h.blockCount = expected
        }
        return h
    }

    /// Reads a binary event file (versions 1–4), checking magic, version, size and the checksums
    /// before the rows; errors name the byte offset.
    public static func read(_ path: String, options: EventReadOptions = .strict,
                            progress: ProgressObserver? = nil) throws -> EventReadResult {
        let file = try FileInput(path)
        defer { file.close() }
        var head = [UInt8](repeating: 0, count: headerSize)
        let got = try head.withUnsafeMutableBytes { try file.read(into: $0) }
        head.removeLast(headerSize - got)
        // Pipes report size 0: trust the header, and let short reads report truncation.
        let h = try decodeHeader(head, fileSize: file.size, path: path)
        let n = h.eventCount
        if file.size > 0 {
            if file.size < h.fileSize {
                let what = file.size >= h.payloadEnd ? "the block hash table (\(h.blockCount) blocks) needs bytes \(h.payloadEnd)..<\(h.fileSize)"
                                                     : "\(n) events need \(h.fileSize) bytes"
                throw SDDError.badBytes(file: path, offset: file.size, message: "truncated: \(what), file ends at byte \(file.size)")
            }
            if file.size > h.fileSize {
                throw SDDError.badBytes(file: path, offset: h.fileSize,
                                        message: "\(file.size - h.fileSize) unexpected bytes after the last event")
            }
        }

        let maxTime = InputLimits.current.maxTime
        var cell: [UInt16], adc: [UInt16], time: [Double]
        var computed: UInt64 = 0
        // Version 4: the hash of each block as computed, and as stored in the file's table.
        var computedBlocks: [UInt64] = [], storedBlocks: [UInt64] = []
        var clean = false
        var offset = headerSize
        #if _endian(little)
        let mapped = file.size > 0 ? MappedPayload.read(fd: file.fd, header: h, maxTime: maxTime, knownCells: options.knownCells) : nil
        #else
        let mapped: MappedPayload? = nil
        #endif
        if let mapped {
            cell = mapped.cell; adc = mapped.adc; time = mapped.time
            computed = mapped.checksum
            computedBlocks = mapped.blockHashes; storedBlocks = mapped.storedBlockHashes
            clean = mapped.clean
            offset = h.fileSize
            progress?.progress(done: n / 3, total: n, unit: "events")
        } else {
            var crc = PayloadChecksum(version: h.version, blockBytes: h.blockBytes)
            // The block table is read as a column too, but is not part of the payload it checks.
            var hashing = true
            func readColumn<T>(_ count: Int, _ zero: T) throws -> [T] {
                // A pipe's header count is a claim, not a size: grow with the bytes that actually arrive.
                if file.size == 0 && count > 1 << 16 { return try readGrowing(count, zero) }
                let col = try [T](unsafeUninitializedCapacity: count) { buf, initialized in
                    let raw = UnsafeMutableRawBufferPointer(buf)
                    adviseHugePages(raw)
                    // Checksum each chunk right after reading it, while it is still in cache.
                    var r = 0
                    while r < raw.count {
                        let chunk = UnsafeMutableRawBufferPointer(rebasing: raw[r..<Swift.min(raw.count, r + (1 << 18))])
                        let got = try file.read(into: chunk)
                        if hashing { crc.update(UnsafeRawBufferPointer(rebasing: chunk[0..<got])) }
                        r += got
                        if got < chunk.count { break }
                    }
                    guard r == raw.count else {
                        initialized = 0
                        throw SDDError.badBytes(file: path, offset: offset + r,
                                                message: "truncated: \(n) events need \(h.fileSize) bytes, file ends at byte \(offset + r)")
                    }
                    initialized = count
                }
                offset += count * MemoryLayout<T>.stride
                return col
            }
            func readGrowing<T>(_ count: Int, _ zero: T) throws -> [T] {
                var col: [T] = []
                var chunk = [T](repeating: zero, count: 1 << 16)
                while col.count < count {
                    let want = Swift.min(chunk.count, count - col.count)
                    let got = try chunk.withUnsafeMutableBytes { raw -> Int in
                        let part = UnsafeMutableRawBufferPointer(rebasing: raw[0..<(want * MemoryLayout<T>.stride)])
                        let g = try file.read(into: part)
                        if hashing { crc.update(UnsafeRawBufferPointer(rebasing: part[0..<g])) }
                        return g
                    }
                    col.append(contentsOf: chunk[0..<(got / MemoryLayout<T>.stride)])
                    if got < want * MemoryLayout<T>.stride {
                        let at = offset + col.count * MemoryLayout<T>.stride + got % MemoryLayout<T>.stride
                        throw SDDError.badBytes(file: path, offset: at,
                                                message: "truncated: \(n) events need \(h.fileSize) bytes, input ends at byte \(at)")
                    }
                }
                offset += count * MemoryLayout<T>.stride
                return col
            }
            cell = try readColumn(n, 0)
            adc = try readColumn(n, 0)
            progress?.progress(done: n / 3, total: n, unit: "events")
            if n % 2 == 1 { _ = try readColumn(2, UInt16(0)) }
            time = try readColumn(n, 0)
            if h.version >= 4 {
                computedBlocks = crc.blocks
                hashing = false
                storedBlocks = try readColumn(h.blockCount, UInt64(0)).map { UInt64(littleEndian: $0) }
            }
            #if _endian(big)
            cell = cell.map { UInt16(littleEndian: $0) }
            adc = adc.map { UInt16(littleEndian: $0) }
            time = time.map { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }
            #endif
            if file.size == 0 {
                // A pipe: trailing bytes cannot be seen from fstat.
                var probe: UInt8 = 0
                if try withUnsafeMutableBytes(of: &probe, { try file.read(into: $0) }) > 0 {
                    throw SDDError.badBytes(file: path, offset: offset, message: "unexpected bytes after the last event")
                }
            }
            if h.version < 4 { computed = crc.value }
        }
        if h.version >= 4 {
            // The first corrupt block in file order, whichever core or pass found it.
            if let k = computedBlocks.indices.first(where: { computedBlocks[$0] != storedBlocks[$0] }) {
                let r = h.blockRange(k)
                throw SDDError.badBytes(file: path, offset: r.lowerBound,
                                        message: String(format: "payload bytes %d..<%d (checksum block %d of %d) do not match their XXH64 (stored %016llx at byte %d, computed %016llx): file is corrupt",
                                                        r.lowerBound, r.upperBound, k, h.blockCount, storedBlocks[k], h.payloadEnd + 8 * k, computedBlocks[k]))
            }
        } else if computed != h.payloadChecksum {
            throw SDDError.badBytes(file: path, offset: h.payloadChecksumOffset,
                                    message: String(format: "payload checksum mismatch (stored %016llx, computed %016llx over bytes %d..<%d): file is corrupt",
                                                    h.payloadChecksum, computed, headerSize, h.fileSize))
        }

        // The columns cannot hold NaN ADC or cells above 65535, but times and declared cells still need checking.
        var rejected = EventRejections()
        var bad = [Int]()
        for i in 0..<(clean ? 0 : n) {
            var reason: EventRejectionReason?
            var message = ""
            var at = 0
            if !time[i].isFinite {
                reason = .nonFiniteTime; message = "time of event \(i) is \(time[i])"; at = h.timeOffset + 8 * i
            } else if Swift.abs(time[i]) > maxTime {
                reason = .timeOutOfRange; message = "time of event \(i) is \(time[i]) s, beyond ±\(maxTime) s (limit SDDCAL_MAX_TIME)"
                at = h.timeOffset + 8 * i
            } else if let known = options.knownCells, !known.contains(Int(cell[i])) {
                reason = .unknownCell; message = "cell \(cell[i]) of event \(i) is not a known cell (\(known.lowerBound)...\(known.upperBound))"
                at = headerSize + 2 * i
            }
            if let reason {
                let e = SDDError.badBytes(file: path, offset: at, message: message)
                guard options.lenient else { throw e }
                rejected.record(reason, e)
                bad.append(i)
            }
        }
        if !bad.isEmpty {
            var keep = [Bool](repeating: true, count: n)
            for i in bad { keep[i] = false }
            cell = cell.indices.filter { keep[$0] }.map { cell[$0] }
            adc = adc.indices.filter { keep[$0] }.map { adc[$0] }
            time = time.indices.filter { keep[$0] }.map { time[$0] }
        }
        progress?.progress(done: n, total: n, unit: "events")
        return EventReadResult(events: EventTable(cell: cell, adc: adc, time: time), rejected: rejected,
                               rowsRead: n, bytesRead: h.fileSize, format: .binary)
    }
}
