import XCTest
import SDDCore
@testable import Inspector

/// Labels never overwrite or touch each other: the layout's invariants on random input, and the
/// spectrum and seeds views with neighbouring lines (Ti Kα/Kβ, Mn Kα/Kβ at low gain).
final class LabelLayoutTests: XCTestCase {
    /// Same-row labels keep ≥ gap blank columns, stay inside the bounds, use one of their texts,
    /// and every label is either placed once or reported dropped.
    func testLayoutInvariantsOnRandomLabels() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let n = Int.random(in: 1...12, using: &rng), rows = Int.random(in: 1...3, using: &rng)
            let minX = Int.random(in: 0...5, using: &rng), maxX = minX + Int.random(in: 8...80, using: &rng)
            let names = ["Ti Kα", "Ti Kβ", "Mn Kα", "Mn Kβ", "Cu Kα", "Pauli-forbidden 7746.73", "seed Mn Kα"]
            let labels = (0..<n).map { _ in
                LabelLayout.Label(anchor: Int.random(in: minX...maxX, using: &rng),
                                  texts: LabelLayout.lineTexts(names.randomElement(using: &rng)!), style: .normal)
            }
            let (placed, dropped) = LabelLayout.place(labels, rows: rows, minX: minX, maxX: maxX)
            XCTAssertEqual(Set(placed.map(\.index)).count, placed.count)
            XCTAssertEqual(Set(placed.map(\.index)).union(dropped).count, n)
            XCTAssertTrue(Set(placed.map(\.index)).isDisjoint(with: dropped))
            for p in placed {
                XCTAssertTrue(labels[p.index].texts.contains(p.text))
                XCTAssertGreaterThanOrEqual(p.x, minX)
                XCTAssertLessThanOrEqual(p.x + p.text.count, maxX)
                XCTAssertTrue(p.row >= 0 && p.row < rows)
            }
            for r in 0..<rows {
                let row = placed.filter { $0.row == r }.sorted { $0.x < $1.x }
                for (a, b) in zip(row, row.dropFirst()) {
                    XCTAssertGreaterThanOrEqual(b.x - (a.x + a.text.count), 2, "\(a.text) and \(b.text) touch")
                }
            }
        }
        XCTAssertEqual(LabelLayout.lineTexts("Mn Kβ"), ["Mn Kβ", "Mnβ", "β"])
        XCTAssertEqual(LabelLayout.lineTexts("Pauli-forbidden 7746.73"), ["Pauli-forbidden 7746.73"])
    }

    /// The buffer shows every placed label whole at its place (nothing drawn over it later), and
    /// the labels that fitted nowhere are in the legend.
    func assertLabelsIntact(_ layout: ChartLayout, _ buf: CellBuffer, _ all: [String], file: StaticString = #filePath, line: UInt = #line) {
        let lines = buf.lines.map { Array($0.unicodeScalars) }
        for p in layout.labels {
            let got = String(String.UnicodeScalarView(lines[layout.plot.y + p.row][p.x..<(p.x + p.text.unicodeScalars.count)]))
            XCTAssertEqual(got, p.text, "label overwritten", file: file, line: line)
        }
        let text = buf.lines.joined(separator: "\n")
        for d in layout.droppedLabels { XCTAssertTrue(text.contains(d), "dropped \(d) not in the legend", file: file, line: line) }
        // Every line is named somewhere: whole, shortened, or in the legend.
        for name in all {
            let forms = Set(LabelLayout.lineTexts(name))
            XCTAssertTrue(layout.labels.contains { forms.contains($0.text) } || layout.droppedLabels.contains(name),
                          "\(name) lost", file: file, line: line)
        }
    }

    func state(width: Int, height: Int) -> InspectorState {
        let s = InspectorSession(state: InspectorState(width: width, height: height),
                                 engine: InspectorEngine(services: Fixtures.services(), synchronous: true, clock: Fixtures.steppingClock()))
        s.dispatch(.datasetLoaded(Fixtures.dataset(cells: 2))); s.pump()
        s.key(.char("2"))
        // The marks below are of a 4.2 eV/ADC cell while the fixture's calibration is ~3.16, whose
        // default window (the lines under it) would leave Ti out: show ADC 1300–4800.
        var st = s.state
        st.spectrum.window = 1300...4800
        return st
    }

    /// Spectrum view at 80×24 over its default window, with CNN and SciPy centroids of a
    /// low-gain cell (4.2 eV/ADC: Ti Kα/Kβ 2 columns apart, Mn Kα/Kβ 3): the labels are staggered
    /// or shortened, never run together ("Ti Kα⢐Ti Kβ"), and none is lost.
    func testSpectrumLabelsOfNeighbouringLinesAtLowGain() {
        for (w, h) in [(80, 24), (160, 48)] {
            var st = state(width: w, height: h)
            let marks = LineProfile.vip2.calibrationLines.map { CentroidMark(lineID: $0.id, adc: 600 + $0.energy / 4.2) }
            _ = st.update(.centroids(cell: 0, batch: nil, scipy: marks.map { CentroidMark(lineID: nil, adc: $0.adc + 30) }, cnn: marks))
            let chart = SpectrumView.chart(st, st.histogram!, markers: true)
            var buf = CellBuffer(width: w, height: h)
            let layout = chart.render(into: &buf, Rect(x: 0, y: 1, width: w, height: h - 4), glyphs: .unicode)
            XCTAssertEqual(layout.labels.count + layout.droppedLabels.count, 5)
            assertLabelsIntact(layout, buf, LineProfile.vip2.calibrationLines.map(\.label))
            let top = buf.lines[layout.plot.y...(layout.plot.y + 2)].joined(separator: "\n")
            XCTAssertNil(top.range(of: "K[αβ].Ti|K[αβ].Mn|K[αβ].Cu", options: .regularExpression), top)
        }
        // The same through the whole view, as a user sees it.
        var st = state(width: 80, height: 24)
        let marks = LineProfile.vip2.calibrationLines.map { CentroidMark(lineID: $0.id, adc: 600 + $0.energy / 4.2) }
        _ = st.update(.centroids(cell: 0, batch: nil, scipy: [], cnn: marks))
        let text = render(st).lines.joined(separator: "\n")
        XCTAssertNil(text.range(of: "K[αβ].?(Ti|Mn|Cu) ", options: .regularExpression), text)
        XCTAssertTrue(text.contains("Ti Kα"), text)
    }

    /// Seeds view: the selected line's seed and its neighbour's (Ti Kβ next to Ti Kα; Mn Kβ next
    /// to Mn Kα) are both labelled, without overlap.
    func testSeedsViewLabelsTheNeighbouringSeed() {
        let s = InspectorSession(state: InspectorState(width: 80, height: 24),
                                 engine: InspectorEngine(services: Fixtures.services(), synchronous: true, clock: Fixtures.steppingClock()))
        s.dispatch(.datasetLoaded(Fixtures.dataset(cells: 2))); s.pump()
        s.key(.char("3"))
        var text = render(s.state).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("seed Ti Kα"), text)
        XCTAssertTrue(text.contains("Ti Kβ") || text.contains("Tiβ"), text)
        s.key(.down); s.key(.down)
        text = render(s.state).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("seed Mn Kα"), text)
        XCTAssertTrue(text.contains("Mn Kβ") || text.contains("Mnβ"), text)
    }
}
