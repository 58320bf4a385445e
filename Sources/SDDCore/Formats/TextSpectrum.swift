import Foundation

/// Plain text or CSV spectra: one count per line (the first count is channel 0) or `channel,counts`
/// rows of consecutive channels, with or without a header line; separators are commas, semicolons,
/// tabs or spaces; `#` starts a comment line.
enum TextSpectrum {
    static func fields(_ s: Substring) -> [Substring] {
        s.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\t" || $0 == " " })
    }

    static func read(_ t: TextLines) throws -> SpectrumRecord {
        var columns = 0
        var counts: [Double] = []
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
                    // A header line such as "channel,counts" or "counts".
                    guard f.count <= 2 else {
                        throw t.error(i, "expected one column (counts) or two (channel, counts), header names \(f.count)")
                    }
                    header = f.map { String($0).lowercased() }
                    columns = f.count
                    continue
                }
            }
            if columns == 0 {
                guard f.count <= 2 else { throw t.error(i, "expected one column (counts) or two (channel, counts), found \(f.count)") }
                columns = f.count
            }
            guard f.count == columns else {
                throw t.error(i, "expected \(columns) column\(columns == 1 ? "" : "s") as on the first row, found \(f.count)")
            }
            guard counts.count < InputLimits.current.maxChannels else {
                throw t.error(i, "more than \(InputLimits.current.maxChannels) channels (limit SDDCAL_MAX_CHANNELS)")
            }
            if columns == 1 {
                counts.append(try t.count(f[0], line: i, channel: counts.count))
            } else {
                let ch = try t.integer(f[0], line: i, what: "channel")
                if counts.isEmpty {
                    guard ch >= 0 else { throw t.error(i, "channel \(ch) is negative") }
                    guard ch < InputLimits.current.maxChannels else {
                        throw t.error(i, "channel \(ch) is beyond channel \(InputLimits.current.maxChannels - 1) (limit SDDCAL_MAX_CHANNELS)")
                    }
                    firstChannel = ch
                } else if ch != firstChannel + counts.count {
                    throw t.error(i, "channel \(ch) follows \(firstChannel + counts.count - 1): channels must be consecutive")
                } else if ch >= InputLimits.current.maxChannels {
                    throw t.error(i, "channel \(ch) is beyond channel \(InputLimits.current.maxChannels - 1) (limit SDDCAL_MAX_CHANNELS)")
                }
                counts.append(try t.count(f[1], line: i, channel: ch))
            }
        }
        guard !counts.isEmpty else { throw SDDError.badFile(file: t.path, message: "no counts found") }
        var metadata: [String: String] = [:]
        if let h = header { metadata["COLUMNS"] = h.joined(separator: ",") }
        return SpectrumRecord(cell: nil, firstChannel: firstChannel, counts: counts, metadata: metadata)
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
