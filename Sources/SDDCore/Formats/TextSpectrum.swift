import Foundation

/// Plain text or CSV spectra: one count per line (the first count is channel 0) or `channel,counts`
/// rows of consecutive channels, with or without a header line; separators are commas, semicolons,
/// tabs or spaces; `#` starts a comment line.
///
/// Several spectra side by side (one column per cell) need a header line naming them: each named
/// column is a cell, its name the cell's label, after an optional first column of channel numbers
/// named `channel` (or `channels`, `chan`, `ch`, `adc`, `bin`). Two named columns whose first is a
/// channel name or whose second is `counts` (or `count`, `content`) stay one `channel,counts` spectrum.
enum TextSpectrum {
    static func fields(_ s: Substring) -> [Substring] {
        s.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\t" || $0 == " " })
    }

    /// Header names of a column of channel numbers, and of the counts column of a two-column spectrum.
    static let channelNames: Set<String> = ["channel", "channels", "chan", "ch", "adc", "bin"]
    static let countNames: Set<String> = ["counts", "count", "content", "contents"]

    static func read(_ t: TextLines) throws -> [SpectrumRecord] {
        var columns = 0
        var channelColumn = false
        var cells: [[Double]] = []
        var firstChannel = 0
        var sawContent = false
        var header: [String]?
        for (i, raw) in t.lines.enumerated() {
            let line = TextLines.trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = fields(line)
            // Found by fuzzing: a line of separators only has no field to read (was an out-of-bounds read).
            guard !f.isEmpty else { throw t.error(i, "only separators, no count: \(TextLines.quote(line))") }
            if !sawContent {
                sawContent = true
                if f.contains(where: { Double($0) == nil }) {
                    // A header line such as "channel,counts", "counts" or "channel,bus1_sdd1,bus1_sdd2".
                    let names = f.map { String($0) }
                    let lower = names.map { $0.lowercased() }
                    columns = f.count
                    channelColumn = columns > 1 && (channelNames.contains(lower[0]) || (columns == 2 && countNames.contains(lower[1])))
                    if let dup = lower.indices.first(where: { lower[..<$0].contains(lower[$0]) }) {
                        throw t.error(i, "header names column \(TextLines.quote(f[dup])) twice")
                    }
                    header = names
                    cells = [[Double]](repeating: [], count: columns - (channelColumn ? 1 : 0))
                    continue
                }
            }
            if columns == 0 {
                guard f.count <= 2 else {
                    throw t.error(i, "expected one column (counts) or two (channel, counts), found \(f.count); several spectra need a header line naming them (e.g. channel,sdd1,sdd2)")
                }
                columns = f.count
                channelColumn = columns == 2
                cells = [[]]
            }
            guard f.count == columns else {
                throw t.error(i, "expected \(columns) column\(columns == 1 ? "" : "s") as on the \(header == nil ? "first row" : "header"), found \(f.count)")
            }
            let row = cells[0].count
            guard row < InputLimits.current.maxChannels else {
                throw t.error(i, "more than \(InputLimits.current.maxChannels) channels (limit SDDCAL_MAX_CHANNELS)")
            }
            var channel = firstChannel + row
            if channelColumn {
                let ch = try t.integer(f[0], line: i, what: "channel")
                if row == 0 {
                    guard ch >= 0 else { throw t.error(i, "channel \(ch) is negative") }
                    guard ch < InputLimits.current.maxChannels else {
                        throw t.error(i, "channel \(ch) is beyond channel \(InputLimits.current.maxChannels - 1) (limit SDDCAL_MAX_CHANNELS)")
                    }
                    firstChannel = ch
                } else if ch != firstChannel + row {
                    throw t.error(i, "channel \(ch) follows \(firstChannel + row - 1): channels must be consecutive")
                } else if ch >= InputLimits.current.maxChannels {
                    throw t.error(i, "channel \(ch) is beyond channel \(InputLimits.current.maxChannels - 1) (limit SDDCAL_MAX_CHANNELS)")
                }
                channel = ch
            }
            let skip = channelColumn ? 1 : 0
            for j in cells.indices {
                let v = try t.count(f[j + skip], line: i, channel: channel)
                cells[j].append(v)
            }
        }
        guard let firstCell = cells.first, !firstCell.isEmpty else { throw SDDError.badFile(file: t.path, message: "no counts found") }
        var metadata: [String: String] = [:]
        if let h = header { metadata["COLUMNS"] = h.map { $0.lowercased() }.joined(separator: ",") }
        guard cells.count > 1 else {
            return [SpectrumRecord(cell: nil, firstChannel: firstChannel, counts: firstCell, metadata: metadata)]
        }
        let names = Array(header!.dropFirst(channelColumn ? 1 : 0))
        return cells.enumerated().map { j, counts in
            var r = SpectrumRecord(cell: j, firstChannel: firstChannel, counts: counts, metadata: metadata)
            r.label = CellLabel.clean(names[j])
            return r
        }
    }

    /// `channel,counts` rows of one channel spectrum; cell and calibration go into `#` comment lines.
    static func encode(_ r: SpectrumRecord, path: String) throws -> String {
        guard let first = r.firstChannel else {
            throw SDDError.badFile(file: path, message: "text export holds ADC channel spectra only (bin width 1)")
        }
        var out = "# sddcal spectrum\n"
        if let c = r.cell { out += "# cell \(c)\n" }
        if let c = r.calibration { out += "# calibration E(eV) = \(c.p0) + \(c.p1)*channel + \(c.p2)*channel^2\n" }
        out += "channel,counts\n"
        out.reserveCapacity(out.utf8.count + r.histogram.counts.count * 12)
        for (k, v) in r.histogram.counts.enumerated() {
            out += "\(first + k),\(formatCount(v))\n"
        }
        return out
    }

    /// Whole counts without a fraction, others in shortest exact form.
    static func formatCount(_ v: Double) -> String {
        v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int64(v)) : v.description
    }
}
