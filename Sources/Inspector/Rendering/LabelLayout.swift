/// Places text labels at wanted columns on a few rows so that none overwrites or touches another:
/// each label takes the first row where its text fits, then a shorter form of it (e.g. "Ti Kβ" →
/// "Tiβ" → "β"), and is left out (reported) when nothing fits. Labels in one row keep at least
/// `gap` blank columns between them, so "Ti Kα" and "Ti Kβ" never read as one word.
public enum LabelLayout {
    /// A label to place: the column it belongs to and its texts, longest first.
    public struct Label: Equatable, Sendable {
        public var anchor: Int
        public var texts: [String]
        public var style: Style
        public init(anchor: Int, texts: [String], style: Style) { self.anchor = anchor; self.texts = texts; self.style = style }
    }

    /// Where a label went: its first column, row (0 = top) and the text chosen.
    public struct Placed: Equatable, Sendable {
        public var x: Int, row: Int
        public var text: String
        public var style: Style
        /// Index of the label in the input.
        public var index: Int
    }

    /// Lays out labels left to right in anchor order. A label starts at `anchor + offset`
    /// (offset 1: just right of a marker column; a negative offset centres it), moved left when it
    /// would run past `maxX`. Rows are tried top first for the full text, then for each shorter one.
    /// - Returns: the placed labels, and the indices of labels that did not fit anywhere.
    public static func place(_ labels: [Label], rows: Int, minX: Int, maxX: Int, offset: Int = 1, gap: Int = 2)
        -> (placed: [Placed], dropped: [Int]) {
        guard rows > 0, maxX > minX else { return ([], Array(labels.indices)) }
        var ends = [Int](repeating: Int.min / 2, count: rows)
        var placed: [Placed] = []
        var dropped: [Int] = []
        for i in labels.indices.sorted(by: { labels[$0].anchor < labels[$1].anchor }) {
            let l = labels[i]
            var done = false
            outer: for t in l.texts where !t.isEmpty {
                let n = t.unicodeScalars.count
                guard n <= maxX - minX else { continue }
                let start = Swift.max(minX, Swift.min(maxX - n, l.anchor + (offset < 0 ? -n / 2 : offset)))
                for r in 0..<rows where start >= ends[r] + gap {
                    placed.append(Placed(x: start, row: r, text: t, style: l.style, index: i))
                    ends[r] = start + n
                    done = true
                    break outer
                }
            }
            if !done { dropped.append(i) }
        }
        return (placed, dropped)
    }

    /// The texts a line's label can shrink to: "Ti Kα", "Tiα", "α" (other labels stay whole).
    public static func lineTexts(_ label: String) -> [String] {
        let parts = label.split(separator: " ")
        guard parts.count == 2, parts[1].count == 2, parts[1].first == "K", let greek = parts[1].last else { return [label] }
        return [label, String(parts[0]) + String(greek), String(greek)]
    }

    /// Draws placed labels into a buffer with row 0 at `y` (texts as given: convert them with
    /// `GlyphSet.text` before placing, so widths are the drawn ones).
    public static func draw(_ placed: [Placed], into buf: inout CellBuffer, y: Int) {
        for p in placed { buf.put(p.text, x: p.x, y: y + p.row, style: p.style) }
    }
}
