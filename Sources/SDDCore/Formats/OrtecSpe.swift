import Foundation

/// ORTEC `.Spe` ASCII spectra (ORTEC Software File Structure Manual; docs/physics.md §9): `$KEY:` lines each
/// followed by their data lines. `$DATA:` holds `first last` then the counts of channels first…last,
/// one or several per line; `$MCA_CAL:` a coefficient count then `a b c keV` (E = a + b·ch + c·ch²);
/// `$ENER_FIT:` `offset slope` in keV, used when there is no `$MCA_CAL`. Metadata: `SPEC_ID`,
/// `SPEC_REM`, `DATE_MEA`, `LIVE_TIME`, `REAL_TIME`, and the raw text of the other sections by name.
enum OrtecSpe {
    static func looksLike(_ t: TextLines) -> Bool {
        for l in t.lines {
            let s = TextLines.trimmed(l)
            if s.isEmpty { continue }
            return s.hasPrefix("$") && s.hasSuffix(":")
        }
        return false
    }

    static func read(_ t: TextLines) throws -> SpectrumRecord {
        // Split into sections: (keyword, line index of the keyword, indices of its data lines).
        var sections: [(key: String, line: Int, body: [Int])] = []
        for (i, raw) in t.lines.enumerated() {
            let s = TextLines.trimmed(raw)
            if s.hasPrefix("$") {
                guard s.hasSuffix(":") else { throw t.error(i, "expected a '$KEYWORD:' line, found \(TextLines.quote(s))") }
                sections.append((String(s.dropFirst().dropLast()).uppercased(), i, []))
            } else if s.isEmpty {
                continue
            } else {
                guard !sections.isEmpty else { throw t.error(i, "not an ORTEC .Spe file: text before the first $KEYWORD: line") }
                sections[sections.count - 1].body.append(i)
            }
        }
        guard !sections.isEmpty else { throw SDDError.badFile(file: t.path, message: "empty file: not an ORTEC .Spe spectrum") }

        var metadata: [String: String] = [:]
        var counts: [Double]?
        var first = 0
        var mcaCal: EnergyCalibration?, enerFit: EnergyCalibration?
        for s in sections {
            let body = s.body.map { TextLines.trimmed(t.lines[$0]) }
            switch s.key {
            case "DATA":
                guard counts == nil else { throw t.error(s.line, "second $DATA: section") }
                guard let h = s.body.first else { throw t.error(s.line, "$DATA: has no 'first last' channel line") }
                let range = TextLines.tokens(t.lines[h])
                guard range.count == 2 else { throw t.error(h, "expected 'first last' channel numbers after $DATA:") }
                first = try t.integer(range[0], line: h, what: "first channel")
                let last = try t.integer(range[1], line: h, what: "last channel")
                guard first >= 0, last >= first else { throw t.error(h, "bad channel range \(first)…\(last)") }
                // Overflow-checked, and bounded by the channel limit: the range alone never sizes memory.
                let limit = InputLimits.current.maxChannels
                guard let declared = CheckedSize.channelCount(first: first, last: last), last < limit else {
                    throw t.error(h, "channel range \(first)…\(last) reaches beyond channel \(limit - 1) (limit SDDCAL_MAX_CHANNELS)")
                }
                var c: [Double] = []
                c.reserveCapacity(Swift.min(declared, s.body.count * 8))
                for i in s.body.dropFirst() {
                    for tok in TextLines.tokens(t.lines[i]) {
                        if c.count == declared {
                            throw t.error(i, "more counts than channels \(first)…\(last)")
                        }
                        c.append(try t.count(tok, line: i, channel: first + c.count))
                    }
                }
                guard c.count == declared else {
                    throw t.error(s.body.last ?? s.line, "$DATA: declares channels \(first)…\(last) (\(declared) counts) but holds \(c.count): truncated?")
                }
                counts = c
            case "MEAS_TIM":
                guard let i = s.body.first else { break }
                let tok = TextLines.tokens(t.lines[i])
                guard tok.count == 2 else { throw t.error(i, "expected 'live real' times after $MEAS_TIM:") }
                metadata["LIVE_TIME"] = String(try t.finiteNumber(tok[0], line: i, what: "live time"))
                metadata["REAL_TIME"] = String(try t.finiteNumber(tok[1], line: i, what: "real time"))
            case "MCA_CAL":
                mcaCal = try calibration(s.body, t, s.line)
            case "ENER_FIT":
                guard let i = s.body.first else { break }
                let tok = TextLines.tokens(t.lines[i])
                guard tok.count >= 2 else { throw t.error(i, "expected 'offset slope' after $ENER_FIT:") }
                let a = try t.finiteNumber(tok[0], line: i, what: "$ENER_FIT: energy offset")
                let b = try t.finiteNumber(tok[1], line: i, what: "$ENER_FIT: energy slope")
                // Writers leave "0 0" when uncalibrated; keV per ORTEC's convention.
                if b != 0 { enerFit = EnergyCalibration(p0: a * 1000, p1: b * 1000) }
            default:
                break
            }
            if s.key != "DATA" { metadata[s.key] = body.joined(separator: "\n") }
        }
        guard let data = counts else { throw SDDError.badFile(file: t.path, message: "no $DATA: section") }
        return SpectrumRecord(cell: nil, firstChannel: first, counts: data, calibration: mcaCal ?? enerFit, metadata: metadata)
    }

    /// `$MCA_CAL:` body: the coefficient count, then the coefficients and an optional unit (keV by default).
    static func calibration(_ body: [Int], _ t: TextLines, _ line: Int) throws -> EnergyCalibration? {
        guard body.count >= 2 else { throw t.error(line, "$MCA_CAL: needs a coefficient count line and a coefficient line") }
        let n = try t.integer(TextLines.trimmed(t.lines[body[0]]), line: body[0], what: "coefficient count")
        guard (1...3).contains(n) else { throw t.error(body[0], "coefficient count \(n) is not 1, 2 or 3") }
        let tok = TextLines.tokens(t.lines[body[1]])
        guard tok.count >= n else { throw t.error(body[1], "expected \(n) calibration coefficients, found \(tok.count)") }
        var c = [Double](repeating: 0, count: 3)
        for k in 0..<n { c[k] = try t.finiteNumber(tok[k], line: body[1], what: "$MCA_CAL: calibration coefficient \(k)") }
        let unitText = tok.count > n ? tok[n].lowercased() : "kev"
        let unit: Double
        switch unitText {
        case "kev": unit = 1000
        case "ev": unit = 1
        case "mev": unit = 1e6
        default: throw t.error(body[1], "unknown energy unit \(TextLines.quote(tok[n])) (expected eV, keV or MeV)")
        }
        if c[1] == 0 && c[2] == 0 { return nil }   // an uncalibrated spectrum
        return EnergyCalibration(p0: c[0] * unit, p1: c[1] * unit, p2: c[2] * unit)
    }
}
