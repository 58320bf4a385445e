import XCTest
import SDDCore
@testable import Inspector

/// What the seeds file service was given, in order.
final class SavedSeeds: @unchecked Sendable { var files: [SeedsFile] = [] }

/// The seeds view fits at once; seeds nudged by hand are kept per cell and batch, written to the
/// seeds file as they change, and come back from it in a new session.
final class SeedsTests: XCTestCase {
    static let data = Fixtures.dataset(cells: 8)

    func session(saving box: SavedSeeds? = nil) -> InspectorSession {
        var services = Fixtures.services()
        if let box { services.saveSeeds = { f in box.files.append(f); return "/tmp/hand.seeds.json" } }
        let s = InspectorSession(state: InspectorState(width: 100, height: 30),
                                 engine: InspectorEngine(services: services, synchronous: true, clock: Fixtures.steppingClock()))
        s.dispatch(.datasetLoaded(Self.data)); s.pump()
        return s
    }

    /// Opening view 3 shows the fits of the seeds as initialised, with no key pressed; moving to
    /// another batch fits that batch's.
    func testSeedsViewShowsFitsAtOnce() {
        let s = session()
        s.key(.char("3"))
        XCTAssertEqual(s.state.seeds.fits.count, 5)
        XCTAssertNotNil(s.state.seeds.calibrationFit)
        XCTAssertFalse(s.state.seeds.pending)
        XCTAssertTrue(s.state.seeds.undo.isEmpty)
        let text = render(s.state).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("refit: E = "), text)
        let mnRow = try! XCTUnwrap(render(s.state).lines.first { $0.contains("Mn Kα") && $0.contains("5895.0") })
        XCTAssertFalse(mnRow.contains("--"), mnRow)
        s.key(.char("]"))
        XCTAssertEqual(s.state.batch, 0)
        XCTAssertEqual(s.state.seeds.fits.count, 5, "the batch's own fits")
        // Elsewhere no fit is asked for: moving in the overview costs nothing.
        s.key(.char("1")); s.key(.right)
        XCTAssertTrue(s.state.seeds.fits.isEmpty)
    }

    /// Nudge cell 2's Mn Kα in batch 2 and Ti Kα on the cell's sum: the seeds file written after the
    /// last nudge holds both entries with the nudged values; a new session that loads it starts the
    /// seeds view from them; undoing every nudge returns to the loaded seeds.
    func testSeedsFileRoundTrip() throws {
        let box = SavedSeeds()
        let s = session(saving: box)
        s.key(.char("j")); s.key(.char("2")); s.key(.enter)
        s.key(.char("3")); s.key(.char("]")); s.key(.char("]"))
        XCTAssertEqual(s.state.batch, 1)
        s.key(.down); s.key(.down)
        let mn = try XCTUnwrap(s.state.seeds.seeds["MnKa"])
        s.key(.right); s.key(.right); s.key(.pageUp)
        XCTAssertEqual(s.state.seeds.seeds["MnKa"], mn + 12)
        // The cell's summed spectrum (b in view 2 sums the batches), Ti Kα down by one.
        s.key(.char("2")); s.key(.char("b")); s.key(.char("3"))
        XCTAssertNil(s.state.batch)
        s.key(.up); s.key(.up); s.key(.up); s.key(.up)
        let ti = try XCTUnwrap(s.state.seeds.seeds["TiKa"])
        s.key(.left)
        XCTAssertEqual(box.files.count, 4, "written after every nudge")
        let f = try XCTUnwrap(box.files.last)
        XCTAssertEqual(f.profile, "vip2"); XCTAssertEqual(f.batch, Self.data.batchSpec); XCTAssertEqual(f.source, "fixture.bin")
        XCTAssertEqual(f.entries.map { [$0.cell, $0.batch ?? -1] }, [[2, -1], [2, 1]])
        XCTAssertEqual(f.entries[1].seeds, ["MnKa": mn + 12], "only the nudged line")
        XCTAssertEqual(f.entries[0].seeds, ["TiKa": ti - 1])
        XCTAssertEqual(f.seeds(cell: 2, batch: nil)["TiKa"], ti - 1)
        XCTAssertEqual(f.seeds(cell: 2, batch: 0)["TiKa"], ti - 1, "the cell's seeds stand for its other batches")
        XCTAssertTrue(render(s.state).lines.joined().contains("hand-set seeds for 2 spectra, saved to /tmp/hand.seeds.json"))
        // Through JSON, as the file on disk.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sddcal-seeds-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("hand.json").path
        try f.save(path, overwrite: false)
        let loaded = try SeedsFile.load(path)
        XCTAssertEqual(loaded, f)

        let t = session()
        t.dispatch(.seedsLoaded(loaded)); t.pump()
        XCTAssertEqual(t.state.message, "2 hand-set seed entries loaded")
        t.key(.char("j")); t.key(.char("2")); t.key(.enter)
        t.key(.char("3")); t.key(.char("]")); t.key(.char("]"))
        XCTAssertEqual(t.state.seeds.seeds["MnKa"], mn + 12)
        XCTAssertEqual(t.state.seeds.seeds["TiKa"], ti - 1, "batch without its own Ti Kα: the cell's")
        XCTAssertEqual(t.state.seeds.autoFitted, t.state.seeds.seeds, "and fitted at once")
        t.key(.down); t.key(.down); t.key(.right); t.key(.char("u"))
        XCTAssertEqual(t.state.handSeeds[SeedKey(cell: 2, batch: 1)], loaded.entries[1].seeds, "undo returns to the loaded seeds")
        // A file for another profile is not taken.
        var other = loaded; other.profile = "siddharta2"
        t.dispatch(.seedsLoaded(other)); t.pump()
        XCTAssertEqual(t.state.message, "seeds file is for profile siddharta2, not vip2: not used")
    }
}
