import XCTest
import LineFitting
import SDDCore
@testable import Inspector

/// The overview's miscalibration finder on a small simulated run with one fault of each kind, the
/// real standard calibration, and Enter on a flag landing on its batch and line.
final class FaultFinderTests: XCTestCase {
    /// 8 cells × 8 days (four 48 h batches), one fault of each kind, two clean cells.
    static let result: FaultFinderScore.SeedResult = {
        var settings = FaultFinderScore.Settings()
        settings.cells = 8; settings.days = 8
        settings.plan = .oneOfEach
        let calibrator = StandardCalibrator(profile: .vip2)
        return try! FaultFinderScore.run(seed: 3, settings: settings, services: InspectorServices()) { d in
            calibrator.calibrate(BatchedEvents(d.events!, spec: .duration(172_800)))
        }
    }()

    func testEveryFaultKindIsFlaggedWithItsReason() {
        let r = Self.result
        XCTAssertEqual(Set(r.outcomes.map(\.fault.kind)), Set(PlantedFault.Kind.allCases))
        for o in r.outcomes {
            XCTAssertTrue(o.flagged, "\(o.fault.kind) in cell \(o.fault.cell) not flagged")
            XCTAssertTrue(o.rightReason, "\(o.fault.kind) in cell \(o.fault.cell) batch \(o.fault.batch ?? -1): \(o.note)")
        }
    }

    func testCleanCellsAreNotFlagged() {
        let r = Self.result
        XCTAssertEqual(r.cleanCells, 2)
        XCTAssertEqual(r.cleanFlagged, [:])
    }

    func testTableCounts() {
        let t = FaultFinderScore.Table([Self.result, Self.result])
        XCTAssertEqual(t.total.planted, 12)
        XCTAssertEqual(t.rows[.gainStep]?.planted, 2)
        XCTAssertEqual(t.cleanCells, 4)
        XCTAssertTrue(t.text.contains("gain step in a batch"), t.text)
    }

    func testMatchingNeedsTheFaultsBatch() {
        let cell = CellInfo(cell: 0, events: 10, batches: [BatchInfo(index: 0, start: 0, end: 172_800, events: 5),
                                                           BatchInfo(index: 1, start: 172_800, end: 345_600, events: 5)],
                            spectrum: Histogram(lowerEdge: 0, binWidth: 1, bins: 1))
        let f = PlantedFault(kind: .gainStep, cell: 0, batch: 1, start: 172_800, end: 345_600, time: 200_000, size: 1.02)
        XCTAssertTrue(FaultFinderScore.matches(.gainStep(batch: 1, hours: 7.6, line: "MnKa", shift: 90), f, cell: cell))
        XCTAssertFalse(FaultFinderScore.matches(.gainStep(batch: 0, hours: 7.6, line: "MnKa", shift: 90), f, cell: cell))
        XCTAssertFalse(FaultFinderScore.matches(.offsetShift(batch: 1, offsets: ["MnKa": 50]), f, cell: cell))
    }

    /// Enter on the fixture's cell 5 (its last batch calibrated with the first batch's coefficients: a
    /// missed 2 % gain change) lands on that batch's spectrum with the line its flag names highlighted.
    func testEnterOnAFlagLandsOnItsBatchAndLine() throws {
        let engine = InspectorEngine(services: Fixtures.services(), synchronous: true, clock: Fixtures.steppingClock())
        let s = InspectorSession(state: InspectorState(width: 160, height: 48), engine: engine)
        s.dispatch(.datasetLoaded(Fixtures.dataset()))
        s.pump()
        let c5 = s.state.dataset!.cells[5].summary
        XCTAssertEqual(c5.flag, .bad, c5.note)
        let first = try XCTUnwrap(c5.findings.first)
        XCTAssertEqual(first.location.batch, 2, c5.note)
        for _ in 0..<5 { s.key(.right) }
        XCTAssertEqual(s.state.selected, 5)
        s.key(.enter)
        s.pump()
        XCTAssertEqual(s.state.view, .spectrum)
        XCTAssertEqual(s.state.batch, 2, "the batch of the flag")
        let line = try XCTUnwrap(s.state.spectrum.highlight)
        XCTAssertEqual(line, first.location.line)
        let adc = try XCTUnwrap(s.state.calibration?.adc(forEnergy: SpectralLine(id: line)!.energy))
        XCTAssertTrue(s.state.spectrumWindow.contains(adc))
        XCTAssertEqual(s.state.cursorADC, adc, accuracy: 1)
        XCTAssertEqual(s.state.message, first.description)
        // The highlighted line is drawn and named in the legend.
        let screen = render(s.state).lines.joined(separator: "\n")
        XCTAssertTrue(screen.contains("flag: " + SpectralLine(id: line)!.label), screen)
        // Back to the overview and Enter on a clean cell: the spectrum of all batches, nothing highlighted.
        s.key(.char("1")); s.key(.left)
        XCTAssertEqual(s.state.dataset!.cells[4].summary.flag, .ok, s.state.dataset!.cells[4].summary.note)
        s.key(.enter)
        XCTAssertEqual(s.state.view, .spectrum)
        XCTAssertNil(s.state.batch)
        XCTAssertNil(s.state.spectrum.highlight)
    }
}
