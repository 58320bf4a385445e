/// One key binding: the key, the view it applies in (nil: every view), the action and its help text.
public struct KeyBinding: Sendable {
    public var key: Key
    public var view: View?
    public var action: Action
    public var help: String
}

/// The one table of key bindings; the help overlay is generated from it.
public enum KeyBindings {
    public static let table: [KeyBinding] = {
        func b(_ k: Key, _ v: View?, _ a: Action, _ h: String) -> KeyBinding { KeyBinding(key: k, view: v, action: a, help: h) }
        return [
            b(.char("q"), nil, .quit, "quit (restores the terminal)"),
            b(.char("?"), nil, .toggleHelp, "show or hide this help"),
            b(.escape, nil, .back, "close help / back to overview"),
            b(.char("1"), nil, .show(.overview), "overview of all cells"),
            b(.char("2"), nil, .show(.spectrum), "spectrum of the selected cell"),
            b(.char("3"), nil, .show(.seeds), "seeds: nudge centroids, refit"),
            b(.char("4"), nil, .show(.optimize), "optimize the calibration"),
            b(.char("5"), nil, .show(.beforeAfter), "before/after at Cu Kα"),
            b(.tab, nil, .nextView, "next view"),
            b(.backTab, nil, .previousView, "previous view"),
            b(.char("n"), nil, .nextCell, "next cell"),
            b(.char("p"), nil, .previousCell, "previous cell"),
            b(.char("g"), nil, .cycleGlyphs, "glyphs: braille / blocks / ASCII"),
            b(.char("j"), nil, .beginJump, "jump to a cell by number or label"),

            b(.left, .overview, .move(dx: -1, dy: 0), "move left"),
            b(.right, .overview, .move(dx: 1, dy: 0), "move right"),
            b(.up, .overview, .move(dx: 0, dy: -1), "move up"),
            b(.down, .overview, .move(dx: 0, dy: 1), "move down"),
            b(.enter, .overview, .open, "open the cell's spectrum"),
            b(.char(" "), .overview, .toggleCellSelection, "select cell for before/after"),
            b(.char("a"), .overview, .selectAllCells, "select all / no cells"),
            b(.pageDown, .overview, .page(1), "next page of cells"),
            b(.pageUp, .overview, .page(-1), "previous page of cells"),
            b(.char("e"), .overview, .toggleEnergyAxis, "spectra in energy / ADC"),

            b(.left, .spectrum, .moveCursor(-1), "cursor left"),
            b(.right, .spectrum, .moveCursor(1), "cursor right"),
            b(.shiftLeft, .spectrum, .moveCursor(-10), "cursor 10 columns left"),
            b(.shiftRight, .spectrum, .moveCursor(10), "cursor 10 columns right"),
            b(.char("+"), .spectrum, .zoomIn, "zoom in at the cursor"),
            b(.char("="), .spectrum, .zoomIn, "zoom in at the cursor"),
            b(.char("-"), .spectrum, .zoomOut, "zoom out"),
            b(.char("0"), .spectrum, .resetZoom, "reset zoom"),
            b(.char("<"), .spectrum, .pan(-0.25), "pan left"),
            b(.char(">"), .spectrum, .pan(0.25), "pan right"),
            b(.char("l"), .spectrum, .toggleLog, "linear / log counts"),
            b(.char("e"), .spectrum, .toggleEnergyAxis, "ADC / energy axis labels"),
            b(.char("]"), .spectrum, .nextBatch, "next time batch"),
            b(.char("["), .spectrum, .previousBatch, "previous time batch"),
            b(.char("b"), .spectrum, .allBatches, "all batches summed"),

            b(.up, .seeds, .selectSeed(-1), "previous line"),
            b(.down, .seeds, .selectSeed(1), "next line"),
            b(.left, .seeds, .nudgeSeed(-1), "nudge seed −1 ADC and refit"),
            b(.right, .seeds, .nudgeSeed(1), "nudge seed +1 ADC and refit"),
            b(.shiftLeft, .seeds, .nudgeSeed(-10), "nudge seed −10 ADC and refit"),
            b(.shiftRight, .seeds, .nudgeSeed(10), "nudge seed +10 ADC and refit"),
            b(.pageDown, .seeds, .nudgeSeed(-10), "nudge seed −10 ADC and refit"),
            b(.pageUp, .seeds, .nudgeSeed(10), "nudge seed +10 ADC and refit"),
            b(.char("u"), .seeds, .undoSeed, "undo the last nudge"),
            b(.char("r"), .seeds, .refit, "refit all lines now"),
            b(.char("w"), .seeds, .applySeedRefit, "write the refit into this batch's calibration (and --out)"),
            b(.char("]"), .seeds, .nextBatch, "next time batch"),
            b(.char("["), .seeds, .previousBatch, "previous time batch"),

            b(.char("o"), .optimize, .startOptimization, "start the optimization"),
            b(.enter, .optimize, .startOptimization, "start the optimization"),
            b(.char("c"), .optimize, .cancelOptimization, "cancel the running optimization"),
            b(.char("a"), .optimize, .acceptOptimization, "accept the result"),
            b(.char("d"), .optimize, .discardOptimization, "discard the result"),

            b(.char("r"), .beforeAfter, .cycleReference, "next reference: 30d standard / standard / truth"),
            b(.char("s"), .beforeAfter, .toggleBeforeAfterScope, "summed over the selected cells / this cell (n, p)"),
            b(.char("h"), .beforeAfter, .startHeldOut, "held-out figures: rerun the chain without each fold (background)"),
            b(.char("c"), .beforeAfter, .cancelHeldOut, "cancel the held-out run"),
            b(.char("u"), .beforeAfter, .recomputeBeforeAfter, "recompute the spectra and fits"),
            b(.char("l"), .beforeAfter, .toggleLog, "linear / log counts"),
        ]
    }()

    /// The action bound to a key in a view: the view's own binding first, then a global one.
    public static func action(for key: Key, in view: View) -> Action? {
        if key == .ctrlC { return .quit }
        if let b = table.first(where: { $0.key == key && $0.view == view }) { return b.action }
        return table.first(where: { $0.key == key && $0.view == nil })?.action
    }
}
