import Foundation
import XCTest
@testable import SDDCore

/// The parallel readers give exactly the one-core readers' answers: the CSV reader on every cut of
/// blocks and pieces (comments, blank lines, CRLF, a last line without newline), and falls back to
/// the one-core reader on any bad row; the memory-mapped binary reader over several copy blocks.
final class ParallelEventReadTests: XCTestCase {
    func testParallelCSVMatchesOneCoreReaderOnEveryBlockSize() throws {
        let dir = try TemporaryDirectory()
        let table = sampleEventTable(3001)
        var text = "# a comment before the header\r\n\nsdd,adc,time\r\n"
        for i in 0..<table.count {
            if i % 500 == 7 { text += "# comment\n\n" }
            text += "\(table.cell[i]),\(table.adc[i]),\(table.time[i])" + (i % 3 == 0 ? "\r\n" : "\n")
        }
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
        let n = 150_001   // time column 1.2 MB: three copy blocks; odd: the padding
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
        XCTAssertEqual(mapped.checksum, h.payloadChecksum)
        XCTAssertTrue(mapped.clean)
        XCTAssertFalse(try XCTUnwrap(EventBinary.MappedPayload.read(fd: f.fd, header: h, maxTime: .infinity, knownCells: 0...30)).clean)
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
}
