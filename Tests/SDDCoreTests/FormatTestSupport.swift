import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// The shared temporary directory (SDDCalTestSupport), by the name these tests use.
typealias TemporaryDirectory = SDDCalTestSupport.TemporaryDirectory

/// Path of a fixture file shipped with the tests.
func fixture(_ relative: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(relative).path
}

/// The one-line description of the SDDError `body` throws (fails the test if it throws nothing else).
func errorLine(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        try body()
        XCTFail("expected an error", file: file, line: line)
        return ""
    } catch let e as SDDError {
        return e.description
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return ""
    }
}

func fileBytes(_ path: String) -> [UInt8] {
    (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
}
