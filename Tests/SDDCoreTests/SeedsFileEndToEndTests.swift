import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// `sddcal calibrate --seeds-file` replays hand-set seeds: the built binary on simulated events.
final class SeedsFileEndToEndTests: XCTestCase {
    /// A seeds file holding the true centroids of every line replays exactly what `--seeds truth`
    /// gives (its seeds replace the base seeder's line by line, here all of them); another
    /// profile's file, or batch seeds for another batch length, are refused naming the field.
    func testCalibrateReplaysASeedsFile() throws {
        guard let sddcal = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory()
        func run(_ args: String...) throws -> (status: Int32, out: String, err: String) { try sddcal.run(args, in: dir.path) }
        let sim = try run("simulate", "--cells", "2", "--days", "2", "--seed", "3", "--out", "e.bin", "--truth", "t.json")
        XCTAssertEqual(sim.status, 0, sim.err)
        let viaTruth = try run("calibrate", "e.bin", "--batch", "all", "--seeds", "truth", "--truth", "t.json", "--out", "a.json")
        XCTAssertEqual(viaTruth.status, 0, viaTruth.err)
        let a = try CalibrationSet.load(dir.file("a.json"))
        let truth = try SimulationTruth.load(dir.file("t.json"))
        var entries: [SeedsFile.Entry] = []
        for c in a.cells {
            let b = c.batches[0]
            let cal = try XCTUnwrap(truth.calibration(cell: c.cell, time: 0.5 * (b.start + b.end)))
            var seeds: [String: Double] = [:]
            for l in LineProfile.vip2.calibrationLines { seeds[l.id] = cal.adc(forEnergy: l.energy) }
            entries.append(.init(cell: c.cell, batch: b.index, seeds: seeds))
        }
        let hand = SeedsFile(profile: "vip2", batch: "all", source: "e.bin", entries: entries)
        try hand.save(dir.file("s.json"), overwrite: false)
        let replay = try run("calibrate", "e.bin", "--batch", "all", "--seeds", "pattern", "--seeds-file", "s.json", "--out", "b.json")
        XCTAssertEqual(replay.status, 0, replay.err)
        XCTAssertTrue(replay.out.contains("seeds: pattern + seeds file"), replay.out)
        let b = try CalibrationSet.load(dir.file("b.json"))
        XCTAssertEqual(a.cells.count, 2)
        XCTAssertEqual(b.cells.map(\.batches), a.cells.map(\.batches), "the same seeds, the same calibration")
        XCTAssertTrue(b.method.contains("seeds file"), b.method)
        // Seeds of another profile, or for batches of another length, are refused.
        var other = hand; other.profile = "siddharta2"
        try other.save(dir.file("p.json"), overwrite: false)
        let bad = try run("calibrate", "e.bin", "--batch", "all", "--seeds-file", "p.json", "--out", "c.json")
        XCTAssertEqual(bad.status, 1)
        XCTAssertEqual(bad.err, "sddcal: error: p.json: field 'profile': seeds for profile siddharta2, this run uses vip2\n")
        let batched = SeedsFile(profile: "vip2", batch: "48h", source: "e.bin", entries: [.init(cell: 0, batch: 0, seeds: ["CuKa": 100])])
        try batched.save(dir.file("q.json"), overwrite: false)
        let bad2 = try run("calibrate", "e.bin", "--batch", "all", "--seeds-file", "q.json", "--out", "c.json")
        XCTAssertEqual(bad2.err, "sddcal: error: q.json: field 'batch': seeds for batches of 48h, this run uses --batch all\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("c.json")))
    }
}
