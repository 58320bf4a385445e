import Foundation

/// Amptek PMCA spectrum files (`.mca`, sometimes saved as `.txt`), read as Latin-1 because the
/// `<<DPP STATUS>>` block holds a non-UTF-8 degree sign (docs/physics.md §9).
///
/// Sections: `<<PMCA SPECTRUM>>` with `KEY - value` lines; optional `<<CALIBRATION>>` (`LABEL - unit`
/// then `channel energy` pairs); optional `<<ROI>>` (`lo hi` pairs); `<<DATA>>` with one count per line
/// closed by `<<END>>`; optional `<<DP5 CONFIGURATION>>` (`KEY=value; comment`) and `<<DPP STATUS>>`
/// (`Key: value`) blocks. Metadata keys: header keys as written, `DP5.KEY`, `STATUS.Key`, `ROI`,
/// `CALIBRATION.LABEL`.
enum AmptekMCA {
    static let headerTag = "<<PMCA SPECTRUM>>"

    /// True when the text's first non-blank line is the PMCA header.
    static func looksLike(_ t: TextLines) -> Bool {
        for l in t.lines {
            let s = TextLines.trimmed(l)
            if s.isEmpty { continue }
            return s.uppercased().hasPrefix(headerTag)
        }
        return false
    }

    static func read(_ t: TextLines) throws -> SpectrumRecord {
        enum Section { case none, header, calibration, roi, data, dp5, status, other }
        var section = Section.none
        var sawHeader = false
        var dataLine = -1, endLine = -1
        var counts: [Double] = []
        var metadata: [String: String] = [:]
        var calChannels: [Double] = [], calEnergies: [Double] = []
        var calLabel: String?
        var calLine = -1
        var rois: [String] = []

        for (i, raw) in t.lines.enumerated() {
            let line = TextLines.trimmed(raw)
            if line.hasPrefix("<<"), line.hasSuffix(">>") {
                let tag = line.dropFirst(2).dropLast(2).uppercased()
                if !sawHeader && tag != "PMCA SPECTRUM" {
                    throw t.error(i, "expected \(headerTag) before \(TextLines.quote(line))")
                }
                if section == .data && tag != "END" {
                    throw t.error(i, "\(TextLines.quote(line)) inside <<DATA>>: the data block is not closed by <<END>>")
                }
                switch tag {
                case "PMCA SPECTRUM": sawHeader = true; section = .header
                case "CALIBRATION": section = .calibration; calLine = i
                case "ROI": section = .roi
                case "DATA":
                    guard dataLine < 0 else { throw t.error(i, "second <<DATA>> block") }
                    dataLine = i; section = .data
                case "END":
                    guard section == .data else { throw t.error(i, "<<END>> without <<DATA>>") }
                    endLine = i; section = .none
                case "DP5 CONFIGURATION", "DPP CONFIGURATION": section = .dp5
                case "DPP STATUS": section = .status
                default:
                    // Block ends (<<DP5 CONFIGURATION END>>, <<DPP STATUS END>>) and sections we do not use.
                    section = tag.hasSuffix(" END") ? .none : .other
                }
                continue
            }
            if line.isEmpty { continue }
            switch section {
            case .none:
                if !sawHeader { throw t.error(i, "not an Amptek PMCA file: expected \(headerTag) as the first line") }
                throw t.error(i, "unexpected text outside a <<…>> section: \(TextLines.quote(line))")
            case .header:
                let (k, v) = try keyValue(line, t, i)
                metadata[k] = v
            case .calibration:
                if line.uppercased().hasPrefix("LABEL") {
                    calLabel = try keyValue(line, t, i).1
                    continue
                }
                let tok = TextLines.tokens(line)
                guard tok.count == 2 else { throw t.error(i, "expected 'channel energy' in <<CALIBRATION>>, found \(TextLines.quote(line))") }
                calChannels.append(try t.finiteNumber(tok[0], line: i, what: "<<CALIBRATION>> channel"))
                calEnergies.append(try t.finiteNumber(tok[1], line: i, what: "<<CALIBRATION>> energy"))
            case .roi:
                let tok = TextLines.tokens(line)
                guard tok.count == 2 else { throw t.error(i, "expected 'low high' channels in <<ROI>>, found \(TextLines.quote(line))") }
                let lo = try t.integer(tok[0], line: i, what: "ROI channel"), hi = try t.integer(tok[1], line: i, what: "ROI channel")
                rois.append("\(lo)-\(hi)")
            case .data:
                guard counts.count < InputLimits.current.maxChannels else {
                    throw t.error(i, "<<DATA>> holds more than \(InputLimits.current.maxChannels) channels (limit SDDCAL_MAX_CHANNELS)")
                }
                counts.append(try t.count(line, line: i, channel: counts.count))
            case .dp5:
                // KEY=value;    comment
                let body = line.split(separator: ";", maxSplits: 1).first ?? line
                guard let eq = body.firstIndex(of: "=") else { throw t.error(i, "expected 'KEY=value;' in <<DP5 CONFIGURATION>>") }
                metadata["DP5." + body[..<eq].trimmingCharacters(in: .whitespaces)] =
                    body[body.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            case .status:
                if let colon = line.firstIndex(of: ":") {
                    metadata["STATUS." + line[..<colon].trimmingCharacters(in: .whitespaces)] =
                        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                } else {
                    metadata["STATUS." + line] = ""
                }
            case .other:
                continue
            }
        }
        guard sawHeader else { throw SDDError.badFile(file: t.path, message: "empty file: not an Amptek PMCA spectrum") }
        guard dataLine >= 0 else { throw SDDError.badFile(file: t.path, message: "no <<DATA>> block") }
        guard endLine >= 0 else {
            throw t.error(t.lines.count - 1, "file ends inside <<DATA>> (no <<END>>): truncated?")
        }
        guard !counts.isEmpty else { throw t.error(dataLine, "<<DATA>> block holds no counts") }
        if let mcac = metadata["DP5.MCAC"], let n = Int(mcac), n != counts.count {
            metadata["WARNING"] = "DP5 MCAC says \(n) channels, <<DATA>> holds \(counts.count)"
        }
        if !rois.isEmpty { metadata["ROI"] = rois.joined(separator: ",") }
        var calibration: EnergyCalibration?
        if !calChannels.isEmpty {
            if let label = calLabel { metadata["CALIBRATION.LABEL"] = label }
            let unit = try energyUnit(label: calLabel, energies: calEnergies, t, calLine)
            guard let c = EnergyCalibration.fitting(channels: calChannels, energies: calEnergies.map { $0 * unit }),
                  c.p0.isFinite, c.p1.isFinite, c.p2.isFinite else {
                throw t.error(calLine, "<<CALIBRATION>> needs at least two points with distinct channels giving a finite calibration")
            }
            calibration = c
        }
        return SpectrumRecord(cell: nil, firstChannel: 0, counts: counts, calibration: calibration, metadata: metadata)
    }

    /// eV per unit of the calibration energies: from the LABEL (eV, keV, MeV), else keV when every
    /// energy is below 1000 (X-ray lines in eV are above 1000), else eV.
    static func energyUnit(label: String?, energies: [Double], _ t: TextLines, _ line: Int) throws -> Double {
        if let l = label?.lowercased().trimmingCharacters(in: .whitespaces), !l.isEmpty {
            if l.contains("kev") { return 1000 }
            if l.contains("mev") { return 1e6 }
            if l.contains("ev") { return 1 }
            if l.contains("channel") { throw t.error(line, "<<CALIBRATION>> LABEL \(TextLines.quote(label!)) is not an energy unit") }
        }
        return energies.allSatisfy { Swift.abs($0) < 1000 } ? 1000 : 1
    }

    /// `KEY - value` (the value may be empty: `KEY -`).
    static func keyValue(_ line: Substring, _ t: TextLines, _ i: Int) throws -> (String, String) {
        if let r = line.range(of: " - ") {
            return (String(line[..<r.lowerBound]).trimmingCharacters(in: .whitespaces),
                    String(line[r.upperBound...]).trimmingCharacters(in: .whitespaces))
        }
        if line.hasSuffix(" -") { return (String(line.dropLast(2)).trimmingCharacters(in: .whitespaces), "") }
        throw t.error(i, "expected 'KEY - value', found \(TextLines.quote(line))")
    }
}
