import Foundation
import SDDCore

extension InspectorState {
    /// The part of `update` for the overview: moving, paging, jumping to and marking cells; nil when the action is not one of them.
    mutating func reduceOverview(_ action: Action) -> [Effect]? {
        switch action {
        case let .move(dx, dy):
            guard let d = dataset, !d.cells.isEmpty else { break }
            let layout = OverviewLayout(count: d.cells.count, width: width, height: height)
            if let j = layout.neighbour(of: selected, dx: dx, dy: dy) { return select(j) }
        case .page(let n):
            guard let d = dataset, !d.cells.isEmpty else { break }
            let layout = OverviewLayout(count: d.cells.count, width: width, height: height)
            let j = Swift.max(0, Swift.min(d.cells.count - 1, selected + n * layout.perPage))
            if j != selected { return select(j) }
        case .beginJump:
            guard dataset != nil else { break }
            overview.jump = ""
        case .jumpDigit(let ch):
            guard overview.jump != nil, let v = ch.asciiValue, (0x21...0x7E).contains(v), overview.jump!.count < CellLabel.maxLength else { break }
            overview.jump! += String(ch)
        case .jumpBackspace:
            guard overview.jump != nil else { break }
            _ = overview.jump!.popLast()
        case .cancelJump:
            overview.jump = nil
        case .commitJump:
            guard let text = overview.jump else { break }
            overview.jump = nil
            guard let i = dataset?.index(ofCellNamed: text) else {
                message = text.isEmpty ? "no cell number or label typed" : "no cell \(text) in \(dataset?.name ?? "the data")"; break
            }
            return select(i)
        case .open:
            guard dataset != nil else { break }
            return openCause() + show(.spectrum)
        case .nextCell:
            guard let d = dataset, !d.cells.isEmpty else { break }
            return select((selected + 1) % d.cells.count)
        case .previousCell:
            guard let d = dataset, !d.cells.isEmpty else { break }
            return select((selected + d.cells.count - 1) % d.cells.count)
        case .toggleCellSelection:
            guard let c = cell else { break }
            if selection.contains(c.cell) { selection.remove(c.cell) } else { selection.insert(c.cell) }
        case .selectAllCells:
            guard let d = dataset else { break }
            selection = selection.count == d.cells.count ? [] : Set(d.cells.map(\.cell))
        default: return nil
        }
        return []
    }

    /// Enter on a flagged cell: select the batch and line its most telling finding points at
    /// (the batch with the gain step, the wrong identification, too few counts, a failed fit; the
    /// strongest line for cell-wide findings), centre the spectrum on the line and highlight it, and
    /// say why in the status line. An unflagged cell opens as before.
    mutating func openCause() -> [Effect] {
        spectrum.highlight = nil
        guard let d = dataset, let c = cell, c.summary.flag == .warn || c.summary.flag == .bad,
              let finding = c.summary.findings.first else { return [] }
        var (batchIndex, lineID) = finding.location
        if case .failedFits = finding {
            batchIndex = d.calibration?.batches(ofCell: c.cell)?.first { !$0.status.isUsable }?.index
        }
        let line = lineID.flatMap { d.profile.line($0) } ?? d.profile.strongestCalibrationLine
        var effects: [Effect] = []
        if let b = batchIndex, let position = c.batches.firstIndex(where: { $0.index == b }) {
            effects = selectBatch(position)
        }
        message = finding.description
        guard let line else { return effects }
        spectrum.highlight = line.id
        if let adc = calibration?.adc(forEnergy: line.energy), let h = histogram {
            // A window of ±1 keV around the line (as ADC under the calibration), inside the histogram.
            let half = Swift.max(50, 1000 / Swift.max(0.5, calibration?.slope(adc) ?? 3))
            let lo = Swift.max(h.lowerEdge, adc - half), hi = Swift.min(h.upperEdge, adc + half)
            if hi > lo + 10 { spectrum.window = lo...hi }
            spectrum.cursor = Swift.max(lo, Swift.min(hi, adc))
        }
        return effects
    }
}
