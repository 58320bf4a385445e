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

    /// From version 3 the binary header checksum covers the generation id; version 2 files (id
    /// outside the checksum) still read, id included.
    func testGenerationIdIsUnderTheHeaderChecksumAndVersion2StillReads() throws {
        let dir = try TemporaryDirectory()
        let table = EventTable(cell: [0, 1], adc: [10, 20], time: [0, 1])
        try EventFile.write(table, to: dir.file("g.bin"), overwrite: false, generation: 0xABCDEF)
        XCTAssertEqual(try SimulationPair.generation(ofEvents: dir.file("g.bin")), 0xABCDEF)
        var b = Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("g.bin"))))
        b[57] ^= 0x10
        let damaged = try dir.write("damaged.bin", bytes: b)
        let msg = errorLine { _ = try EventFile.read(damaged) }
        XCTAssertTrue(msg.hasPrefix(damaged + ": byte 48: header checksum mismatch"), msg)
        XCTAssertTrue(errorLine { _ = try SimulationPair.generation(ofEvents: damaged) }.contains("header checksum mismatch"))
        _ = try EventBinary.write(table, to: dir.file("v2.bin"), overwrite: false, version: 2, generation: 0x1234, progress: nil)
        XCTAssertEqual(try EventFile.read(dir.file("v2.bin")), table)
        XCTAssertEqual(try SimulationPair.generation(ofEvents: dir.file("v2.bin")), 0x1234)
    }

    /// `convert` keeps simulate's generation id (binary → CSV → binary), so converted events still
    /// pair with their truth and not with another run's.
    func testConvertKeepsTheGenerationId() throws {
        guard let sddcal = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory()
        for (seed, name) in [(5, "a"), (6, "b")] {
            let sim = try sddcal.run(["simulate", "--cells", "2", "--days", "1", "--rate", "300", "--seed", "\(seed)",
                                      "--out", dir.file("\(name).bin"), "--truth", dir.file("\(name).json")])
            XCTAssertEqual(sim.status, 0, sim.err)
        }
        for (from, to) in [("a.bin", "a.csv"), ("a.csv", "back.bin")] {
            let r = try sddcal.run(["convert", dir.file(from), dir.file(to)])
            XCTAssertEqual(r.status, 0, r.err)
        }
        let original = try XCTUnwrap(try SimulationPair.generation(ofEvents: dir.file("a.bin")))
        XCTAssertEqual(try SimulationPair.generation(ofEvents: dir.file("a.csv")), original)
        XCTAssertEqual(try SimulationPair.generation(ofEvents: dir.file("back.bin")), original)
        let truth = try SimulationTruth.load(dir.file("a.json"))
        XCTAssertNoThrow(try SimulationPair.check(events: dir.file("back.bin"), truth: truth, truthPath: dir.file("a.json")))
        let other = try SimulationTruth.load(dir.file("b.json"))
        XCTAssertThrowsError(try SimulationPair.check(events: dir.file("back.bin"), truth: other, truthPath: dir.file("b.json")))
    }

    /// The inspector defers terminating signals to its loop (to restore the terminal first); a write
    /// in progress then still loses its temporary file to the signal, whichever of the two set up
    /// signal handling first (one owner, `TerminationSignals`), and the signal is recorded.
    func testDeferredSignalStillRemovesTheTemporaryFile() throws {
        let dir = try TemporaryDirectory()
        func temporaries() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.contains(".tmp-") }
        }
        // A first write installs the handlers for its temporary file; then the inspector defers.
        try AtomicFile.write("{}", to: dir.file("first.json"), overwrite: false)
        TerminationSignals.deferToLoop()
        defer { TerminationSignals.endDeferring() }
        var during: [String] = []
        var after: [String] = []
        XCTAssertThrowsError(try AtomicFile.stream(to: dir.file("out.bin"), overwrite: false) { out in
            try out.write([1, 2, 3] as [UInt8])
            during = temporaries()
            raise(SIGTERM)
            after = temporaries()
        })
        XCTAssertEqual(during.count, 1, "the write had its temporary file")
        XCTAssertEqual(after, [], "SIGTERM removed it although the inspector handles the signal")
        XCTAssertEqual(TerminationSignals.pending, SIGTERM, "and the signal waits for the inspector's loop")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("out.bin")), "the interrupted output never appears")
        XCTAssertEqual(temporaries(), [])
    }

    /// A catchable signal between the renames of files that belong together is held until both
    /// are in place (only SIGKILL can leave new events next to an old truth).
    func testSignalBetweenTheRenamesOfAPairIsHeldUntilBothAreInPlace() throws {
        let dir = try TemporaryDirectory()
        TerminationSignals.deferToLoop()
        defer { TerminationSignals.endDeferring() }
        let events = try PendingFile(path: dir.file("e.bin"), overwrite: false) { try $0.write([1, 2] as [UInt8]) }
        let truth = try PendingFile(path: dir.file("t.json"), overwrite: false) { try $0.write(Array("{}".utf8)) }
        try TerminationSignals.holding {
            try events.commit()
            raise(SIGTERM)
            XCTAssertEqual(TerminationSignals.pending, 0, "the signal waits")
            XCTAssertTrue(FileManager.default.fileExists(atPath: truth.tmp), "the second temporary file is still there to rename")
            try truth.commit()
        }
        XCTAssertEqual(TerminationSignals.pending, SIGTERM, "and takes effect after the renames")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("e.bin")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("t.json")))
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
