import Foundation
import XCTest
@testable import SDDCore

final class EventFileTests: XCTestCase {
    func sampleTable(_ n: Int) -> EventTable { sampleEventTable(n) }

    func testCSVBinaryCSVRoundTripIsExact() throws {
        let dir = try TemporaryDirectory()
        let table = sampleTable(1001)   // odd: exercises the alignment padding of the binary file
        try EventFile.write(table, to: dir.file("a.csv"), overwrite: false)
        let fromCSV = try EventFile.read(dir.file("a.csv"))
        XCTAssertEqual(fromCSV, table)
        try EventFile.write(fromCSV, to: dir.file("b.bin"), overwrite: false)
        XCTAssertEqual(fileBytes(dir.file("b.bin")).count, EventBinary.fileSize(events: 1001))
        let fromBin = try EventFile.read(dir.file("b.bin"))
        XCTAssertEqual(fromBin, table)
        try EventFile.write(fromBin, to: dir.file("c.csv"), overwrite: false)
        XCTAssertEqual(fileBytes(dir.file("a.csv")), fileBytes(dir.file("c.csv")))
    }

    func testEmptyAndEvenTablesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        for n in [0, 1, 2] {
            let table = sampleTable(n)
            try EventFile.write(table, to: dir.file("e\(n).bin"), overwrite: false)
            try EventFile.write(table, to: dir.file("e\(n).csv"), overwrite: false)
            XCTAssertEqual(try EventFile.read(dir.file("e\(n).bin")), table)
            XCTAssertEqual(try EventFile.read(dir.file("e\(n).csv")), table)
        }
    }

    /// The one events-or-histograms decision of every command: the name where it is unambiguous, the
    /// first bytes otherwise.
    func testHoldsEventsDecidesByNameThenContent() throws {
        let dir = try TemporaryDirectory()
        let table = sampleTable(3)
        try EventFile.write(table, to: dir.file("ev.bin"), overwrite: false)
        try EventFile.write(table, to: dir.file("ev.csv"), overwrite: false)
        let header = "# sddcal generation 7\nsdd,adc,time\n0,2000,0.5\n"
        XCTAssertTrue(try EventFile.holdsEvents(dir.file("ev.bin")))
        XCTAssertTrue(try EventFile.holdsEvents(dir.file("ev.csv")))
        XCTAssertTrue(try EventFile.holdsEvents(try dir.write("commented.csv", header)))
        XCTAssertTrue(try EventFile.holdsEvents(try dir.write("events", header)))
        XCTAssertTrue(try EventFile.holdsEvents(try dir.write("binary", bytes: fileBytes(dir.file("ev.bin")))))
        XCTAssertFalse(try EventFile.holdsEvents(try dir.write("columns.csv", "cell0,cell1\n1,2\n3,4\n")))
        XCTAssertFalse(try EventFile.holdsEvents(try dir.write("counts", "1\n2\n3\n")))
        XCTAssertFalse(try EventFile.holdsEvents(try dir.write("spectrum.txt", header)))   // .txt is a spectrum by name
        try FileManager.default.createDirectory(atPath: dir.file("folder"), withIntermediateDirectories: false)
        XCTAssertFalse(try EventFile.holdsEvents(dir.file("folder")))
    }

    func testBinaryHeaderDescribesCells() throws {
        let dir = try TemporaryDirectory()
        let table = EventTable(cell: [3, 3, 7], adc: [10, 20, 30], time: [0, 1, 0.5])
        try EventFile.write(table, to: dir.file("h.bin"), overwrite: false)
        let b = fileBytes(dir.file("h.bin"))
        let h = try EventBinary.decodeHeader(Array(b[0..<64]), fileSize: b.count, path: "h.bin")
        XCTAssertEqual(h.version, EventBinary.version)
        XCTAssertEqual(h.eventCount, 3)
        XCTAssertEqual(h.distinctCells, 2)
        XCTAssertEqual(h.cellBound, 8)
        XCTAssertEqual(h.flags, EventBinary.sortedFlag)
        // One checksum block: its XXH64 is the one entry of the table after the payload.
        XCTAssertEqual(h.blockCount, 1)
        XCTAssertEqual(b.count, h.payloadEnd + 8)
        XCTAssertEqual(Array(b[64..<h.payloadEnd]).withUnsafeBytes { XXHash64.hash($0) },
                       b[h.payloadEnd...].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    func testVersion1FilesWithCRC32StillRead() throws {
        let dir = try TemporaryDirectory()
        let table = sampleTable(7)
        let path = dir.file("v1.bin")
        _ = try EventBinary.write(table, to: path, overwrite: false, version: 1, progress: nil)
        let b = fileBytes(path)
        let h = try EventBinary.decodeHeader(Array(b[0..<64]), fileSize: b.count, path: path)
        XCTAssertEqual(h.version, 1)
        // Independent check of the checksum with a bitwise CRC-32 (zlib's crc32 of "123456789" is cbf43926).
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { CRC32.checksum($0) }, 0xCBF4_3926)
        XCTAssertEqual(UInt64(bitwiseCRC32(Array(b[64...]))), h.payloadChecksum)
        XCTAssertEqual(bitwiseCRC32(Array(b[0..<40])), UInt32(b[40]) | UInt32(b[41]) << 8 | UInt32(b[42]) << 16 | UInt32(b[43]) << 24)
        XCTAssertEqual(try EventFile.read(path), table)
        var pc = b; pc[b.count - 1] ^= 0x40
        let bad = try dir.write("v1bad.bin", bytes: pc)
        XCTAssertTrue(errorLine { _ = try EventFile.read(bad) }.hasPrefix("\(bad): byte 36: payload checksum mismatch"))
    }

    func testXXHash64ReferenceValuesAndStreaming() {
        // Reference values from the xxhash Python package (xxhash.xxh64(data).intdigest()).
        let long = Array((0..<3).flatMap { _ in (0..<256).map { UInt8($0) } }) + Array("xyz".utf8)
        let cases: [([UInt8], UInt64)] = [
            ([], 0xEF46_DB37_51D8_E999), (Array("a".utf8), 0xD24E_C4F1_A98C_6E5B), (Array("abc".utf8), 0x44BC_2CF5_AD77_0999),
            (Array("0123456789abcdef0123456789abcdef".utf8), 0x642A_9495_8E71_E6C5), (long, 0xE921_A1B4_5BD7_79F8),
        ]
        for (data, expected) in cases {
            XCTAssertEqual(data.withUnsafeBytes { XXHash64.hash($0) }, expected, "\(data.count) bytes")
            // Fed in uneven pieces, the running hash is the same.
            for piece in [1, 3, 7, 31, 33, 100, 1000] {
                var x = XXHash64()
                var i = 0
                while i < data.count {
                    let j = Swift.min(data.count, i + piece)
                    data[i..<j].withUnsafeBytes { x.update($0) }
                    i = j
                }
                XCTAssertEqual(x.value, expected, "\(data.count) bytes in pieces of \(piece)")
                // Hashing while copying: the same hash, and the bytes copied.
                var y = XXHash64()
                var copy = [UInt8](repeating: 0, count: data.count)
                i = 0
                while i < data.count {
                    let j = Swift.min(data.count, i + piece)
                    data[i..<j].withUnsafeBytes { src in copy.withUnsafeMutableBytes { y.updateCopying(src, to: $0.baseAddress! + i) } }
                    i = j
                }
                XCTAssertEqual(y.value, expected, "\(data.count) bytes copied in pieces of \(piece)")
                XCTAssertEqual(copy, data)
            }
        }
    }

    func testCSVFixtureWithReorderedAndExtraColumns() throws {
        let r = try EventFile.read(fixture("events/reordered-extra-columns.csv"), options: .strict)
        XCTAssertEqual(r.format, .csv)
        XCTAssertEqual(r.rowsRead, 5)
        XCTAssertTrue(r.rejected.isEmpty)
        XCTAssertEqual(r.events.cell, [0, 3, 31, 12, 4])
        XCTAssertEqual(r.events.adc, [1750, 2301, 0, 65535, 1800])
        XCTAssertEqual(r.events.time, [0.5, 1.25, 1e-05, 86400.123456789, 2.5])
    }

    /// Each bad-row rule: strict reading stops with `file:line: message`; lenient reading counts it.
    func testEveryBadRowRuleStrictAndLenient() throws {
        let dir = try TemporaryDirectory()
        let cases: [(row: String, reason: EventRejectionReason, message: String)] = [
            ("1,1750", .missingField, "expected at least 3 fields, found 2"),
            ("x,1750,0.5", .notANumber, "sdd 'x' is not a number"),
            ("1,abc,0.5", .notANumber, "adc 'abc' is not a number"),
            ("1,,0.5", .notANumber, "adc (empty) is not a number"),
            ("1,1750,12:00", .notANumber, "time '12:00' is not a number"),
            ("1,nan,0.5", .nanADC, "adc is 'nan'"),
            ("1,-3,0.5", .negativeADC, "adc '-3' is negative"),
            ("1,65536,0.5", .adcOutOfRange, "adc '65536' exceeds 65535"),
            ("1,1750.5,0.5", .nonIntegerADC, "adc '1750.5' is not an integer"),
            ("-1,1750,0.5", .invalidCell, "sdd '-1' is not a cell number (an integer 0...65535)"),
            ("2.5,1750,0.5", .invalidCell, "sdd '2.5' is not a cell number (an integer 0...65535)"),
            ("70000,1750,0.5", .invalidCell, "sdd '70000' is not a cell number (an integer 0...65535)"),
            ("40,1750,0.5", .unknownCell, "sdd 40 is not a known cell (0...31)"),
            ("1,1750,inf", .nonFiniteTime, "time is 'inf'"),
            ("1,1750,NaN", .nonFiniteTime, "time is 'NaN'"),
        ]
        let options = EventReadOptions(lenient: false, knownCells: 0...31)
        for (k, c) in cases.enumerated() {
            let path = try dir.write("bad\(k).csv", "sdd,adc,time\n0,1000,0.25\n\n\(c.row)\n2,1001,0.75\n")
            let before = fileBytes(path)
            XCTAssertEqual(errorLine { _ = try EventFile.read(path, options: options) }, "\(path):4: \(c.message)", c.row)
            var lenient = options
            lenient.lenient = true
            let r = try EventFile.read(path, options: lenient)
            XCTAssertEqual(r.events.count, 2, c.row)
            XCTAssertEqual(r.rowsRead, 3, c.row)
            XCTAssertEqual(r.rejected.counts, [c.reason: 1], c.row)
            XCTAssertEqual(r.rejected.firstMessage[c.reason], "\(path):4: \(c.message)")
            XCTAssertEqual(fileBytes(path), before, "input must not be modified")
        }
    }

    func testLenientCountsSeveralReasons() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("mixed.csv", "sdd,adc,time\n0,-1,0\n0,-2,1\n0,5,nan\n0,6,2\n1,7.5,3\n")
        let r = try EventFile.read(path, options: EventReadOptions(lenient: true))
        XCTAssertEqual(r.events, EventTable(cell: [0], adc: [6], time: [2]))
        XCTAssertEqual(r.rejected.counts, [.negativeADC: 2, .nonFiniteTime: 1, .nonIntegerADC: 1])
        XCTAssertEqual(r.rejected.total, 4)
        XCTAssertEqual(r.rejected.firstMessage[.negativeADC], "\(path):2: adc '-1' is negative")
    }

    func testHeaderErrors() throws {
        let dir = try TemporaryDirectory()
        let noTime = try dir.write("h1.csv", "sdd,adc,energy\n1,2,3\n")
        XCTAssertEqual(errorLine { _ = try EventFile.read(noTime) },
                       "\(noTime):1: header has no 'time' column (expected sdd,adc,time; found sdd,adc,energy)")
        let twice = try dir.write("h2.csv", "# comment\nsdd,adc,adc,time\n")
        XCTAssertEqual(errorLine { _ = try EventFile.read(twice) },
                       "\(twice):2: header has more than one 'adc' column (expected sdd,adc,time; found sdd,adc,adc,time)")
        let empty = try dir.write("h3.csv", "")
        XCTAssertEqual(errorLine { _ = try EventFile.read(empty) },
                       "\(empty): empty file: expected a header line naming sdd, adc and time")
        XCTAssertEqual(errorLine { _ = try EventFile.read(dir.file("missing.csv")) },
                       "\(dir.file("missing.csv")): cannot open: No such file or directory")
    }

    func testLineLongerThanReadBufferAndNoFinalNewline() throws {
        let dir = try TemporaryDirectory()
        let long = String(repeating: "x", count: 5 << 20)
        let path = try dir.write("long.csv", "sdd,adc,time,note\n1,2,3,\(long)\n4,5,6.5,y")
        let t = try EventFile.read(path)
        XCTAssertEqual(t, EventTable(cell: [1, 4], adc: [2, 5], time: [3, 6.5]))
    }

    func testLinesAcrossReadChunksAndProgress() throws {
        let dir = try TemporaryDirectory()
        let table = sampleTable(300)
        let path = dir.file("chunks.csv")
        try EventFile.write(table, to: path, overwrite: false)
        let size = fileBytes(path).count
        let bom = try dir.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("sdd,adc,time\n1,2,3\n".utf8))
        for chunk in [1, 2, 4096] {
            XCTAssertEqual(try EventCSV.read(bom, options: .strict, progress: nil, chunkBytes: chunk).events,
                           EventTable(cell: [1], adc: [2], time: [3]))
        }
        for chunk in [1, 7, 64, 4096] {
            let recorder = ProgressRecorder()
            let r = try EventCSV.read(path, options: .strict, progress: recorder, chunkBytes: chunk)
            XCTAssertEqual(r.events, table, "chunk \(chunk)")
            XCTAssertEqual(r.bytesRead, size)
            XCTAssertEqual(recorder.calls.last?.done, size)
            XCTAssertEqual(recorder.calls.map(\.done), recorder.calls.map(\.done).sorted(), "progress never goes back")
            XCTAssertTrue(recorder.calls.allSatisfy { $0.total == size && $0.unit == "bytes" })
        }
        let recorder = ProgressRecorder()
        try EventFile.write(table, to: dir.file("p.bin"), overwrite: false)
        _ = try EventFile.read(dir.file("p.bin"), options: .strict, progress: recorder)
        XCTAssertEqual(recorder.calls.last?.done, 300)
        XCTAssertEqual(recorder.calls.last?.total, 300)
    }

    // MARK: Binary damage

    func writeBinary(_ dir: TemporaryDirectory, _ n: Int = 5) throws -> (String, [UInt8]) {
        let path = dir.file("ok.bin")
        try EventFile.write(sampleTable(n), to: path, overwrite: false)
        return (path, fileBytes(path))
    }

    func testBinaryTruncated() throws {
        let dir = try TemporaryDirectory()
        let (_, b) = try writeBinary(dir)
        let cut = try dir.write("cut.bin", bytes: Array(b[0..<(b.count - 12)]))
        XCTAssertEqual(errorLine { _ = try EventFile.read(cut) },
                       "\(cut): byte \(b.count - 12): truncated: 5 events need \(b.count) bytes, file ends at byte \(b.count - 12)")
        let table = try dir.write("table.bin", bytes: Array(b[0..<(b.count - 3)]))
        XCTAssertEqual(errorLine { _ = try EventFile.read(table) },
                       "\(table): byte \(b.count - 3): truncated: the block hash table (1 blocks) needs bytes \(b.count - 8)..<\(b.count), file ends at byte \(b.count - 3)")
        let head = try dir.write("head.bin", bytes: Array(b[0..<20]))
        XCTAssertEqual(errorLine { _ = try EventFile.read(head) },
                       "\(head): byte 20: truncated: file ends inside the 64-byte header")
        let long = try dir.write("long.bin", bytes: b + [0, 0])
        XCTAssertEqual(errorLine { _ = try EventFile.read(long) },
                       "\(long): byte \(b.count): 2 unexpected bytes after the last event")
    }

    func testBinaryBadMagicVersionAndChecksums() throws {
        let dir = try TemporaryDirectory()
        let (_, b) = try writeBinary(dir)
        var m = b; m[2] = UInt8(ascii: "X")
        let magic = try dir.write("magic.bin", bytes: m)
        XCTAssertEqual(errorLine { _ = try EventFile.read(magic) },
                       "\(magic): byte 0: bad magic: not an sddcal binary event file (expected 'SDDCALEV')")
        // A CSV given a .bin name is reported as a bad magic, not parsed as text.
        let text = try dir.write("text.bin", "sdd,adc,time\n")
        XCTAssertTrue(errorLine { _ = try EventFile.read(text) }.hasPrefix("\(text): byte 0: bad magic"))

        var v = b; v[8] = 9
        let version = try dir.write("version.bin", bytes: v)
        XCTAssertEqual(errorLine { _ = try EventFile.read(version) },
                       "\(version): byte 8: unsupported format version 9 (this sddcal reads versions 1–4)")

        var hc = b; hc[17] ^= 1
        let header = try dir.write("header.bin", bytes: hc)
        XCTAssertTrue(errorLine { _ = try EventFile.read(header) }.hasPrefix("\(header): byte 48: header checksum mismatch"))

        var pc = b; pc[b.count - 9] ^= 0x40   // the last payload byte (the block table is the last 8)
        let payload = try dir.write("payload.bin", bytes: pc)
        XCTAssertTrue(errorLine { _ = try EventFile.read(payload) }.hasPrefix("\(payload): byte 64: payload bytes 64..<\(b.count - 8) (checksum block 0 of 1) do not match"))
        XCTAssertEqual(fileBytes(payload), pc, "input must not be modified")
    }

    func testBinaryRowRulesStrictAndLenient() throws {
        let dir = try TemporaryDirectory()
        let table = EventTable(cell: [0, 40, 2, 3], adc: [1, 2, 3, 4], time: [0, 1, .nan, 3])
        let path = dir.file("rows.bin")
        try EventFile.write(table, to: path, overwrite: false)
        let options = EventReadOptions(lenient: false, knownCells: 0...31)
        XCTAssertEqual(errorLine { _ = try EventFile.read(path, options: options) },
                       "\(path): byte 66: cell 40 of event 1 is not a known cell (0...31)")
        XCTAssertEqual(errorLine { _ = try EventFile.read(path) },
                       "\(path): byte \(64 + 16 + 16): time of event 2 is nan")
        let r = try EventFile.read(path, options: EventReadOptions(lenient: true, knownCells: 0...31))
        XCTAssertEqual(r.events, EventTable(cell: [0, 3], adc: [1, 4], time: [0, 3]))
        XCTAssertEqual(r.rejected.counts, [.unknownCell: 1, .nonFiniteTime: 1])
    }

    // MARK: Outputs

    func testExistingOutputIsNotOverwrittenWithoutForce() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("out.csv", "keep me\n")
        let table = sampleTable(3)
        XCTAssertEqual(errorLine { try EventFile.write(table, to: path, overwrite: false) },
                       "\(path): exists; pass --force to overwrite")
        XCTAssertEqual(String(decoding: fileBytes(path), as: UTF8.self), "keep me\n")
        try EventFile.write(table, to: path, overwrite: true)
        XCTAssertEqual(try EventFile.read(path), table)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.csv"], "no temporary files left")
        XCTAssertEqual(errorLine { try EventFile.write(table, to: dir.file("out.txt"), overwrite: false) },
                       "\(dir.file("out.txt")): unknown event file extension; use .csv or .bin")
    }

    // MARK: Number parsing

    func testDecimalParserMatchesStandardLibrary() {
        var rng = SplitMix(seed: 7)
        var texts = ["0", "-0", "+1", "1.", ".5", "1e3", "1E-3", "123456789012345678901234", "0.1", "9007199254740993",
                     "4.9e-324", "1.7976931348623157e308", "1e309", "2.5e-330", "0.000000000000000000000000123"]
        for _ in 0..<3000 {
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
            texts.append(d.description)
            texts.append(String(Double(rng.next() % 100_000_000) / 1000))
            texts.append(String(format: "%.17g", Double(rng.next() >> 11) / 1e9))
        }
        // Long mantissas (16–19 digits) with every exponent the 128-bit path covers.
        for _ in 0..<20000 {
            let digits = 16 + Int(rng.next() % 4)
            var m = String(1 + rng.next() % 9)
            for _ in 1..<digits { m += String(rng.next() % 10) }
            let e = Int(rng.next() % 45) - 22
            texts.append(m + "e" + String(e))
            let point = Int(rng.next() % UInt64(digits))
            texts.append(String(m.prefix(point)) + "." + String(m.dropFirst(point)))
        }
        // Runs of eight digits broken at every position (the eight-at-a-time path must fall back).
        for k in 0..<9 {
            var t = Array("1234567890123456789012".utf8)
            if k < 8 { t.insert(UInt8(ascii: "."), at: 3 + k) }
            texts.append(String(decoding: t, as: UTF8.self))
            texts.append("0." + String(repeating: "0", count: k) + "12345678901234567")
            texts.append("98765432" + String(repeating: "9", count: k) + ".5")
        }
        // Random 64-bit mantissas (the numerator's low word is then not zero) with every negative exponent.
        for e in 1...22 {
            for _ in 0..<200 { texts.append("\((rng.next() | 1 << 63) % 10_000_000_000_000_000_000)e-\(e)") }
        }
        // Mantissas of 64 bits (≥ 2⁶³) with negative exponents, odd and even.
        for e in 1...22 {
            texts += ["9223372036854775809e-\(e)", "9999999999999999999e-\(e)", "9223372036854775808e-\(e)",
                      "9876543210987654321e-\(e)"]
        }
        texts += ["9007199254740993", "9007199254740995", "18446744073709551615", "1844674407370955161.5",
                  "9999999999999999999e22", "1000000000000000001e-22", "4503599627370497.5", "123456.78901234567"]
        for s in texts {
            let bytes = Array(s.utf8)
            let v = bytes.withUnsafeBufferPointer { DecimalParser.parse($0.baseAddress!, $0.count) }
            XCTAssertEqual(v?.bitPattern, Double(s)?.bitPattern, s)
        }
        for bad in ["", "-", "1e", "1e+", "1.2.3", "0x10", "1,5", "12abc", "--1", "e5", ".",
                    "1234567/", "12345678:", "1234567a9", "1.2345678/", "123456789012345678901234 ", "9999999999999999999999x"] {
            let bytes = Array(bad.utf8)
            XCTAssertNil(bytes.withUnsafeBufferPointer { b in b.baseAddress.flatMap { DecimalParser.parse($0, b.count) } }, bad)
        }
    }
}

/// A tiny deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bit-at-a-time CRC-32, an independent reference for the table-driven one.
func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
    }
    return ~c
}

final class EventBinaryCrossCheckTests: XCTestCase {
    /// The binary file as read by an independent NumPy/zlib reader (scripts/check_binary_events.py).
    func testBinaryFileMatchesIndependentReader() throws {
        let dir = try TemporaryDirectory()
        let table = sampleEventTable(30_001)   // two checksum blocks
        try EventFile.write(table, to: dir.file("x.csv"), overwrite: false)
        try EventFile.write(table, to: dir.file("x.bin"), overwrite: false)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/check_binary_events.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy"]
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("python3 with numpy not available") }
        let q = Process()
        q.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        q.arguments = ["python3", script, dir.file("x.bin"), dir.file("x.csv")]
        let out = Pipe(), err = Pipe()
        q.standardOutput = out
        q.standardError = err
        try q.run(); q.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(q.terminationStatus, 0, errText)
        XCTAssertEqual(text, "30001\n")
    }
}

/// A deterministic table with awkward times (many significant digits, exponents, zero).
func sampleEventTable(_ n: Int) -> EventTable {
    var rng = SplitMix(seed: 42)
    var t = EventTable()
    for i in 0..<n {
        let time: Double
        switch i % 5 {
        case 0: time = Double(rng.next() % 1_000_000) / 1000
        case 1: time = Double(rng.next() >> 11) / Double(1 << 53) * 2.6e6
        case 2: time = 1e-5 * Double(i)
        case 3: time = Double(i)
        default: time = Double(bitPattern: 0x41E0_0000_0000_0000 | (rng.next() >> 20))
        }
        t.append(cell: UInt16(rng.next() % 32), adc: UInt16(truncatingIfNeeded: rng.next()), time: time)
    }
    return t
}

/// Records progress reports.
final class ProgressRecorder: ProgressObserver, @unchecked Sendable {
    var calls: [(done: Int, total: Int, unit: String)] = []
    func progress(done: Int, total: Int, unit: String) { calls.append((done, total, unit)) }
}
