import Foundation
import XCTest
@testable import SDDCore

/// Damaged ROOT files: every truncation and thousands of byte mutations of the fixtures give
/// one-line errors (or, for harmless mutations, a successful read) and never crash.
final class ROOTHostileInputTests: XCTestCase {
    /// Everything the reader can decode from the bytes; throws its first error.
    @discardableResult
    static func readEverything(_ bytes: [UInt8]) throws -> Int {
        let f = try ROOTFile(bytes: bytes, path: "damaged.root")
        var n = 0
        for e in f.histogramEntries { n += try f.histogram(e).counts.count }
        for e in f.entries where e.className == "TTree" {
            let t = try f.tree(e)
            for b in t.branches { n += try f.doubles(b, tree: t).count }
        }
        return n
    }

    /// Runs `body`; returns false when it threw. A thrown error must be a one-line SDDError naming
    /// the file (asserted only on failure: XCTest assertions are slow in loops of thousands).
    @discardableResult
    static func assertOneLine(_ body: () throws -> Void, _ label: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        do {
            try body()
            return true
        } catch let e as SDDError {
            let text = e.description
            if text.contains("\n") || text.contains("\r") || !text.hasPrefix("damaged.root") || text.count > 400 {
                XCTFail("\(label): \(text)", file: file, line: line)
            }
        } catch {
            XCTFail("\(label): not an SDDError: \(error)", file: file, line: line)
        }
        return false
    }

    func testEveryTruncation() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("root/fixture-zlib.root"))))
        for n in 0..<bytes.count {
            if Self.assertOneLine({ try Self.readEverything(Array(bytes[0..<n])) }, "truncated to \(n)") {
                XCTFail("truncated to \(n) bytes: no error")
            }
        }
        XCTAssertEqual(errorLine { try Self.readEverything(Array(bytes[0..<(bytes.count - 10)])) },
                       "damaged.root: byte 12: file header: file is truncated: its header says it ends at byte 64431, it has 64421 bytes")
    }

    /// Every truncation of every histogram object (decompressed) fails cleanly in the decoder itself,
    /// past the file-level size check.
    func testEveryTruncationOfEachHistogramObject() throws {
        let f = try ROOTFile(path: fixture("root/fixture-zstd.root"))
        for e in f.histogramEntries {
            let whole = try e.key.objectBuffer(f.source, path: e.path)
            for n in 0..<whole.bytes.count {
                var b = ROOTBuffer(bytes: Array(whole.bytes[0..<n]), file: "damaged.root", fileOffset: nil,
                                   objectOffset: e.key.seekKey, context: "key", displacement: whole.displacement)
                if Self.assertOneLine({ _ = try ROOTHistogram.read(&b, className: e.className) }, "\(e.path) cut to \(n)") {
                    XCTFail("\(e.path) cut to \(n) bytes: no error")
                }
            }
        }
    }

    func testMutationsOfTheBytesTheReaderReads() throws {
        var rng = SplitMix(seed: 0x5EED)
        for c in ROOTFileTests.compressions {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("root/fixture-\(c).root"))))
            // The ranges a full read touches: mutations elsewhere (streamer info) would prove nothing.
            let source = ROOTByteSource(bytes: bytes, path: "damaged.root")
            let f = try ROOTFile(source: source)
            try Self.readEverything(bytes)
            for e in f.histogramEntries { _ = try f.histogram(e) }
            for e in f.entries where e.className == "TTree" {
                let t = try f.tree(e)
                for b in t.branches { _ = try f.doubles(b, tree: t) }
            }
            let ranges = source.rangesRead
            let positions = ranges.flatMap { Array($0) }
            XCTAssertGreaterThan(positions.count, 1000)
            var failures = 0
            for trial in 0..<1000 {
                var m = bytes
                let flips = 1 + Int(rng.next() % 4)
                for _ in 0..<flips {
                    let p = positions[Int(rng.next() % UInt64(positions.count))]
                    switch rng.next() % 3 {
                    case 0: m[p] ^= UInt8(1 << (rng.next() % 8))
                    case 1: m[p] = UInt8(truncatingIfNeeded: rng.next())
                    default: m[p] = [0, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
                    }
                }
                if !Self.assertOneLine({ try Self.readEverything(m) }, "\(c) trial \(trial)") { failures += 1 }
            }
            // Most mutations of headers, lengths and compressed data must be detected.
            XCTAssertGreaterThan(failures, 150, c)
        }
    }

    func testNamedErrors() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("root/fixture-lz4.root"))))
        XCTAssertEqual(errorLine { _ = try ROOTFile(bytes: Array("rooX".utf8) + bytes[4...], path: "damaged.root") },
                       "damaged.root: byte 0: not a ROOT file: starts with 'rooX', expected 'root'")
        XCTAssertTrue(errorLine { _ = try ROOTFile(bytes: [0x72, 0x6F, 0x6F, 0x74, 0x1B, 0x5B], path: "damaged.root") }
            .hasPrefix("damaged.root: byte 4: file header: fVersion"))
        // A flipped byte inside the LZ4 payload of a histogram: the checksum names the key.
        let f = try ROOTFile(bytes: bytes, path: "damaged.root")
        let e = f.entry("bus1_sdd1")!
        var m = bytes
        m[e.key.seekKey + e.key.keyLength + 30] ^= 0x40
        let msg = errorLine { _ = try ROOTFile(bytes: m, path: "damaged.root").histogram(e) }
        XCTAssertTrue(msg.contains("key 'bus1_sdd1' (TH1F)") && msg.contains("checksum mismatch"), msg)
        // Control bytes from the file are escaped the way every reader escapes them (InputQuote).
        let quoted = errorLine { _ = try ROOTFile(bytes: [0x1B, 0x5B, 0x32, 0x4A, 0xFF, 0x5C] + [UInt8](repeating: 0, count: 64), path: "damaged.root") }
        XCTAssertTrue(quoted.contains("starts with '\\x1b[2J', expected 'root'"), quoted)
    }
}
