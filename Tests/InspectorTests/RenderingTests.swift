import XCTest
@testable import Inspector

final class RenderingTests: XCTestCase {
    func testBrailleBitsFollowTheStandardLayout() {
        // Column 0 top→bottom 0x01, 0x02, 0x04, 0x40; column 1: 0x08, 0x10, 0x20, 0x80.
        let expected: [(Int, Int, UInt8)] = [(0, 0, 0x01), (0, 1, 0x02), (0, 2, 0x04), (0, 3, 0x40),
                                             (1, 0, 0x08), (1, 1, 0x10), (1, 2, 0x20), (1, 3, 0x80)]
        for (x, y, bit) in expected {
            var c = BrailleCanvas(width: 1, height: 1)
            c.set(x, y, Layer(.normal, priority: 1))
            XCTAssertEqual(c.mask(cellX: 0, cellY: 0), bit, "dot (\(x),\(y))")
            var buf = CellBuffer(width: 1, height: 1)
            c.draw(into: &buf, x: 0, y: 0, glyphs: .unicode)
            XCTAssertEqual(buf[0, 0].scalar.value, 0x2800 + UInt32(bit))
        }
        var full = BrailleCanvas(width: 2, height: 1)
        for x in 0..<4 { for y in 0..<4 { full.set(x, y, Layer(.normal, priority: 1)) } }
        var buf = CellBuffer(width: 2, height: 1)
        full.draw(into: &buf, x: 0, y: 0, glyphs: .unicode)
        XCTAssertEqual(buf.lines, ["⣿⣿"])
    }

    func testLayerPriorityDecidesTheCellColour() {
        var c = BrailleCanvas(width: 1, height: 1)
        c.set(0, 0, Layer(Style(.cnn), priority: 4))
        c.set(1, 3, Layer(Style(.spectrum), priority: 1))   // lower priority: dot added, colour kept
        var buf = CellBuffer(width: 1, height: 1)
        c.draw(into: &buf, x: 0, y: 0, glyphs: .unicode)
        XCTAssertEqual(buf[0, 0].style.role, .cnn)
        XCTAssertEqual(buf[0, 0].scalar.value, 0x2800 + 0x81)
        c.set(0, 1, Layer(Style(.cursor), priority: 6))
        var buf2 = CellBuffer(width: 1, height: 1)
        c.draw(into: &buf2, x: 0, y: 0, glyphs: .unicode)
        XCTAssertEqual(buf2[0, 0].style.role, .cursor)
    }

    func testFallbackGlyphs() {
        XCTAssertEqual(GlyphSet.ascii.dotGlyph(0x01), "'")
        XCTAssertEqual(GlyphSet.ascii.dotGlyph(0x80), ".")
        XCTAssertEqual(GlyphSet.ascii.dotGlyph(0x09 | 0x40), ":")
        XCTAssertEqual(GlyphSet.ascii.dotGlyph(0), " ")
        XCTAssertEqual(GlyphSet.blocks.dotGlyph(0xFF), "█")
        XCTAssertEqual(GlyphSet.blocks.dotGlyph(0x03), "▘")
        XCTAssertEqual(GlyphSet.blocks.dotGlyph(0xA0), "▗")
        XCTAssertEqual(GlyphSet.ascii.text("Cu Kα · χ²/ndf ±1 ← 2·x − 1"), "Cu Ka | chi2/ndf +/-1 <- 2*x - 1")
        XCTAssertEqual(GlyphSet.unicode.text("Cu Kα"), "Cu Kα")
        // Every glyph of the ASCII set is ASCII.
        let g = GlyphSet.ascii
        for s in [g.horizontal, g.vertical, g.topLeft, g.xTick, g.yTick, g.swatch, g.marker, g.pointer, g.rule, g.barFull, g.barEmpty] {
            XCTAssertTrue(s.isASCII)
        }
        for m in 0...255 { XCTAssertTrue(g.dotGlyph(UInt8(m)).isASCII) }
    }

    func testBufferDiffSendsOnlyChangedRuns() {
        var a = CellBuffer(width: 10, height: 2)
        a.put("hello", x: 0, y: 0)
        XCTAssertEqual(a.changes(since: nil).count, 2)   // full repaint: one run per row (one style)
        var b = a
        XCTAssertEqual(b.changes(since: a), [])
        b.put("J", x: 0, y: 0)
        b.put("XY", x: 3, y: 1, style: Style(.bad))
        let runs = b.changes(since: a)
        XCTAssertEqual(runs, [CellRun(x: 0, y: 0, style: .normal, text: "J"), CellRun(x: 3, y: 1, style: Style(.bad), text: "XY")])
        // A size change repaints everything.
        XCTAssertEqual(CellBuffer(width: 3, height: 1).changes(since: a).count, 1)
    }

    func testBufferClipsText() {
        var b = CellBuffer(width: 5, height: 1)
        XCTAssertEqual(b.put("abcdefgh", x: 2, y: 0), 3)
        XCTAssertEqual(b.lines, ["  abc"])
        b.put("zz", x: -1, y: 0)
        XCTAssertEqual(b.lines, ["z abc"])
        XCTAssertEqual(b.put("q", x: 0, y: 5), 0)
    }

    func testNiceLinearTicks() {
        XCTAssertEqual(Ticks.linear(1500...4500, maxCount: 8).map(\.label), ["1500", "2000", "2500", "3000", "3500", "4000", "4500"])
        XCTAssertEqual(Ticks.linear(0...1, maxCount: 5).map(\.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(Ticks.niceStep(span: 1000, maxCount: 3), 500)
        XCTAssertEqual(Ticks.linear(7000...8500, maxCount: 4).map(\.value), [7000, 7500, 8000, 8500])
        XCTAssertEqual([0.3, 1, 1.5, 3, 40, 51, 999].map(Ticks.niceCeiling), [0.5, 1, 2, 5, 50, 100, 1000])
    }

    func testLogTicksAreDecades() {
        XCTAssertEqual(Ticks.log(0.5...20000, maxCount: 10).map(\.label), ["1", "10", "100", "1k", "10k"])
        XCTAssertEqual(Ticks.log(0.5...2e6, maxCount: 3).map(\.label), ["1", "1k", "1M"])
        XCTAssertEqual(AxisScale.log.transform(1000), 3, accuracy: 1e-12)
        XCTAssertEqual(AxisScale.log.transform(0), log10(0.5), accuracy: 1e-12)
    }

    func testHistogramEnvelopeKeepsANarrowPeakVisible() {
        // 4096 bins with one spike: zoomed out to 40 columns, the spike's column reaches the top row.
        var counts = [Double](repeating: 1, count: 4096)
        counts[2500] = 1000
        let chart = Chart(x: 0...4096, y: 0...1000, series: [.histogram(counts: counts, lowerEdge: 0, binWidth: 1, layer: Layer(Style(.spectrum), priority: 1))])
        var buf = CellBuffer(width: 50, height: 12)
        let layout = chart.render(into: &buf, buf.bounds, glyphs: .unicode)
        let col = layout.column(of: 2500.5)!
        XCTAssertNotEqual(buf[col, layout.plot.y].scalar, " ", "spike must reach the top row")
        XCTAssertEqual(buf[col, layout.plot.y].style.role, .spectrum)
        // Elsewhere the top row is empty.
        XCTAssertEqual(buf[layout.plot.x + 1, layout.plot.y].scalar, " ")
        // Axis labels: y gutter holds 1000, x axis labels 0 … 4000.
        XCTAssertTrue(buf.lines[layout.plot.y].trimmingCharacters(in: .whitespaces).hasPrefix("1000┤"), buf.lines[layout.plot.y])
        XCTAssertTrue(buf.lines[layout.plot.maxY + 1].contains("2000"))
    }

    func testChartLogScalePlacesDecadesEvenly() {
        let chart = Chart(x: 0...10, y: 0.5...2000, yScale: .log)
        var buf = CellBuffer(width: 30, height: 14)
        chart.render(into: &buf, buf.bounds, glyphs: .ascii)
        let rows = buf.lines.enumerated().filter { ["1+", "10+", "100+", "1k+"].contains($0.element.prefix(5).trimmingCharacters(in: .whitespaces)) }.map(\.offset)
        XCTAssertEqual(rows.count, 4, buf.lines.joined(separator: "\n"))
        let gaps = zip(rows.dropFirst(), rows).map { $0 - $1 }
        XCTAssertLessThanOrEqual(gaps.max()! - gaps.min()!, 1, "decades evenly spaced: \(rows)")
    }
}

final class RobustnessTests: XCTestCase {
    /// NaN, infinite and huge values in any series draw nothing for those points instead of trapping.
    func testNonFiniteValuesDoNotTrap() {
        let bad = [Double.nan, .infinity, -.infinity, 1e300, -1e300]
        let chart = Chart(x: 0...100, y: 0...10, yScale: .log, series: [
            .histogram(counts: bad + [1, 2, 3], lowerEdge: 0, binWidth: 10, layer: Layer(.normal, priority: 1)),
            .line(xs: bad + [50], ys: [1, 2, 3, 4, 5, 6], layer: Layer(.normal, priority: 1)),
            .points(xs: bad, ys: bad, layer: Layer(.normal, priority: 1)),
            .vertical(x: .nan, layer: Layer(.normal, priority: 1), label: "x", dotted: true),
            .vertical(x: 1e300, layer: Layer(.normal, priority: 1), label: "y", dotted: false),
        ])
        var buf = CellBuffer(width: 40, height: 12)
        chart.render(into: &buf, buf.bounds, glyphs: .unicode)
        XCTAssertEqual(buf.lines.count, 12)
        // The optimize view with a non-finite log-likelihood in its trace still renders.
        var s = InspectorState(width: 80, height: 24)
        s.optimize.phase = .running
        _ = s.update(.optimizerProgress([OptimizerSnapshot(iteration: 1, logLikelihood: .nan, elapsed: 0.1),
                                         OptimizerSnapshot(iteration: 2, logLikelihood: 1, elapsed: 0.2)]))
        s.view = .optimize
        s.dataset = Dataset(name: "x", profile: .vip2, cells: [])
        XCTAssertEqual(render(s).lines.count, 24)
    }
}
