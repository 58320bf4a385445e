import Foundation
import XCTest
@testable import SDDCore

/// The hostile inputs of issue 16, each reduced to the reader call that used to corrupt memory,
/// allocate terabytes, loop forever or silently shift data. Every one must now give a one-line
/// error naming the file and line/byte/field (or the right result).
final class HostileInputTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(removedAfter: self) }

    func spe(_ range: String, counts: Int) -> String {
        "$SPEC_ID:\nhostile\n$DATA:\n\(range)\n" + String(repeating: "1\n", count: counts)
    }

    // MARK: .Spe channel ranges

    func testSpeHugeRangeIsRefusedNotAllocated() throws {
        for range in ["5 4611686018427387904", "0 9999999999999", "0 9223372036854775807", "-9223372036854775808 9223372036854775807"] {
            let p = try dir.write("huge.Spe", spe(range, counts: 5000))
            let msg = errorLine { _ = try SpectrumFile.read(p) }
            XCTAssertTrue(msg.hasPrefix(p + ":4: "), msg)
            XCTAssertFalse(msg.contains("-9223372036854775808 counts"), msg)
        }
    }

    func testSpeStartingAtChannel999999990IsRefused() throws {
        let p = try dir.write("high.Spe", spe("999999990 999999992", counts: 3))
        let msg = errorLine { _ = try SpectrumFile.read(p) }
        XCTAssertTrue(msg.contains("SDDCAL_MAX_CHANNELS"), msg)
        // Near the top of the limit it reads, and padding it to channel 0 stays bounded.
        let top = InputLimits.current.maxChannels
        let q = try dir.write("top.Spe", spe("\(top - 3) \(top - 1)", counts: 3))
        let r = try SpectrumFile.read(q)
        XCTAssertEqual(r[0].firstChannel, top - 3)
    }

    func testNaNCalibrationsAreRefusedWithTheFieldNamed() throws {
        let mcaCal = try dir.write("nan.Spe", spe("0 2", counts: 3) + "$MCA_CAL:\n2\nnan 1.0 keV\n")
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(mcaCal) }.contains("$MCA_CAL: calibration coefficient 0 is 'nan'"))
        let ener = try dir.write("inf.Spe", spe("0 2", counts: 3) + "$ENER_FIT:\n0 inf\n")
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(ener) }.contains("$ENER_FIT: energy slope is 'inf'"))
        let mca = try dir.write("nan.mca", "<<PMCA SPECTRUM>>\nTAG - x\n<<CALIBRATION>>\nLABEL - keV\n10 nan\n40 5.9\n<<DATA>>\n1\n2\n<<END>>\n")
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(mca) }.contains("<<CALIBRATION>> energy is 'nan'"))
    }

    func testHugeCountsAreRefused() throws {
        let p = try dir.write("big.mca", "<<PMCA SPECTRUM>>\n<<DATA>>\n1e308\n1e308\n<<END>>\n")
        let msg = errorLine { _ = try SpectrumFile.read(p) }
        XCTAssertTrue(msg.hasPrefix(p + ":3: count of channel 0 is 1e308, above 2^53"), msg)
    }

    // MARK: .npy shapes

    func npy(_ header: String, data: [UInt8] = []) -> [UInt8] {
        var h = header
        while (10 + h.utf8.count + 1) % 64 != 0 { h += " " }
        h += "\n"
        return NumpyArray.magic + [1, 0, UInt8(h.utf8.count & 0xFF), UInt8(h.utf8.count >> 8)] + Array(h.utf8) + data
    }

    func testNpyShapesThatOverflowOrExceedTheDataAreRefused() throws {
        let cases = [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }",
            "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 6148914691236517206, 2305843009213693953), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
            "{'descr': '<f8', 'fortran_order': True, 'shape': (0, 4294967296, 4294967296, 4294967296), }",
            "{'descr': '<u1', 'fortran_order': False, 'shape': (9223372036854775807,), }",
        ]
        for h in cases {
            let p = try dir.write("h.npy", bytes: npy(h, data: [UInt8](repeating: 0, count: 64)))
            let msg = errorLine { _ = try SpectrumFile.read(p) }
            XCTAssertTrue(msg.hasPrefix(p + ": byte "), msg)
            XCTAssertFalse(msg.contains("byte -"), msg)
        }
    }

    func testNpyWithTooManyChannelsIsRefused() throws {
        let limit = InputLimits.current.maxChannels
        let p = try dir.write("wide.npy", bytes: npy("{'descr': '|u1', 'fortran_order': False, 'shape': (\(limit + 1),), }",
                                                     data: [UInt8](repeating: 0, count: limit + 1)))
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(p) }.contains("SDDCAL_MAX_CHANNELS"))
    }

    // MARK: text

    func testByteOrderMarkDoesNotDropTheFirstCount() throws {
        for text in ["5\n6\n7\n", "channel,counts\n0,5\n1,6\n2,7\n", "0,5\n1,6\n2,7\n"] {
            let p = try dir.write("bom.txt", bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8))
            let r = try SpectrumFile.read(p)
            XCTAssertEqual(r[0].histogram.counts, [5, 6, 7], text)
            XCTAssertEqual(r[0].firstChannel, 0)
        }
        let spe = try dir.write("bom.Spe", bytes: [0xEF, 0xBB, 0xBF] + Array(spe("0 2", counts: 3).utf8))
        XCTAssertEqual(try SpectrumFile.read(spe)[0].histogram.counts, [1, 1, 1])
        let mca = try dir.write("bom.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("<<PMCA SPECTRUM>>\n<<DATA>>\n4\n<<END>>\n".utf8))
        XCTAssertEqual(try SpectrumFile.read(mca)[0].histogram.counts, [4])
        let csv = try dir.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("sdd,adc,time\n1,2,3\n".utf8))
        XCTAssertEqual(try EventFile.read(csv).count, 1)
    }

    /// Fuzzing crash (FuzzTextSpectrum, crash-e5553f74…): a first line of separators only.
    func testSeparatorOnlyLineIsAnErrorNotAnOutOfBoundsRead() throws {
        let p = try dir.write("crash.txt", bytes: [0x2C, 0x0A, 0x20, 0x08, 0x0A, 0x30, 0x0A, 0x75, 0x0A, 0x0A])
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(p) }, p + ":1: only separators, no count: ','")
        let q = try dir.write("semi.csv", "5\n;;\n6\n")
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(q) }, q + ":2: only separators, no count: ';;'")
    }

    func testEndlessLineIsRefusedAtTheLineLimit() throws {
        let limit = InputLimits.current.maxLineBytes
        let long = [UInt8](repeating: 0x41, count: limit + 10) + Array("\n1\n".utf8)
        let p = try dir.write("long.txt", bytes: long)
        let msg = errorLine { _ = try SpectrumFile.read(p) }
        XCTAssertTrue(msg.hasPrefix(p + ":1: line longer than"), msg)
        XCTAssertLessThan(msg.count, 300)
        let header = Array("sdd,adc,".utf8) + [UInt8](repeating: 0x1B, count: limit + 10) + Array("\n1,2,3\n".utf8)
        let c = try dir.write("long.csv", bytes: header)
        let m2 = errorLine { _ = try EventFile.read(c) }
        XCTAssertTrue(m2.hasPrefix(c + ":1: line longer than"), m2)
        XCTAssertFalse(m2.contains("\u{1B}"), "escape bytes are quoted, not echoed")
        XCTAssertLessThan(m2.count, 300)
    }

    func testDevZeroIsRefusedNotReadForever() throws {
        let m1 = errorLine { _ = try EventFile.read("/dev/zero") }
        XCTAssertTrue(m1.contains("line longer than"), m1)
        XCTAssertFalse(m1.contains("\0"))
        XCTAssertFalse(try EventFile.holdsEvents("/dev/zero"))
        let m2 = errorLine { _ = try SpectrumFile.read("/dev/zero") }
        XCTAssertTrue(m2.contains("line longer than"), m2)
    }

    func testErrorMessagesEscapeControlBytes() throws {
        let p = try dir.write("evil.csv", bytes: Array("sdd,adc,time\n1,\u{1B}]0;pwned\u{07}\r\0x,3\n".utf8))
        let msg = errorLine { _ = try EventFile.read(p) }
        XCTAssertTrue(msg.contains("'\\x1b]0;pwned\\x07\\x0d\\x00x'"), msg)
        let q = try dir.write("evil.txt", bytes: Array("1\n\u{1B}[2J\n".utf8))
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(q) }.contains("\\x1b[2J"))
        XCTAssertEqual(InputQuote.escape(Array(repeating: UInt8(0x41), count: 200)).count, 81)
        XCTAssertEqual(InputQuote.escape([0x5C, 0xFF, 0x20]), "\\\\\\xff ")
    }

    // MARK: event times and batching

    func testFarFutureTimesAreRejectedAndBatchingEnds() throws {
        let p = try dir.write("far.csv", "sdd,adc,time\n0,2000,0\n0,2001,1e22\n")
        XCTAssertEqual(errorLine { _ = try EventFile.read(p) },
                       p + ":3: time '1e22' s is beyond ±1000000000000.0 s (limit SDDCAL_MAX_TIME)")
        let lenient = try EventFile.read(p, options: EventReadOptions(lenient: true))
        XCTAssertEqual(lenient.rejected[.timeOutOfRange], 1)
        XCTAssertEqual(lenient.events.count, 1)
        // Tables built in code still batch in finite time.
        let t = EventTable(cell: [0, 0, 0], adc: [1, 2, 3], time: [0, 1e22, 1e300])
        let b = BatchedEvents(t, spec: .duration(172_800))
        XCTAssertEqual(b.batches.map(\.count).reduce(0, +), 3)

        var table = EventTable()
        table.append(cell: 0, adc: 5, time: 0)
        table.append(cell: 0, adc: 6, time: 1e300)
        let bin = dir.file("far.bin")
        try EventFile.write(table, to: bin, overwrite: false)
        XCTAssertTrue(errorLine { _ = try EventFile.read(bin) }.contains("beyond ±"))
    }

    func testBinaryEventCountAboveTheLimitIsRefused() throws {
        var table = EventTable()
        table.append(cell: 0, adc: 5, time: 0)
        let bin = dir.file("one.bin")
        try EventFile.write(table, to: bin, overwrite: false)
        var b = try fileBytesOf(bin)
        // Claim 10^12 events and fix the header checksum, as a crafted file would.
        withUnsafeBytes(of: UInt64(1_000_000_000_000).littleEndian) { for k in 0..<8 { b[16 + k] = $0[k] } }
        let sum = EventBinary.headerChecksum(Array(b[0..<64]), version: EventBinary.version)
        withUnsafeBytes(of: sum.littleEndian) { for k in 0..<8 { b[48 + k] = $0[k] } }
        let p = try dir.write("claims.bin", bytes: b)
        XCTAssertTrue(errorLine { _ = try EventFile.read(p) }.hasPrefix(p + ": byte 16: event count 1000000000000 is above the limit"))
    }

    func fileBytesOf(_ p: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: p))) }

    // MARK: binary format version 4: the table of block checksums

    /// A version-4 file of `n` events over several checksum blocks, its bytes and its header.
    func blockFile(_ n: Int) throws -> (bytes: [UInt8], header: EventBinary.Header, table: EventTable) {
        let table = sampleEventTable(n)
        let path = dir.file("blocks-\(n).bin")
        try EventFile.write(table, to: path, overwrite: true)
        let b = try fileBytesOf(path)
        return (b, try EventBinary.decodeHeader(Array(b[0..<64]), fileSize: b.count, path: path), table)
    }

    /// Header bytes changed as a crafted file would, with the header checksum made right again.
    func withHeader(_ b: [UInt8], _ change: (inout [UInt8]) -> Void) -> [UInt8] {
        var b = b
        change(&b)
        let sum = EventBinary.headerChecksum(Array(b[0..<64]), version: EventBinary.version)
        withUnsafeBytes(of: sum.littleEndian) { for k in 0..<8 { b[48 + k] = $0[k] } }
        return b
    }

    func put<T: FixedWidthInteger>(_ v: T, at o: Int, in b: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { for k in 0..<MemoryLayout<T>.size { b[o + k] = $0[k] } }
    }

    /// Reads the bytes through a FIFO: the `read(2)` path, which must give the same events and errors
    /// as the memory-mapped one.
    func readThroughPipe(_ bytes: [UInt8], name: String) throws -> EventReadResult {
        let path = dir.file(name)
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        signal(SIGPIPE, SIG_IGN)
        let writer = Thread {
            guard let h = FileHandle(forWritingAtPath: path) else { return }
            try? h.write(contentsOf: Data(bytes))   // a reader that stops early makes this fail (EPIPE): fine
            try? h.close()
        }
        writer.start()
        defer { while writer.isExecuting { usleep(1000) } }
        return try EventBinary.read(path)
    }

    func testVersion4FileHasOneChecksumPerBlockAndReadsBothWays() throws {
        let n = 60_001   // 720 kB of payload: three blocks, the last one short; odd: the padding
        let (b, h, table) = try blockFile(n)
        XCTAssertEqual(h.version, 4)
        XCTAssertEqual(h.blockBytes, EventBinary.checksumBlockBytes)
        XCTAssertEqual(h.blockCount, 3)
        XCTAssertEqual(b.count, h.payloadEnd + 8 * 3)
        XCTAssertEqual(b.count, EventBinary.fileSize(events: n))
        for k in 0..<3 {
            let r = h.blockRange(k)
            let stored = b[(h.payloadEnd + 8 * k)..<(h.payloadEnd + 8 * k + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            XCTAssertEqual(Array(b[r]).withUnsafeBytes { XXHash64.hash($0) }, stored, "block \(k)")
        }
        XCTAssertEqual(h.blockRange(2).upperBound, h.payloadEnd)
        XCTAssertEqual(try EventFile.read(dir.file("blocks-\(n).bin")).events, table)
        XCTAssertEqual(try readThroughPipe(b, name: "good.fifo").events, table)
    }

    func testVersion4CorruptBlockIsNamedByItsByteRangeTheFirstOneFirst() throws {
        let (b, h, _) = try blockFile(60_001)
        let first = h.blockRange(1), second = h.blockRange(2)
        var bad = b
        bad[second.lowerBound + 100] ^= 0x01
        bad[first.lowerBound + 7] ^= 0x80
        let p = try dir.write("corrupt.bin", bytes: bad)
        let expected = "\(p): byte \(first.lowerBound): payload bytes \(first.lowerBound)..<\(first.upperBound) (checksum block 1 of 3) do not match their XXH64"
        // Whichever core hashes which block, the first corrupt block in the file is the one reported.
        for _ in 0..<5 {
            let msg = errorLine { _ = try EventFile.read(p) }
            XCTAssertTrue(msg.hasPrefix(expected), msg)
            XCTAssertTrue(msg.contains("at byte \(h.payloadEnd + 8)"), msg)
            XCTAssertTrue(msg.hasSuffix("file is corrupt"), msg)
        }
        let piped = errorLine { _ = try readThroughPipe(bad, name: "corrupt.fifo") }
        XCTAssertTrue(piped.contains(": byte \(first.lowerBound): payload bytes \(first.lowerBound)..<\(first.upperBound) (checksum block 1 of 3)"), piped)
        // A damaged table entry is found the same way: the block it checks is named.
        var entry = b
        entry[h.payloadEnd + 8 * 2 + 3] ^= 0x10
        let q = try dir.write("entry.bin", bytes: entry)
        XCTAssertTrue(errorLine { _ = try EventFile.read(q) }.hasPrefix("\(q): byte \(second.lowerBound): payload bytes \(second.lowerBound)..<\(second.upperBound) (checksum block 2 of 3)"))
    }

    func testVersion4TruncatedTableAndBadBlockFieldsAreRefused() throws {
        let (b, h, _) = try blockFile(60_001)
        let cut = try dir.write("cut.bin", bytes: Array(b[0..<(b.count - 5)]))
        XCTAssertEqual(errorLine { _ = try EventFile.read(cut) },
                       "\(cut): byte \(b.count - 5): truncated: the block hash table (3 blocks) needs bytes \(h.payloadEnd)..<\(b.count), file ends at byte \(b.count - 5)")
        let noTable = try dir.write("notable.bin", bytes: Array(b[0..<h.payloadEnd]))
        XCTAssertTrue(errorLine { _ = try EventFile.read(noTable) }.hasPrefix("\(noTable): byte \(h.payloadEnd): truncated: the block hash table"))
        XCTAssertTrue(errorLine { _ = try readThroughPipe(Array(b[0..<(b.count - 5)]), name: "cut.fifo") }.contains("truncated"))
        // Block counts that would overflow a size, or simply disagree with the event count.
        for count in [UInt64.max, UInt64(1) << 61, 2, 4, 0] {
            let p = try dir.write("count.bin", bytes: withHeader(b) { put(count, at: 40, in: &$0) })
            XCTAssertEqual(errorLine { _ = try EventFile.read(p) },
                           "\(p): byte 40: checksum block count \(count) does not match 60001 events in blocks of 262144 bytes (expected 3)")
        }
        // Block sizes: zero, not a power of two, too small, too large.
        for size: UInt32 in [0, 262_145, 3 << 16, 2048, 1 << 31] {
            let p = try dir.write("size.bin", bytes: withHeader(b) { put(size, at: 36, in: &$0) })
            XCTAssertEqual(errorLine { _ = try EventFile.read(p) },
                           "\(p): byte 36: bad checksum block size \(size) (expected a power of two from 4096 to 1073741824 bytes)")
        }
        // Another block size with the matching count and table still reads: the reader follows the header.
        let t = sampleEventTable(60_001)
        var small = withHeader(Array(b[0..<h.payloadEnd])) { put(UInt32(4096), at: 36, in: &$0); put(UInt64(176), at: 40, in: &$0) }
        for k in 0..<176 {
            let lo = 64 + 4096 * k, hi = Swift.min(lo + 4096, h.payloadEnd)
            let sum = Array(b[lo..<hi]).withUnsafeBytes { XXHash64.hash($0) }
            withUnsafeBytes(of: sum.littleEndian) { small.append(contentsOf: $0) }
        }
        XCTAssertEqual(try EventFile.read(try dir.write("small.bin", bytes: small)), t)
    }

    func testVersion3FilesStillReadWithTheirWholePayloadChecksum() throws {
        let table = sampleEventTable(60_001)
        let path = dir.file("v3.bin")
        _ = try EventBinary.write(table, to: path, overwrite: false, version: 3, generation: 7, progress: nil)
        let b = try fileBytesOf(path)
        let h = try EventBinary.decodeHeader(Array(b[0..<64]), fileSize: b.count, path: path)
        XCTAssertEqual(h.version, 3)
        XCTAssertEqual(h.blockCount, 0)
        XCTAssertEqual(b.count, h.payloadEnd)
        XCTAssertEqual(Array(b[64...]).withUnsafeBytes { XXHash64.hash($0) }, h.payloadChecksum)
        XCTAssertEqual(try EventFile.read(path), table)
        XCTAssertEqual(try readThroughPipe(b, name: "v3.fifo").events, table)
        var bad = b
        bad[b.count - 1] ^= 0x40
        let p = try dir.write("v3bad.bin", bytes: bad)
        XCTAssertTrue(errorLine { _ = try EventFile.read(p) }.hasPrefix("\(p): byte 40: payload checksum mismatch"))
        // The shipped sample (version 2) reads unchanged.
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sample/events.bin").path
        XCTAssertEqual(try EventFile.read(sample).count, 665_194)
    }

    func testCheckedSizes() {
        XCTAssertNil(CheckedSize.product([3, 6148914691236517206, 2305843009213693953]))
        XCTAssertEqual(CheckedSize.product([0, Int.max, Int.max]), 0, "a zero dimension holds no element")
        XCTAssertEqual(CheckedSize.product([4, 5]), 20)
        XCTAssertNil(CheckedSize.channelCount(first: 0, last: Int.max))
        XCTAssertEqual(CheckedSize.channelCount(first: 5, last: 9), 5)
        XCTAssertNil(CheckedSize.binCount(span: 1500, width: 1e-9, limit: 1 << 20))
        XCTAssertNil(CheckedSize.binCount(span: .infinity, width: 1, limit: 1 << 20))
        XCTAssertEqual(CheckedSize.binCount(span: 1500, width: 5, limit: 1 << 20), 300)
        XCTAssertEqual(InputLimits.fromEnvironment(["SDDCAL_MAX_CHANNELS": "4096"]).maxChannels, 4096)
        XCTAssertEqual(InputLimits.fromEnvironment(["SDDCAL_MAX_CHANNELS": "-1"]).maxChannels, 1 << 20)
    }
}
