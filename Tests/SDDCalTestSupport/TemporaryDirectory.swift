import Foundation
import XCTest

/// A fresh temporary directory, removed when the object is freed or, made for a test case, when
/// that test ends.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        path = NSTemporaryDirectory() + "sddcal-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A directory kept until `testCase`'s current test ends, then removed (the object need not be
    /// held). Why: XCTest keeps every test case object until the process exits, so a directory held
    /// in a property is otherwise never freed and stays behind in /tmp.
    public convenience init(removedAfter testCase: XCTestCase) throws {
        try self.init()
        testCase.addTeardownBlock { self.remove() }
    }

    deinit { remove() }

    private func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` in the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to a file in the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }

    /// Writes `bytes` to a file in the directory and returns its path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }
}
