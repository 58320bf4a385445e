import Foundation
import XCTest
@testable import SDDCore

/// The parallel readers give exactly the one-core readers' answers: the CSV reader on every cut of
/// blocks and pieces (comments, blank lines, CRLF, a last line without newline), and falls back to
/// the one-core reader on any bad row; the memory-mapped binary reader over several copy blocks.
final class ParallelEventReadTests: XCTestCase {
    /// `table` as CSV with what cuts must survive: comments and a blank line before the header and
    /// between rows, CRLF and LF endings mixed; the last row ends in "\r\n".
    private func awkwardCSV(_ table: EventTable) -> String {
        var text = "# a comment before the header\r\n\nsdd,adc,time\r\n"
        for i in 0..<table.count {
            if i % 500 == 7 { text += "# comment\n\n" }
            text += "\(table.cell[i]),\(table.adc[i]),\(table.time[i])" + (i % 3 == 0 ? "\r\n" : "\n")
        }
        return text
    }

    func testParallelCSVMatchesOneCoreReaderOnEveryBlockSize() throws {
        let dir = try TemporaryDirectory()
        let table = sampleEventTable(3001)
        var text = awkwardCSV(table)
        text.removeLast()   // the last line ends without a newline
        let path = try dir.write("p.csv", text)
        let oneCore = try EventCSV.read(path, options: .strict, progress: nil, chunkBytes: 1 << 22)
        XCTAssertEqual(oneCore.events, table)
        for block in [96, 1000, 4099, 1 << 20] {
            let recorder = ProgressRecorder()
            guard let r = try EventCSV.readParallel(path, options: .strict, progress: recorder, blockBytes: block, minimumBytes: 0) else {
                return XCTFail("block \(block): no parallel read")
            }
            XCTAssertEqual(r.events, table, "block \(block)")
            XCTAssertEqual(r.rowsRead, oneCore.rowsRead)
            XCTAssertEqual(r.bytesRead, oneCore.bytesRead)
            XCTAssertEqual(recorder.calls.last?.done, oneCore.bytesRead)
        }
    }

    func testParallelCSVFallsBackOnBadRowsAndLongLines() throws {
        let dir = try TemporaryDirectory()
        var text = "sdd,adc,time\n"
        for i in 0..<2000 { text += i == 1500 ? "1,x,2\n" : "1,\(i % 4000),\(Double(i) * 0.5)\n" }
        let path = try dir.write("bad.csv", text)
        XCTAssertNil(try EventCSV.readParallel(path, options: .strict, progress: nil, blockBytes: 4096, minimumBytes: 0))
        var lenient = EventReadOptions.strict
        lenient.lenient = true
        XCTAssertNil(try EventCSV.readParallel(path, options: lenient, progress: nil, blockBytes: 4096, minimumBytes: 0))
        // The public reader then gives the one-core reader's error, with its line number.
        XCTAssertTrue(errorLine { _ = try EventCSV.read(path) }.contains("bad.csv:1502:"), errorLine { _ = try EventCSV.read(path) })
        let long = try dir.write("long.csv", "sdd,adc,time\n1,2," + String(repeating: "1", count: 300) + "\n1,2,3\n")
        XCTAssertNil(try EventCSV.readParallel(long, options: .strict, progress: nil, blockBytes: 128, minimumBytes: 0))
    }

    func testMappedBinaryReadOverSeveralBlocksAndItsChecks() throws {
        let dir = try TemporaryDirectory()
        let n = 150_001   // 1.8 MB of payload: seven checksum blocks, the last one short; odd: the padding
        let table = sampleEventTable(n)
        let path = dir.file("m.bin")
        try EventFile.write(table, to: path, overwrite: false)
        XCTAssertEqual(try EventFile.read(path), table)
        // The map itself, so that a map that fails (and the read(2) fallback answering instead) shows:
        // the columns, the payload checksum and the block checks straight from it.
        let bytes = fileBytes(path)
        let h = try EventBinary.decodeHeader(Array(bytes[0..<EventBinary.headerSize]), fileSize: bytes.count, path: path)
        let f = try FileInput(path)
        defer { f.close() }
        let mapped = try XCTUnwrap(EventBinary.MappedPayload.read(fd: f.fd, header: h, maxTime: .infinity, knownCells: 0...31))
        XCTAssertEqual(EventTable(cell: mapped.cell, adc: mapped.adc, time: mapped.time), table)
        XCTAssertEqual(h.blockCount, 7)
        XCTAssertEqual(mapped.blockHashes.count, 7)
        XCTAssertEqual(mapped.blockHashes, mapped.storedBlockHashes)
        for k in [0, 6] {
            XCTAssertEqual(Array(bytes[h.blockRange(k)]).withUnsafeBytes { XXHash64.hash($0) }, mapped.blockHashes[k])
        }
        XCTAssertTrue(mapped.clean)
        XCTAssertFalse(try XCTUnwrap(EventBinary.MappedPayload.read(fd: f.fd, header: h, maxTime: .infinity, knownCells: 0...30)).clean)
        // On the calling thread alone and in the two-thread pipeline: the same columns, hashes and checks.
        for allCores in [false, true] {
            let m = try XCTUnwrap(EventBinary.MappedPayload.read(fd: f.fd, header: h, maxTime: .infinity, knownCells: 0...31, allCores: allCores))
            XCTAssertEqual(EventTable(cell: m.cell, adc: m.adc, time: m.time), table)
            XCTAssertEqual(m.blockHashes, mapped.blockHashes)
            XCTAssertTrue(m.clean)
            XCTAssertFalse(try XCTUnwrap(EventBinary.MappedPayload.read(fd: f.fd, header: h, maxTime: 1e5, knownCells: nil, allCores: allCores)).clean)
        }
        var known = EventReadOptions.strict
        known.knownCells = 0...31
        XCTAssertEqual(try EventFile.read(path, options: known, progress: nil).events, table)
        known.knownCells = 0...30
        XCTAssertThrowsError(try EventFile.read(path, options: known, progress: nil))
        known.lenient = true
        let r = try EventFile.read(path, options: known, progress: nil)
        XCTAssertEqual(r.events.count, table.cell.filter { $0 <= 30 }.count)
        XCTAssertEqual(r.rejected.total, table.cell.filter { $0 == 31 }.count)
    }

    /// Rows of a `sdd,adc,time` file take the one-pass `simpleRow` path; the same rows with the columns
    /// in another order take the general one. Both must give the same events, and near misses of the
    /// simple form (blanks, quotes, signs, CR, extra fields, leading zeros, six digits) must be read,
    /// or refused at the same line, exactly as the general path does.
    func testSimpleRowsMatchTheGeneralParser() throws {
        let dir = try TemporaryDirectory()
        let rows: [(String, String, String)] = [
            ("1", "2", "3"), ("0", "0", "0"), ("65535", "65535", "1234567.123456789"), ("00007", "00042", "1e3"),
            ("000007", "000042", "0.5"), (" 3", "4 ", " 5.25 "), ("\"6\"", "7", "8"), ("9", "10", "+11.5"),
            ("12", "13", "-0.0"), ("14", "15", "2.5E-3"), ("16", "17", "18\r"), ("19", "20", "21,extra"),
            ("31", "7300", "2591999.9999999995"),
        ]
        var plain = "sdd,adc,time\n", swapped = "time,adc,sdd,pad\n"
        for (c, a, t) in rows {
            plain += "\(c),\(a),\(t)\n"
            // Swapped columns: the time's own extra field has to stay at the end of the row.
            let parts = t.split(separator: ",", maxSplits: 1).map(String.init)
            swapped += "\(parts[0]),\(a),\(c),\(parts.count > 1 ? parts[1] : "x")\n"
        }
        let fast = try EventCSV.read(try dir.write("plain.csv", plain), options: .strict, progress: nil, chunkBytes: 1 << 20)
        let general = try EventCSV.read(try dir.write("swapped.csv", swapped), options: .strict, progress: nil, chunkBytes: 1 << 20)
        XCTAssertEqual(fast.events, general.events)
        XCTAssertEqual(fast.events.count, rows.count)
        XCTAssertEqual(fast.events.time[2], 1234567.123456789)
        XCTAssertEqual(fast.events.cell[3], 7)
        XCTAssertEqual(fast.events.time[11], 21)
        // Refusals: each at its line, with the general path's message.
        for (row, expected) in [("65536,1,2", "sdd '65536' is not a cell number"), ("1,65536,2", "adc '65536' exceeds 65535"),
                                ("1,2,nan", "time is 'nan'"), ("1,2,", "time (empty) is not a number"), ("1,2", "expected at least 3 fields"),
                                ("1,-2,3", "adc '-2' is negative"), ("1,2,1e400", "time is '1e400'")] {
            let path = try dir.write("bad.csv", "sdd,adc,time\n1,2,3\n\(row)\n")
            let message = errorLine { _ = try EventCSV.read(path, options: .strict, progress: nil, chunkBytes: 1 << 20) }
            XCTAssertTrue(message.contains("bad.csv:3:") && message.contains(expected), "\(row): \(message)")
        }
        var known = EventReadOptions.strict
        known.knownCells = 0...9
        let unknown = try dir.write("unknown.csv", "sdd,adc,time\n1,2,3\n10,2,3\n")
        XCTAssertTrue(errorLine { _ = try EventCSV.read(unknown, options: known, progress: nil) }.contains("unknown.csv:3:"))
    }

    /// The memory-mapped reader gives the one-core reader's answer on every cut into pieces.
    func testMappedCSVMatchesOneCoreReaderOnEveryCut() throws {
        let dir = try TemporaryDirectory()
        let table = sampleEventTable(3001)
        let text = awkwardCSV(table)
        for ending in ["", "\n"] {
            // With and without a last newline (the last row ends in "\r\n", one Character).
            let path = try dir.write("m.csv", String(text.dropLast(1)) + ending)
            let oneCore = try EventCSV.read(path, options: .strict, progress: nil, chunkBytes: 1 << 22)
            XCTAssertNil(firstDifference(oneCore.events, table))
            for pieces in [1, 2, 3, 7, 64] {
                let recorder = ProgressRecorder()
                guard case .read(let r) = try EventCSV.readMapped(path, options: .strict, progress: recorder, pieces: pieces, minimumBytes: 0) else {
                    return XCTFail("\(pieces) pieces: no mapped read")
                }
                XCTAssertNil(firstDifference(r.events, table), "\(pieces) pieces, ending \(ending.debugDescription)")
                XCTAssertEqual(r.rowsRead, oneCore.rowsRead)
                XCTAssertEqual(r.bytesRead, oneCore.bytesRead)
                XCTAssertEqual(recorder.calls.last?.done, oneCore.bytesRead)
            }
        }
    }

    /// A file that ends exactly at a page boundary, its last row one the general parser takes (its field
    /// scan loads 8 bytes at a time): the last lines are read from a copy, never past the map.
    func testMappedCSVEndingAtAPageBoundary() throws {
        let dir = try TemporaryDirectory()
        for last in [" 7 , 8 , 9.5", " 7 , 8 , 9.5\n", "7,8,9.5", "7,8,9.5\n"] {
            var text = "sdd,adc,time\n"
            for i in 0..<300 { text += "\(i % 32),\(i + 600),\(Double(i) * 0.25)\n" }
            let pad = 2 * 4096 - text.utf8.count - last.utf8.count - 2
            text += "#" + String(repeating: "x", count: pad) + "\n" + last
            XCTAssertEqual(text.utf8.count, 8192)
            let path = try dir.write("page.csv", text)
            let oneCore = try EventCSV.read(path, options: .strict, progress: nil, chunkBytes: 1 << 22)
            XCTAssertEqual(oneCore.events.count, 301)
            for pieces in [1, 2, 5] {
                guard case .read(let r) = try EventCSV.readMapped(path, options: .strict, progress: nil, pieces: pieces, minimumBytes: 0) else {
                    return XCTFail("no mapped read")
                }
                XCTAssertNil(firstDifference(r.events, oneCore.events), "\(last.debugDescription), \(pieces) pieces")
            }
        }
    }

    /// Any bad row sends the mapped reader's caller to the one-core reader (strict and lenient alike).
    func testMappedCSVLeavesBadRowsToTheOneCoreReader() throws {
        let dir = try TemporaryDirectory()
        var text = "sdd,adc,time\n"
        for i in 0..<2000 { text += i == 1500 ? "1,x,2\n" : "1,\(i % 4000),\(Double(i) * 0.5)\n" }
        let path = try dir.write("bad.csv", text)
        var lenient = EventReadOptions.strict
        lenient.lenient = true
        for options in [EventReadOptions.strict, lenient] {
            guard case .oneCore = try EventCSV.readMapped(path, options: options, progress: nil, pieces: 2, minimumBytes: 0) else {
                return XCTFail("a bad row was read on the mapped path")
            }
        }
        let r = try EventCSV.read(path, options: lenient)
        XCTAssertEqual(r.events.count, 1999)
        XCTAssertEqual(r.rejected.total, 1)
        let empty = try dir.write("header-only.csv", "sdd,adc,time\n")
        guard case .read(let e) = try EventCSV.readMapped(empty, options: .strict, progress: nil, pieces: 2, minimumBytes: 0) else {
            return XCTFail("header-only file")
        }
        XCTAssertEqual(e.events.count, 0)
    }
}

/// Where two tables first differ (a short text), nil when equal.
func firstDifference(_ a: EventTable, _ b: EventTable) -> String? {
    guard a.count == b.count else { return "\(a.count) events against \(b.count)" }
    for i in 0..<a.count where a.cell[i] != b.cell[i] || a.adc[i] != b.adc[i] || a.time[i] != b.time[i] {
        return "event \(i): (\(a.cell[i]), \(a.adc[i]), \(a.time[i])) against (\(b.cell[i]), \(b.adc[i]), \(b.time[i]))"
    }
    return nil
}
