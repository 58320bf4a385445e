import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// Temporary files of atomic writes: removed on error and on SIGTERM, and those of dead processes
/// removed by the next write; simulate's events and truth carry one generation id.
final class InterruptedWriteTests: XCTestCase {
    func testStaleTemporaryFilesOfDeadProcessesAreRemoved() throws {
        let dir = try TemporaryDirectory()
        // A PID that certainly ran and ended.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run(); p.waitUntilExit()
        let dead = dir.file(".out.json.tmp-\(p.processIdentifier)-12345")
        let live = dir.file(".out.json.tmp-\(getppid())-777")
        let other = dir.file(".other.json.tmp-\(p.processIdentifier)-1")
        for f in [dead, live, other] { try Data("partial".utf8).write(to: URL(fileURLWithPath: f)) }
        try AtomicFile.write("{}", to: dir.file("out.json"), overwrite: false)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead), "a dead process's temporary file is removed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: live), "a running process's temporary file stays")
        XCTAssertTrue(FileManager.default.fileExists(atPath: other), "only temporary files of the same target are touched")
    }

    func testFailedWriteLeavesNoTemporaryFile() throws {
        let dir = try TemporaryDirectory()
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFile.streamTogether([(dir.file("a.bin"), { try $0.write([1, 2, 3] as [UInt8]) }),
                                                            (dir.file("b.json"), { _ in throw Boom() })], overwrite: false))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "neither file is replaced, no temporary file stays")
    }

    func testSimulatePairCarriesOneGenerationAndMismatchesAreRefused() throws {
        let dir = try TemporaryDirectory()
        var cfg = SimulationConfig.vip2(cells: 1, days: 1, seed: 3)
        cfg.eventsPerCellPerDay = 50
        let (events, truth) = try VIP2Simulator(config: cfg).run()
        for ext in ["bin", "csv"] {
            try SimulationPair.write(events: events, to: dir.file("a.\(ext)"), truth: truth, to: dir.file("a.json"), overwrite: true)
            try SimulationPair.write(events: events, to: dir.file("b.\(ext)"), truth: truth, to: dir.file("b.json"), overwrite: true)
            XCTAssertNotNil(try SimulationPair.generation(ofEvents: dir.file("a.\(ext)")))
            XCTAssertEqual(try EventFile.read(dir.file("a.\(ext)")), events.sortedByCellAndTime())
            XCTAssertNoThrow(try SimulationTruth.load(dir.file("a.json"), pairedWith: dir.file("a.\(ext)")))
            let msg = errorLine { _ = try SimulationTruth.load(dir.file("b.json"), pairedWith: dir.file("a.\(ext)")) }
            XCTAssertTrue(msg.contains("belongs to another simulate run"), msg)
        }
    }

    /// SIGTERM in the middle of a large write: the process dies and its temporary file is gone.
    func testSIGTERMRemovesTheTemporaryFile() throws {
        guard let sddcal = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sddcal.path)
        p.arguments = ["simulate", "--cells", "4", "--days", "5", "--rate", "40000", "--out", dir.file("e.csv"), "--truth", dir.file("t.json")]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the temporary events file appears, then interrupt.
        let deadline = Date().addingTimeInterval(60)
        var sawTemporary = false
        while Date() < deadline, p.isRunning, !sawTemporary {
            sawTemporary = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.contains { $0.contains(".tmp-") } ?? false
            usleep(500)
        }
        XCTAssertTrue(sawTemporary, "the write was interrupted while its temporary file existed")
        p.terminate()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }, [])
    }
}
