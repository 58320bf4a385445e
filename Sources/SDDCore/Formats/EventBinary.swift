import Foundation

/// sddcal's binary event file (docs/binary-format.md): a 64-byte little-endian header, then the
/// cell, ADC and time columns one after another, so loading is a few large reads straight into the
/// arrays plus a CRC-32 pass.
///
/// Header (all integers little-endian):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `SDDCALEV` |
/// | 8 | 4 | format version (1) |
/// | 12 | 4 | header size in bytes (64) |
/// | 16 | 8 | event count N |
/// | 24 | 4 | number of distinct cells |
/// | 28 | 4 | largest cell number + 1 (0 when empty) |
/// | 32 | 4 | flags (bit 0: events sorted by cell, then time) |
/// | 36 | 4 | CRC-32 of the payload (bytes 64 to the end) |
/// | 40 | 4 | CRC-32 of header bytes 0..<40 |
/// | 44 | 20 | reserved, zero |
///
/// Payload at byte 64: N × UInt16 cell, N × UInt16 ADC, 4 zero bytes when N is odd (so the times
/// are 8-byte aligned), N × Float64 time.
public enum EventBinary {
    public static let magic: [UInt8] = Array("SDDCALEV".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 64

    /// Header flag: events are ordered by (cell, time).
    public static let sortedFlag: UInt32 = 1

    /// The header fields of a binary event file.
    public struct Header: Sendable, Equatable {
        public var eventCount: Int
        public var distinctCells: Int
        public var cellBound: Int
        public var flags: UInt32
        public var payloadCRC: UInt32

        /// Byte offsets of the three columns and the total file size.
        public var adcOffset: Int { headerSize + 2 * eventCount }
        public var timeOffset: Int { headerSize + 4 * eventCount + (eventCount % 2 == 1 ? 4 : 0) }
        public var fileSize: Int { timeOffset + 8 * eventCount }
    }

    /// Exact size of a file holding `n` events.
    public static func fileSize(events n: Int) -> Int {
        Header(eventCount: n, distinctCells: 0, cellBound: 0, flags: 0, payloadCRC: 0).fileSize
    }

    // MARK: Writing

    @discardableResult
    public static func write(_ table: EventTable, to path: String, overwrite: Bool,
                             progress: ProgressObserver? = nil) throws -> Int {
        let n = table.count
        let cells = table.cells
        let header = Header(eventCount: n, distinctCells: cells.count, cellBound: (cells.last ?? -1) + 1,
                            flags: table.isSortedByCellAndTime ? sortedFlag : 0,
                            payloadCRC: payloadCRC(table))
        return try AtomicFile.stream(to: path, overwrite: overwrite) { out in
            try out.write(encode(header))
            try writeColumn(table.cell.map { $0.littleEndian }, out)
            try writeColumn(table.adc.map { $0.littleEndian }, out)
            if n % 2 == 1 { try out.write([UInt8](repeating: 0, count: 4)) }
            progress?.progress(done: n / 3, total: n, unit: "events")
            try writeColumn(table.time.map { $0.bitPattern.littleEndian }, out)
            progress?.progress(done: n, total: n, unit: "events")
        }
    }

    private static func writeColumn<T>(_ column: [T], _ out: AtomicOutputStream) throws {
        try column.withUnsafeBytes { try out.write($0) }
    }

    /// CRC-32 of the payload as it is laid out on disk.
    static func payloadCRC(_ table: EventTable) -> UInt32 {
        var crc = CRC32()
        #if _endian(little)
        table.cell.withUnsafeBytes { crc.update($0) }
        table.adc.withUnsafeBytes { crc.update($0) }
        if table.count % 2 == 1 { crc.update([UInt8](repeating: 0, count: 4)) }
        table.time.withUnsafeBytes { crc.update($0) }
        #else
        crc.update(table.cell.map { $0.littleEndian })
        crc.update(table.adc.map { $0.littleEndian })
        if table.count % 2 == 1 { crc.update([UInt8](repeating: 0, count: 4)) }
        crc.update(table.time.map { $0.bitPattern.littleEndian })
        #endif
        return crc.value
    }

    static func encode(_ h: Header) -> [UInt8] {
        var b = [UInt8]()
        b.reserveCapacity(headerSize)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b.append(contentsOf: $0) } }
        b.append(contentsOf: magic)
        put(version)
        put(UInt32(headerSize))
        put(UInt64(h.eventCount))
        put(UInt32(h.distinctCells))
        put(UInt32(h.cellBound))
        put(h.flags)
        put(h.payloadCRC)
        put(b.withUnsafeBytes { CRC32.checksum($0) })
        b.append(contentsOf: repeatElement(0, count: headerSize - b.count))
        return b
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
        guard v == version else { throw fail(8, "unsupported format version \(v) (this sddcal reads version \(version))") }
        let hs = u32(12)
        guard hs == headerSize else { throw fail(12, "bad header size \(hs) (expected \(headerSize))") }
        let stored = u32(40)
        let computed = b.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<40])) }
        guard stored == computed else {
            throw fail(40, String(format: "header checksum mismatch (stored %08x, computed %08x)", stored, computed))
        }
        let n = u64(16)
        guard n <= UInt64(Int.max - headerSize) / 12 else { throw fail(16, "implausible event count \(n)") }
        return Header(eventCount: Int(n), distinctCells: Int(u32(24)), cellBound: Int(u32(28)),
                      flags: u32(32), payloadCRC: u32(36))
    }

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
                throw SDDError.badBytes(file: path, offset: file.size,
                                        message: "truncated: \(n) events need \(h.fileSize) bytes, file ends at byte \(file.size)")
            }
            if file.size > h.fileSize {
                throw SDDError.badBytes(file: path, offset: h.fileSize,
                                        message: "\(file.size - h.fileSize) unexpected bytes after the last event")
            }
        }

        var crc = CRC32()
        var offset = headerSize
        func readColumn<T>(_ count: Int, _ zero: T) throws -> [T] {
            let col = try [T](unsafeUninitializedCapacity: count) { buf, initialized in
                let raw = UnsafeMutableRawBufferPointer(buf)
                // Checksum each chunk right after reading it, while it is still in cache.
                var r = 0
                while r < raw.count {
                    let chunk = UnsafeMutableRawBufferPointer(rebasing: raw[r..<Swift.min(raw.count, r + (1 << 18))])
                    let got = try file.read(into: chunk)
                    crc.update(UnsafeRawBufferPointer(rebasing: chunk[0..<got]))
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
        var cell: [UInt16] = try readColumn(n, 0)
        var adc: [UInt16] = try readColumn(n, 0)
        progress?.progress(done: n / 3, total: n, unit: "events")
        if n % 2 == 1 { _ = try readColumn(2, UInt16(0)) }
        var time: [Double] = try readColumn(n, 0)
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
        guard crc.value == h.payloadCRC else {
            throw SDDError.badBytes(file: path, offset: 36,
                                    message: String(format: "payload checksum mismatch (stored %08x, computed %08x over bytes %d..<%d): file is corrupt",
                                                    h.payloadCRC, crc.value, headerSize, h.fileSize))
        }

        // The columns cannot hold NaN ADC or cells above 65535, but times and declared cells still need checking.
        var rejected = EventRejections()
        var bad = [Int]()
        for i in 0..<n {
            var reason: EventRejectionReason?
            var message = ""
            var at = 0
            if !time[i].isFinite {
                reason = .nonFiniteTime; message = "time of event \(i) is \(time[i])"; at = h.timeOffset + 8 * i
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
