import Foundation
import SDDCore

/// Figures 5, 6 and 7 of the paper as standalone SVG files (any browser opens them).
public enum SVGFigures {
    /// A plot frame: data ranges mapped into a 720×440 canvas with margins, axes, ticks and labels.
    struct Frame {
        let x: ClosedRange<Double>, y: ClosedRange<Double>
        /// Whole-number ticks only on x (iterations).
        var integerX = false
        let w = 720.0, h = 440.0, left = 90.0, right = 20.0, top = 40.0, bottom = 60.0
        func px(_ v: Double) -> Double { left + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * (w - left - right) }
        func py(_ v: Double) -> Double { h - bottom - (v - y.lowerBound) / (y.upperBound - y.lowerBound) * (h - top - bottom) }

        func axes(title: String, xLabel: String, yLabel: String) -> String {
            var s = "<rect x=\"0\" y=\"0\" width=\"\(w)\" height=\"\(h)\" fill=\"white\"/>\n"
            s += "<text x=\"\(w / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">\(esc(title))</text>\n"
            s += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w - right)\" y2=\"\(h - bottom)\" stroke=\"black\"/>\n"
            s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(h - bottom)\" stroke=\"black\"/>\n"
            for t in Self.ticks(x) where !integerX || t == t.rounded() {
                s += "<line x1=\"\(f(px(t)))\" y1=\"\(h - bottom)\" x2=\"\(f(px(t)))\" y2=\"\(h - bottom + 5)\" stroke=\"black\"/>"
                s += "<text x=\"\(f(px(t)))\" y=\"\(h - bottom + 20)\" text-anchor=\"middle\" font-size=\"12\">\(Self.label(t))</text>\n"
            }
            for t in Self.ticks(y) {
                s += "<line x1=\"\(left - 5)\" y1=\"\(f(py(t)))\" x2=\"\(left)\" y2=\"\(f(py(t)))\" stroke=\"black\"/>"
                s += "<text x=\"\(left - 8)\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\" font-size=\"12\">\(Self.label(t))</text>\n"
            }
            s += "<text x=\"\(w / 2)\" y=\"\(h - 15)\" text-anchor=\"middle\" font-size=\"13\">\(esc(xLabel))</text>\n"
            s += "<text transform=\"translate(16,\(h / 2)) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(esc(yLabel))</text>\n"
            return s
        }

        func polyline(_ pts: [(Double, Double)], color: String, width: Double = 1.5, dash: String? = nil) -> String {
            let p = pts.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") points=\"\(p)\"/>\n"
        }

        /// Nice tick values (1, 2, 5 × 10^k, at most 6 steps) covering a range.
        static func ticks(_ r: ClosedRange<Double>) -> [Double] { AxisTicks.linear(r, maxCount: 6).values }
        static func label(_ x: Double) -> String {
            let v = x == 0 ? 0 : x   // no "-0"
            if abs(v) >= 1e5 || (abs(v) < 1e-3 && v != 0) { return String(format: "%.3g", v) }
            return v == v.rounded() ? String(format: "%.0f", v) : String(format: "%g", v)
        }
    }

    static func f(_ v: Double) -> String { String(format: "%.2f", v) }
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
    static func document(_ body: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"440\" viewBox=\"0 0 720 440\" font-family=\"sans-serif\">\n" + body + "</svg>\n"
    }
    static func legend(_ items: [(String, String)]) -> String {
        var s = ""
        for (i, (name, color)) in items.enumerated() {
            let y = 60.0 + 18 * Double(i)
            s += "<line x1=\"100\" y1=\"\(y)\" x2=\"125\" y2=\"\(y)\" stroke=\"\(color)\" stroke-width=\"2\"/><text x=\"132\" y=\"\(y + 4)\" font-size=\"12\">\(esc(name))</text>\n"
        }
        return s
    }

    /// Figure 5: summed log-likelihood against iteration.
    public static func figure5(_ r: BeforeAfterReport) -> String {
        let c = r.logLikelihoodCurve
        guard let lo = c.min(), let hi = c.max() else { return document("<text x=\"20\" y=\"40\">no batch optimized</text>\n") }
        // Plotted relative to the start: the absolute value (~10⁵–10⁶) would leave unreadable tick labels.
        let start = c[0]
        let pad = max(1e-9, (hi - lo) * 0.08)
        let fr = Frame(x: 0...Double(max(1, c.count - 1)), y: (lo - start - pad)...(hi - start + pad), integerX: true)
        var s = fr.axes(title: "Figure 5: log-likelihood during the optimization (\(r.settings.optimizer.method.rawValue))", xLabel: "iteration",
                        yLabel: "log L − log L(start), summed over batches")
        s += fr.polyline(c.enumerated().map { (Double($0.offset), $0.element - start) }, color: "#1f77b4", width: 2)
        if c.count <= 60 {
            for (i, v) in c.enumerated() { s += "<circle cx=\"\(f(fr.px(Double(i))))\" cy=\"\(f(fr.py(v - start)))\" r=\"3\" fill=\"#1f77b4\"/>\n" }
        }
        s += "<text x=\"\(fr.w - 30)\" y=\"\(fr.h - fr.bottom - 10)\" text-anchor=\"end\" font-size=\"12\">" + String(format: "log L(start) = %.1f", start) + "</text>\n"
        return document(s)
    }

    /// Figure 6: histogram of (μRef − μOpt)/σμRef over batches.
    public static func figure6(_ r: BeforeAfterReport) -> String {
        let p = r.pulls.map(\.pull)
        let width = 0.25
        let lo = min(-3, (p.min() ?? 0).rounded(.down)), hi = max(3, (p.max() ?? 0).rounded(.up))
        let n = Int(((hi - lo) / width).rounded())
        var counts = [Int](repeating: 0, count: n)
        for v in p { counts[min(n - 1, max(0, Int((v - lo) / width)))] += 1 }
        let top = Double(max(1, counts.max() ?? 1)) * 1.1
        let fr = Frame(x: lo...hi, y: 0...top)
        var s = fr.axes(title: "Figure 6: Cu Kα centroid shift per batch (\(p.count) batches)", xLabel: "(μRef − μOpt) / σμRef", yLabel: "batches")
        for (i, c) in counts.enumerated() where c > 0 {
            let x0 = lo + Double(i) * width
            s += "<rect x=\"\(f(fr.px(x0)))\" y=\"\(f(fr.py(Double(c))))\" width=\"\(f(fr.px(x0 + width) - fr.px(x0)))\" height=\"\(f(fr.py(0) - fr.py(Double(c))))\" fill=\"#1f77b4\" stroke=\"white\"/>\n"
        }
        for edge in [-1.0, 1.0] {
            s += fr.polyline([(edge, 0), (edge, top)], color: "#888", width: 1, dash: "4 3")
        }
        return document(s)
    }

    /// Figure 7: the Cu Kα region before and after, with the fitted curves and the Pauli-forbidden line.
    public static func figure7(_ r: BeforeAfterReport) -> String {
        let hb = r.spectrumBefore, ha = r.spectrumAfter
        let top = max(hb.counts.max() ?? 1, ha.counts.max() ?? 1, 1) * 1.12
        let fr = Frame(x: hb.lowerEdge...hb.upperEdge, y: 0...top)
        var s = fr.axes(title: "Figure 7: Cu Kα before and after the optimization", xLabel: "energy [eV]",
                        yLabel: "counts / \(Frame.label(hb.binWidth)) eV")
        func steps(_ h: Histogram) -> [(Double, Double)] {
            var pts: [(Double, Double)] = []
            for i in h.counts.indices {
                let a = h.lowerEdge + Double(i) * h.binWidth
                pts.append((a, h.counts[i])); pts.append((a + h.binWidth, h.counts[i]))
            }
            return pts
        }
        let blue = "#1f77b4", orange = "#ff7f0e"
        s += fr.polyline(steps(hb), color: blue, width: 1)
        s += fr.polyline(steps(ha), color: orange, width: 1)
        if r.fitBefore.count == hb.counts.count { s += fr.polyline(zip(hb.centers, r.fitBefore).map { ($0, $1) }, color: blue, width: 2.5) }
        if r.fitAfter.count == ha.counts.count { s += fr.polyline(zip(ha.centers, r.fitAfter).map { ($0, $1) }, color: orange, width: 2.5) }
        let pauli = XRayLineTable.pauliForbiddenCuKalpha
        s += fr.polyline([(pauli, 0), (pauli, top)], color: "#2ca02c", width: 1, dash: "5 4")
        s += legend([(String(format: "reference: FWHM %.1f ± %.1f eV", r.before.fwhmEV, r.before.fwhmErrorEV), blue),
                     (String(format: "optimized: FWHM %.1f ± %.1f eV", r.after.fwhmEV, r.after.fwhmErrorEV), orange),
                     ("Pauli-forbidden Cu Kα 7746.73 eV", "#2ca02c")])
        return document(s)
    }

    /// Writes figure5.svg, figure6.svg and figure7.svg into `directory` (created if needed).
    public static func write(_ r: BeforeAfterReport, to directory: String, overwrite: Bool) throws -> [String] {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw SDDError.badFile(file: directory, message: "cannot create directory: \(error.localizedDescription)")
        }
        var paths: [String] = []
        for (name, svg) in [("figure5.svg", figure5(r)), ("figure6.svg", figure6(r)), ("figure7.svg", figure7(r))] {
            let p = (directory as NSString).appendingPathComponent(name)
            try AtomicFile.write(svg, to: p, overwrite: overwrite)
            paths.append(p)
        }
        return paths
    }
}
