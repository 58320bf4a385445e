import Foundation
import XCTest
@testable import Inspector

/// Compares a rendered buffer (text lines, then style lines) with a reference file in Snapshots/.
/// Set SDDCAL_RECORD_SNAPSHOTS=1 to write the references instead (then review them with git diff).
func assertSnapshot(_ buf: CellBuffer, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let dir = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = dir.appendingPathComponent(name + ".txt")
    let text = (buf.lines + ["--- styles"] + buf.styleLines).joined(separator: "\n") + "\n"
    if ProcessInfo.processInfo.environment["SDDCAL_RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("missing snapshot \(name).txt; record with SDDCAL_RECORD_SNAPSHOTS=1", file: file, line: line)
        return
    }
    if expected != text {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = text.split(separator: "\n", omittingEmptySubsequences: false)
        let i = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? Swift.min(e.count, a.count)
        XCTFail("snapshot \(name) differs at line \(i + 1):\nexpected: \(i < e.count ? String(e[i]) : "<end>")\nactual:   \(i < a.count ? String(a[i]) : "<end>")",
                file: file, line: line)
    }
}
