import Foundation

/// Renders the whole screen for a state: tab bar, the current view, status bar and help overlay.
/// Pure: the same state gives the same buffer.
public func render(_ state: InspectorState) -> CellBuffer {
    var buf = CellBuffer(width: state.width, height: state.height)
    render(state, into: &buf)
    return buf
}

/// Renders into an existing buffer of the state's size (reused by the presenter to avoid allocation).
public func render(_ state: InspectorState, into buf: inout CellBuffer) {
    if buf.width != state.width || buf.height != state.height { buf = CellBuffer(width: state.width, height: state.height) }
    else { buf.fill(buf.bounds) }
    let g = state.glyphs
    guard state.width >= 20, state.height >= 6 else {
        buf.put(g.text("terminal too small"), x: 0, y: 0, style: Style(.warn))
        return
    }
    TabBar.render(state, &buf)
    let body = Rect(x: 0, y: 1, width: state.width, height: state.height - 2)
    if state.dataset == nil {
        let t = state.activity ?? state.message ?? "no data"
        buf.put(g.text(t), x: Swift.max(0, (state.width - t.count) / 2), y: body.y + body.height / 2, style: Style(.label))
        if let f = state.activityFraction {
            let w = Swift.min(40, state.width - 4)
            TextWidgets.bar(&buf, x: (state.width - w) / 2, y: body.y + body.height / 2 + 1, width: w, fraction: f, glyphs: g, style: Style(.accent))
        }
    } else {
        switch state.view {
        case .overview: OverviewView.render(state, &buf, body)
        case .spectrum: SpectrumView.render(state, &buf, body)
        case .seeds: SeedsView.render(state, &buf, body)
        case .optimize: OptimizeView.render(state, &buf, body)
        case .beforeAfter: BeforeAfterView.render(state, &buf, body)
        }
    }
    StatusBar.render(state, &buf)
    if state.showHelp { HelpOverlay.render(state, &buf) }
}

/// The top row: program name, one tab per view (the active one highlighted), the dataset name.
enum TabBar {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer) {
        let bar = Style(.statusBar, reverse: true)
        buf.fill(Rect(x: 0, y: 0, width: s.width, height: 1), Cell(" ", bar))
        var x = buf.put(" sddcal ", x: 0, y: 0, style: Style(.statusBar, bold: true, reverse: true))
        for v in View.allCases {
            let t = s.width >= 70 ? " \(v.rawValue + 1) \(v.title) " : " \(v.rawValue + 1) \(v.title.prefix(4)) "
            let st = v == s.view ? Style(.tabActive, bold: true) : bar
            x += buf.put(s.glyphs.text(t), x: x, y: 0, style: st)
        }
        if let d = s.dataset {
            let name = " " + d.name + " "
            if x + name.count + 1 < s.width { buf.put(s.glyphs.text(name), x: s.width - name.count, y: 0, style: bar) }
        }
    }
}

/// The bottom row: background activity or the last message, and the two keys everyone needs.
enum StatusBar {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer) {
        let y = s.height - 1, g = s.glyphs
        let bar = Style(.statusBar, reverse: true)
        buf.fill(Rect(x: 0, y: y, width: s.width, height: 1), Cell(" ", bar))
        let right = " ? help  q quit "
        var x = 1
        if let a = s.activity {
            x += buf.put(g.text(a), x: x, y: y, style: Style(.statusBar, bold: true, reverse: true), maxWidth: s.width - right.count - 14)
            if let f = s.activityFraction {
                x += 1
                TextWidgets.bar(&buf, x: x, y: y, width: 10, fraction: f, glyphs: g, style: Style(.accent))
                x += 11
            }
            x += 2
        }
        if let j = s.overview.jump {
            // The jump prompt takes the message's place while it is open.
            TextWidgets.spans(&buf, x: x, y: y, maxX: s.width - right.count, [
                ("jump to cell: ", Style(.statusBar, bold: true, reverse: true)), (j + "_", Style(.accent, bold: true, reverse: true)),
                ("  Enter goes, Esc closes", bar)], glyphs: g)
        } else if let m = s.message, x < s.width - right.count {
            buf.put(g.text(m), x: x, y: y, style: bar, maxWidth: s.width - right.count - x)
        }
        buf.put(right, x: s.width - right.count, y: y, style: Style(.key, bold: true, reverse: true))
    }
}

/// `?`: every key of the current view and the global ones, generated from the binding table.
enum HelpOverlay {
    static func render(_ s: InspectorState, _ buf: inout CellBuffer) {
        let g = s.glyphs
        var rows: [(String, String)] = []
        var seen = Set<String>()
        for b in KeyBindings.table where b.view == s.view || b.view == nil {
            let k = b.key.description
            let entry = g.text(k) + "|" + b.help
            if seen.insert(entry).inserted { rows.append((g.text(k), g.text(b.help))) }
        }
        rows.append(("C-c", "quit (restores the terminal)"))
        let keyW = (rows.map { $0.0.count }.max() ?? 4) + 2
        let w = Swift.min(s.width - 2, keyW + (rows.map { $0.1.count }.max() ?? 10) + 4)
        let h = Swift.min(s.height - 2, rows.count + 2)
        let r = Rect(x: (s.width - w) / 2, y: 1 + (s.height - 2 - h) / 2, width: w, height: h)
        buf.fill(r)
        TextWidgets.box(&buf, r, title: "keys: \(s.view.title) (Esc or ? closes)", glyphs: g, style: Style(.accent))
        let cap = h - 2
        for (i, row) in rows.prefix(cap).enumerated() {
            buf.put(row.0, x: r.x + 2, y: r.y + 1 + i, style: Style(.key, bold: true), maxWidth: keyW)
            buf.put(row.1, x: r.x + 2 + keyW, y: r.y + 1 + i, style: .normal, maxWidth: w - keyW - 3)
        }
        if rows.count > cap { buf.put(g.text("… more keys: enlarge the terminal"), x: r.x + 2, y: r.maxY - 1, style: Style(.dim)) }
    }
}
