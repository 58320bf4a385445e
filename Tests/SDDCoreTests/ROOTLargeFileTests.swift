import Foundation
import XCTest
@testable import SDDCore

/// The 64-bit layout of files past 2 GiB (file header version ≥ 1 000 000, keys of version > 1000,
/// directory records of version > 1000), built here around a histogram object written by uproot:
/// uproot writes that layout only for files past 2 GiB, too large to ship as a fixture.
final class ROOTLargeFileTests: XCTestCase {
    struct Writer {
        var bytes: [UInt8] = []
        mutating func i16(_ v: Int) { append(UInt64(UInt16(truncatingIfNeeded: v)), 2) }
        mutating func i32(_ v: Int) { append(UInt64(UInt32(truncatingIfNeeded: v)), 4) }
        mutating func i64(_ v: Int) { append(UInt64(bitPattern: Int64(v)), 8) }
        mutating func append(_ v: UInt64, _ n: Int) { for k in (0..<n).reversed() { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        mutating func string(_ s: String) { bytes.append(UInt8(s.utf8.count)); bytes += Array(s.utf8) }
        /// A 64-bit key header (version 1004).
        mutating func key(nbytes: Int, objlen: Int, keylen: Int, seek: Int, parent: Int, cls: String, name: String) {
            i32(nbytes); i16(1004); i32(objlen); i32(0); i16(keylen); i16(1); i64(seek); i64(parent)
            string(cls); string(name); string("")
        }
        static func keyLength(cls: String, name: String) -> Int { 4 + 2 + 4 + 4 + 2 + 2 + 8 + 8 + 3 + cls.utf8.count + name.utf8.count }
    }

    func testSixtyFourBitOffsets() throws {
        let small = try ROOTFile(path: fixture("root/fixture-none.root"))
        let entry = small.entry("bus1_sdd2")!
        let object = try entry.key.objectBuffer(small.source, path: entry.path).bytes
        let want = try small.histogram(entry)

        let begin = 100
        let topKeylen = Writer.keyLength(cls: "TFile", name: "big.root")
        let nbytesName = topKeylen + 1 + "big.root".utf8.count + 1
        let dirAt = begin + nbytesName
        let dirSize = 2 + 4 + 4 + 4 + 4 + 8 + 8 + 8
        let objAt = dirAt + dirSize
        let objKeylen = Writer.keyLength(cls: "TH1D", name: "h")
        let listAt = objAt + objKeylen + object.count
        let listKeylen = Writer.keyLength(cls: "TFile", name: "big.root")
        let listSize = listKeylen + 4 + objKeylen

        var w = Writer()
        w.bytes += Array("root".utf8)
        w.i32(1_062_400); w.i32(begin)
        w.i64(listAt + listSize)   // fEND
        w.i64(0); w.i32(0); w.i32(0); w.i32(nbytesName); w.bytes.append(8); w.i32(0); w.i64(0); w.i32(0)
        w.bytes += [UInt8](repeating: 0, count: begin - w.bytes.count)
        w.key(nbytes: nbytesName + dirSize, objlen: nbytesName + dirSize - topKeylen, keylen: topKeylen, seek: begin, parent: 0, cls: "TFile", name: "big.root")
        w.string("big.root"); w.string("")
        XCTAssertEqual(w.bytes.count, dirAt)
        w.i16(1005); w.i32(0); w.i32(0); w.i32(listSize); w.i32(nbytesName); w.i64(begin); w.i64(0); w.i64(listAt)
        XCTAssertEqual(w.bytes.count, objAt)
        w.key(nbytes: objKeylen + object.count, objlen: object.count, keylen: objKeylen, seek: objAt, parent: begin, cls: "TH1D", name: "h")
        w.bytes += object
        XCTAssertEqual(w.bytes.count, listAt)
        w.key(nbytes: listSize, objlen: listSize - listKeylen, keylen: listKeylen, seek: listAt, parent: begin, cls: "TFile", name: "big.root")
        w.i32(1)
        w.key(nbytes: objKeylen + object.count, objlen: object.count, keylen: objKeylen, seek: objAt, parent: begin, cls: "TH1D", name: "h")

        let f = try ROOTFile(bytes: w.bytes, path: "big.root")
        XCTAssertTrue(f.isLargeFile)
        XCTAssertEqual(f.version, 62400)
        XCTAssertEqual(f.entries.map(\.path), ["h"])
        let h = try f.histogram(f.entries[0])
        XCTAssertEqual(h.counts, want.counts)
        XCTAssertEqual(h.edges, want.edges)
        XCTAssertEqual(h.entries, want.entries)

        // A 64-bit offset beyond the file is an error naming it, not a crash.
        var bad = w.bytes
        let seekAt = listAt + listKeylen + 4 + 18   // the listed key's fSeekKey
        for k in 0..<8 { bad[seekAt + k] = k == 0 ? 0x40 : 0 }
        let e = errorLine { _ = try ROOTFile(bytes: bad, path: "big.root").histogram(ROOTFile(bytes: bad, path: "big.root").entries[0]) }
        XCTAssertTrue(e.contains("run past the end"), e)
    }
}
