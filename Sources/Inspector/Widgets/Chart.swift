import Foundation

/// Where a chart put its plot area, and the mapping between data x and plot columns, so a view can
/// place a cursor or labels over the plot.
public struct ChartLayout: Equatable, Sendable {
    public var plot: Rect
    public var x: ClosedRange<Double>
    /// Where the marker labels went (rows from the plot's top), and the labels that fitted nowhere
    /// over the plot (listed in the legend instead).
    public var labels: [LabelLayout.Placed] = []
    public var droppedLabels: [String] = []

    /// The cell column of a data x (nil outside the plot).
    public func column(of v: Double) -> Int? {
        guard plot.width > 0, x.upperBound > x.lowerBound else { return nil }
        let f = (v - x.lowerBound) / (x.upperBound - x.lowerBound)
        guard f >= 0, f <= 1 else { return nil }
        return plot.x + Swift.min(plot.width - 1, Int(f * Double(plot.width)))
    }
}

/// A plot with axes, tick labels, a legend and any number of series drawn on a `BrailleCanvas`
/// (the ratatui Chart shape: label gutter as wide as the widest label, then the plot area).
public struct Chart: Sendable {
    /// Something drawn on the chart.
    public enum Series: Sendable {
        /// Binned counts drawn as an envelope: each dot column shows the largest bin it covers, so
        /// narrow peaks stay visible at any zoom.
        case histogram(counts: [Double], lowerEdge: Double, binWidth: Double, layer: Layer)
        /// A polyline through (x, y) points (fitted curves, convergence traces).
        case line(xs: [Double], ys: [Double], layer: Layer)
        /// Unconnected points.
        case points(xs: [Double], ys: [Double], layer: Layer)
        /// A dotted vertical line at x with an optional label at the top of the plot.
        case vertical(x: Double, layer: Layer, label: String?, dotted: Bool)
    }

    public var x: ClosedRange<Double>
    public var y: ClosedRange<Double>
    public var yScale: AxisScale
    /// Tick labels along x; nil means nice linear ticks of the data x.
    public var xTicks: [Tick]?
    public var xTitle: String
    public var yTitle: String
    public var series: [Series]
    /// Legend entries (label, style), drawn top right inside the plot.
    public var legend: [(String, Style)]

    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, yScale: AxisScale = .linear,
                xTicks: [Tick]? = nil, xTitle: String = "", yTitle: String = "",
                series: [Series] = [], legend: [(String, Style)] = []) {
        self.x = x; self.y = y; self.yScale = yScale; self.xTicks = xTicks
        self.xTitle = xTitle; self.yTitle = yTitle; self.series = series; self.legend = legend
    }

    /// The y range to use for data with this maximum: log axes start at 0.5 count.
    public static func countRange(max m: Double, scale: AxisScale) -> ClosedRange<Double> {
        switch scale {
        case .linear: return 0...Swift.max(1, m * 1.08)
        case .log: return 0.5...Swift.max(10, m * 2)
        }
    }

    /// Draws the chart into `rect` and returns its layout.
    @discardableResult
    public func render(into buf: inout CellBuffer, _ rect: Rect, glyphs: GlyphSet) -> ChartLayout {
        let axisStyle = Style(.axis), labelStyle = Style(.label)
        // Y ticks first: their widest label sets the gutter.
        let plotRows = Swift.max(1, rect.height - 2)
        let yTicks: [Tick] = yScale == .log
            ? Ticks.log(y, maxCount: Swift.max(2, plotRows / 2))
            : Ticks.linear(y, maxCount: Swift.max(2, plotRows / 3))
        let gutter = Swift.min(rect.width / 3, (yTicks.map { $0.label.count }.max() ?? 1) + 1)
        let plot = Rect(x: rect.x + gutter + 1, y: rect.y, width: rect.width - gutter - 1, height: plotRows)
        var layout = ChartLayout(plot: plot, x: x)
        guard plot.width >= 2, plot.height >= 1, rect.height >= 3,
              x.lowerBound.isFinite, x.upperBound.isFinite, y.lowerBound.isFinite, y.upperBound.isFinite else { return layout }

        let ty0 = yScale.transform(y.lowerBound), ty1 = yScale.transform(y.upperBound)
        let rowOf = { (v: Double) -> Int in
            let f = (self.yScale.transform(v) - ty0) / Swift.max(1e-300, ty1 - ty0)
            return plot.maxY - 1 - Int((f * Double(plot.height - 1)).rounded())
        }
        // Axis lines.
        let axisX = plot.x - 1, axisY = plot.maxY
        for r in plot.y..<plot.maxY { buf.set(axisX, r, glyphs.vertical, axisStyle) }
        buf.set(axisX, axisY, glyphs.axisCorner, axisStyle)
        for c in plot.x..<plot.maxX { buf.set(c, axisY, glyphs.horizontal, axisStyle) }
        for t in yTicks {
            let r = rowOf(t.value)
            guard r >= plot.y, r < plot.maxY else { continue }
            buf.set(axisX, r, glyphs.yTick, axisStyle)
            let lbl = String(t.label.suffix(gutter))
            buf.put(lbl, x: axisX - lbl.count, y: r, style: labelStyle)
        }
        // X ticks: labels centred under their tick, skipped where they would overlap.
        let xt = xTicks ?? Ticks.linear(x, maxCount: Swift.max(2, plot.width / 10))
        var lastEnd = rect.x - 1
        for t in xt {
            guard let c = layout.column(of: t.value) else { continue }
            buf.set(c, axisY, glyphs.xTick, axisStyle)
            let lbl = glyphs.text(t.label)
            let start = Swift.max(rect.x, Swift.min(rect.maxX - lbl.count, c - lbl.count / 2))
            if start > lastEnd {
                buf.put(lbl, x: start, y: axisY + 1, style: labelStyle)
                lastEnd = start + lbl.count
            }
        }
        if !xTitle.isEmpty {
            let t = glyphs.text(xTitle)
            let start = rect.maxX - t.count
            if start > lastEnd { buf.put(t, x: start, y: axisY + 1, style: Style(.dim)) }
        }
        if !yTitle.isEmpty { buf.put(glyphs.text(yTitle), x: rect.x, y: rect.y, style: Style(.dim), maxWidth: gutter) }

        // Series on the dot canvas.
        var canvas = BrailleCanvas(width: plot.width, height: plot.height)
        let dw = Double(canvas.dotWidth), dh = Double(canvas.dotHeight)
        let xSpan = x.upperBound - x.lowerBound
        let tySpan = Swift.max(1e-300, ty1 - ty0)
        // Non-finite or far-away values are clamped, never converted to Int as they are (a trap).
        let dotY = { (v: Double) -> Int in
            var f = (self.yScale.transform(v) - ty0) / tySpan
            if !f.isFinite { f = v.isNaN ? -1 : (f > 0 ? 1.02 : -0.02) }
            return canvas.dotHeight - 1 - Int((Swift.min(1.02, Swift.max(-0.02, f)) * (dh - 1)).rounded())
        }
        let dotX = { (v: Double) -> Int in
            let d = ((v - self.x.lowerBound) / xSpan * dw).rounded(.down)
            return d.isFinite ? Int(Swift.max(-1e6, Swift.min(1e6, d))) : -1
        }
        var labels: [(Int, String, Style)] = []
        for s in series {
            switch s {
            case let .histogram(counts, lowerEdge, binWidth, layer):
                guard !counts.isEmpty, xSpan > 0 else { continue }
                let perDot = xSpan / dw
                var prev: Int? = nil
                for px in 0..<canvas.dotWidth {
                    let a = x.lowerBound + Double(px) * perDot, b = a + perDot
                    var b0 = Int(((a - lowerEdge) / binWidth).rounded(.down))
                    var b1 = Int(((b - lowerEdge) / binWidth).rounded(.up)) - 1
                    if b1 < b0 { b1 = b0 }
                    b0 = Swift.max(0, b0); b1 = Swift.min(counts.count - 1, b1)
                    guard b0 <= b1 else { prev = nil; continue }
                    var m = counts[b0]
                    if b1 > b0 { for i in (b0 + 1)...b1 where counts[i] > m { m = counts[i] } }
                    let yd = dotY(m)
                    canvas.vline(px, prev ?? yd, yd, layer)
                    prev = yd
                }
            case let .line(xs, ys, layer):
                var prev: (Int, Int)? = nil
                for i in 0..<Swift.min(xs.count, ys.count) {
                    guard xs[i].isFinite, ys[i].isFinite else { prev = nil; continue }
                    let p = (dotX(xs[i]), dotY(ys[i]))
                    if let q = prev { canvas.line(q.0, q.1, p.0, p.1, layer) } else { canvas.set(p.0, p.1, layer) }
                    prev = p
                }
            case let .points(xs, ys, layer):
                for i in 0..<Swift.min(xs.count, ys.count) where xs[i].isFinite && ys[i].isFinite {
                    canvas.set(dotX(xs[i]), dotY(ys[i]), layer)
                }
            case let .vertical(vx, layer, label, dotted):
                guard vx.isFinite else { continue }
                let px = dotX(vx)
                guard px >= 0, px < canvas.dotWidth else { continue }
                for py in stride(from: dotted ? 1 : 0, to: canvas.dotHeight, by: dotted ? 2 : 1) { canvas.set(px, py, layer) }
                if let l = label { labels.append((plot.x + px / 2, l, layer.style)) }
            }
        }
        canvas.draw(into: &buf, x: plot.x, y: plot.y, glyphs: glyphs)

        // Marker labels along the top rows, just right of their marker: staggered over up to three
        // rows, shortened ("Ti Kβ" → "Tiβ" → "β") where they would touch, and listed in the legend
        // when they fit nowhere (LabelLayout), so two labels never run into each other.
        let labelRows = Swift.max(1, Swift.min(3, plot.height - 1))
        let (placed, dropped) = LabelLayout.place(
            labels.map { LabelLayout.Label(anchor: $0.0, texts: LabelLayout.lineTexts($0.1).map(glyphs.text), style: $0.2.bolded) },
            rows: labelRows, minX: plot.x, maxX: plot.maxX, offset: 1, gap: 2)
        LabelLayout.draw(placed, into: &buf, y: plot.y)
        layout.labels = placed
        layout.droppedLabels = dropped.map { glyphs.text(labels[$0].1) }
        let usedRows = placed.isEmpty ? 0 : (placed.map(\.row).max()! + 1)
        // Legend, top right, under the labels; labels that fitted nowhere are listed in it.
        let entries = legend + dropped.map { (labels[$0].1, labels[$0].2) }
        if !entries.isEmpty {
            let w = (entries.map { glyphs.text($0.0).count }.max() ?? 0) + 2
            for (i, (text, style)) in entries.enumerated() where i < plot.height {
                let x0 = plot.maxX - w
                guard x0 > plot.x else { break }
                let row = plot.y + i + usedRows
                guard row < plot.maxY else { break }
                buf.set(x0, row, glyphs.swatch, style)
                buf.set(x0 + 1, row, " ", .normal)
                buf.put(glyphs.text(text), x: x0 + 2, y: row, style: Style(.label))
            }
        }
        return layout
    }
}
