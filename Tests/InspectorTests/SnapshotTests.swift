import XCTest
import SDDCore
@testable import Inspector

/// Rendered buffers (text and styles) of every view at 80×24 and 160×48 in both glyph sets,
/// compared with the reference files in Snapshots/.
final class SnapshotTests: XCTestCase {
    static let data = Fixtures.dataset()

    /// A session driven by keys into a state worth looking at.
    func prepared(_ view: View, width: Int, height: Int, glyphs: GlyphSet) -> InspectorState {
        let engine = InspectorEngine(services: Fixtures.services(), synchronous: true, clock: Fixtures.steppingClock())
        let s = InspectorSession(state: InspectorState(width: width, height: height, glyphs: glyphs), engine: engine)
        s.dispatch(.datasetLoaded(Self.data))
        s.pump()
        switch view {
        case .overview:
            s.key(.char("j")); s.key(.char("5")); s.key(.enter); s.key(.char(" "))
        case .spectrum:
            s.key(.char("n")); s.key(.char("2")); s.key(.char("]"))
            s.key(.shiftRight); s.key(.right)
        case .seeds:
            s.key(.char("3")); s.key(.down); s.key(.down); s.key(.right); s.key(.right)
        case .optimize:
            s.key(.char("4")); s.key(.char("o"))
        case .beforeAfter:
            s.key(.char("4")); s.key(.char("o")); s.key(.char("a")); s.key(.char("5"))
        }
        s.pump()
        return s.state
    }

    /// One session per view, driven by keys at 80×24, then resized and re-glyphed: the same state
    /// at every size (the keys used move the same way at both widths), and a quarter of the work.
    func check(_ view: View) {
        let base = prepared(view, width: 80, height: 24, glyphs: .unicode)
        for (w, h) in [(80, 24), (160, 48)] {
            for g in [GlyphSet.unicode, .ascii] {
                var st = base
                _ = st.update(.resize(width: w, height: h))
                st.glyphs = g
                let buf = render(st)
                assertSnapshot(buf, named: "\(view)-\(w)x\(h)-\(g.rawValue)")
                if g == .ascii {
                    for line in buf.lines { XCTAssertTrue(line.unicodeScalars.allSatisfy(\.isASCII), "non-ASCII in \(view) \(w)x\(h): \(line)") }
                }
            }
        }
    }

    func testOverview() { check(.overview) }
    func testSpectrum() { check(.spectrum) }
    func testSeeds() { check(.seeds) }
    func testOptimize() { check(.optimize) }
    func testBeforeAfter() { check(.beforeAfter) }

    func testHelpOverlay() {
        var st = prepared(.spectrum, width: 80, height: 24, glyphs: .unicode)
        _ = st.update(.toggleHelp)
        let buf = render(st)
        assertSnapshot(buf, named: "help-spectrum-80x24-unicode")
        XCTAssertTrue(buf.lines.joined().contains("zoom in at the cursor"))
    }

    /// Content checks that do not depend on the reference files.
    func testViewsShowWhatTheyMust() {
        let ov = render(prepared(.overview, width: 80, height: 24, glyphs: .unicode)).lines.joined(separator: "\n")
        XCTAssertTrue(ov.contains("cells 0–31 of 32"), ov)
        XCTAssertTrue(ov.contains("Cu 18"), "Cu Kα FWHM shown")
        let sp = render(prepared(.spectrum, width: 160, height: 48, glyphs: .unicode))
        let text = sp.lines.joined(separator: "\n")
        for s in ["cell 1", "batch 1/3", "Mn Kα", "CNN centroids", "SciPy centroids", "cursor ADC", "p0", "p1", "p2"] {
            XCTAssertTrue(text.contains(s), "spectrum view lacks \(s)")
        }
        XCTAssertTrue(sp.cells.contains { $0.style.role == .cnn }, "CNN markers drawn")
        XCTAssertTrue(sp.cells.contains { $0.style.role == .scipy }, "SciPy markers drawn")
        let ba = render(prepared(.beforeAfter, width: 160, height: 48, glyphs: .ascii)).lines.joined(separator: "\n")
        XCTAssertTrue(ba.contains("Pauli-forbidden 7746.73"))
        XCTAssertTrue(ba.contains("chi2/ndf"))
        let op = render(prepared(.optimize, width: 80, height: 24, glyphs: .unicode)).lines.joined(separator: "\n")
        XCTAssertTrue(op.contains("iteration 50"), op)
    }

    func testTinyTerminalsDoNotCrash() {
        for v in View.allCases {
            let base = prepared(v, width: 80, height: 24, glyphs: .unicode)
            for (w, h) in [(1, 1), (19, 5), (20, 6), (30, 8), (45, 12)] {
                var st = base
                _ = st.update(.resize(width: w, height: h))
                _ = st.update(.toggleHelp)
                XCTAssertEqual(render(st).lines.count, h)
            }
        }
    }
}
