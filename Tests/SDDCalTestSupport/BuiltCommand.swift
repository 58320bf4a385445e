import Foundation
import XCTest

/// The built `sddcal` executable, for tests that run it as users do.
///
/// CI builds it before `swift test` (`.ci/run`), so on CI (CI=true) a missing binary fails the
/// test; elsewhere the test is skipped.
public struct BuiltCommand {
    /// The repository's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public let path: String

    /// The binary next to the test bundle of `testCase` (same build configuration), else in .build/debug.
    /// Returns nil after recording a failure on CI; throws `XCTSkip` elsewhere.
    public static func locate(for testCase: XCTestCase) throws -> BuiltCommand? {
        let bundleDir = Bundle(for: type(of: testCase)).bundleURL.deletingLastPathComponent()
        let candidates = [bundleDir.appendingPathComponent("sddcal").path, root.appendingPathComponent(".build/debug/sddcal").path]
        if let bin = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return BuiltCommand(path: bin)
        }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("sddcal binary not built (looked in \(candidates))")
            return nil
        }
        throw XCTSkip("sddcal binary not built")
    }

    /// The binary and a fresh directory removed when the test ends: the set-up of a test case that
    /// runs `sddcal` in a directory of its own. Throws `XCTSkip` where the binary is missing (after
    /// recording a failure on CI).
    public static func locateWithDirectory(for testCase: XCTestCase) throws -> (BuiltCommand, TemporaryDirectory) {
        guard let command = try locate(for: testCase) else { throw XCTSkip("sddcal binary not built") }
        return (command, try TemporaryDirectory(removedAfter: testCase))
    }

    /// Runs `sddcal args…` (in `directory` if given) and returns its status, stdout and stderr.
    public func run(_ args: [String], in directory: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
