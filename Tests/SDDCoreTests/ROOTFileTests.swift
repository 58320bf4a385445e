import Foundation
import XCTest
@testable import SDDCore

/// The ROOT reader against files written by uproot (scripts/make_root_fixtures.py) and the values
/// uproot reads back from them (Fixtures/root/expected.json): exact equality, every compression.
final class ROOTFileTests: XCTestCase {
    static let compressions = ["none", "zlib", "lz4", "zstd"]

    struct Expected: Decodable {
        struct Key: Decodable { let path: String; let `class`: String }
        struct Hist: Decodable {
            let `class`, name, title: String
            let counts_with_flow, edges: [Double]
            let variable: Bool
            let entries: Double
        }
        struct Branch: Decodable { let type: String; let values: [Double]; let exact: [Int64]? }
        struct Tree: Decodable { let entries: Int; let title: String; let branches: [String: Branch] }
        struct File: Decodable { let keys: [Key]; let histograms: [String: Hist]; let trees: [String: Tree] }
        let files: [String: File]
    }

    /// JSONDecoder parses numbers exactly (JSONSerialization on Linux does not).
    func expected() throws -> [String: Expected.File] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("root/expected.json")))
        return try JSONDecoder().decode(Expected.self, from: data).files
    }

    func testHistogramsMatchUprootExactly() throws {
        let all = try expected()
        for c in Self.compressions {
            let name = "fixture-\(c).root"
            let want = all[name]!
            let f = try ROOTFile(path: fixture("root/" + name))
            XCTAssertEqual(f.version, 62400)
            let keys = want.keys.map { "\($0.path) \($0.class)" }.sorted()
            XCTAssertEqual(f.entries.map { "\($0.path) \($0.className)" }.sorted(), keys, name)
            let hists = want.histograms
            XCTAssertEqual(Set(f.histogramEntries.map(\.path)), Set(hists.keys), name)
            for e in f.histogramEntries {
                let h = try f.histogram(e)
                let w = hists[e.path]!
                XCTAssertEqual([h.underflow] + h.counts + [h.overflow], w.counts_with_flow, "\(name) \(e.path)")
                XCTAssertEqual(h.edges, w.edges, "\(name) \(e.path)")
                XCTAssertEqual(h.variableBins, w.variable, "\(name) \(e.path)")
                XCTAssertEqual(h.entries, w.entries, "\(name) \(e.path)")
                XCTAssertEqual(h.name, w.name)
                XCTAssertEqual(h.title, w.title)
                XCTAssertEqual(h.className, w.class)
            }
        }
    }

    func testTreesMatchUprootExactly() throws {
        let all = try expected()
        for c in Self.compressions {
            let name = "fixture-\(c).root"
            let want = all[name]!.trees["events"]!
            let f = try ROOTFile(path: fixture("root/" + name))
            let t = try f.tree(f.entry("events")!)
            XCTAssertEqual(t.entries, want.entries)
            XCTAssertEqual(t.title, want.title)
            XCTAssertTrue(t.unsupported.isEmpty, "\(t.unsupported)")
            XCTAssertEqual(Set(t.branches.map(\.name)), Set(want.branches.keys))
            let types = ["int32": ROOTLeafType.int32, "uint16": .uint16, "float64": .float64, "float32": .float32,
                         "int8": .int8, "int64": .int64]
            for br in t.branches {
                let w = want.branches[br.name]!
                XCTAssertEqual(br.type, types[w.type], br.name)
                XCTAssertEqual(br.baskets.count, 2, br.name)
                if let exact = w.exact {
                    XCTAssertEqual(try f.integers(br, tree: t), exact, "\(name) \(br.name)")
                } else {
                    XCTAssertEqual(try f.doubles(br, tree: t), w.values, "\(name) \(br.name)")
                }
            }
        }
    }

    func testSelectionsAndSpectrumRecords() throws {
        let path = fixture("root/fixture-zlib.root")
        let one = try SpectrumFile.read(path + ":bus1_sdd1")
        XCTAssertEqual(one.count, 1)
        XCTAssertNil(one[0].cell)
        XCTAssertEqual(one[0].firstChannel, 0)
        XCTAssertEqual(one[0].histogram.binCount, 64)
        XCTAssertEqual(one[0].metadata["ROOT_KEY"], "bus1_sdd1")
        XCTAssertEqual(one[0].metadata["UNDERFLOW"], "7.0")
        // A name without "/" finds keys in subdirectories too.
        XCTAssertEqual(try SpectrumFile.read(path + ":bus2_sdd6")[0].metadata["ROOT_KEY"], "sub/bus2_sdd6")
        XCTAssertEqual(try SpectrumFile.read(path + ":sub/**").map { $0.metadata["ROOT_KEY"]! }, ["sub/bus2_sdd6", "sub/deeper/bus3_sdd7"])
        XCTAssertEqual(try SpectrumFile.read(path + ":bus1_sdd[13]").map(\.cell), [0, 1])
        // Unit bins with integer edges [100, 140): ADC values 100…139 as channels.
        let ints = try SpectrumFile.read(path + ":bus1_sdd3")[0]
        XCTAssertEqual(ints.firstChannel, 100)
        XCTAssertEqual(ints.metadata["ROOT_EDGE_SHIFT"], "-0.5")
        XCTAssertNil(one[0].metadata["ROOT_EDGE_SHIFT"])
        let e = errorLine { _ = try SpectrumFile.read(path + ":bus1_sdd2") }
        XCTAssertTrue(e.contains("key 'bus1_sdd2' (TH1D)") && e.contains("variable-width"), e)
        let neg = errorLine { _ = try SpectrumFile.read(path + ":bus1_sdd4") }
        XCTAssertTrue(neg.contains("bin 2 is -32768"), neg)
        let tree = errorLine { _ = try SpectrumFile.read(path + ":events") }
        XCTAssertTrue(tree.contains("'events' (TTree) is not a 1-D histogram"), tree)
        let none = errorLine { _ = try SpectrumFile.read(path + ":nothing*") }
        XCTAssertTrue(none.contains("no 1-D histogram") && none.contains("bus1_sdd1"), none)
    }

    func testPathPatterns() {
        XCTAssertTrue(ROOTPathPattern.matches("bus1_*", "bus1_sdd6"))
        XCTAssertFalse(ROOTPathPattern.matches("*", "sub/x"))
        XCTAssertTrue(ROOTPathPattern.matches("**", "sub/x"))
        XCTAssertTrue(ROOTPathPattern.matches("sub/*_sdd?", "sub/bus2_sdd6"))
        XCTAssertTrue(ROOTPathPattern.matches("bus[0-9]_sdd[!7]", "bus2_sdd6"))
        XCTAssertFalse(ROOTPathPattern.matches("bus[0-9]_sdd[!6]", "bus2_sdd6"))
        XCTAssertEqual(ROOTSelection.parse("/no/such/run.root:bus1_*"), ROOTSelection(file: "/no/such/run.root", pattern: "bus1_*"))
        XCTAssertNil(ROOTSelection.parse("/no/such/run.csv"))
    }
}
