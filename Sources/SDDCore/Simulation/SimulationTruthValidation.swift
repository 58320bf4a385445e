/// Checks of a decoded truth file beyond its JSON types, so that a damaged or hand-edited file
/// gives an error naming the JSON path of the bad field instead of an out-of-bounds read or a
/// silently wrong "true" calibration: knot arrays of one length (at least one knot) with
/// increasing times, finite numbers everywhere, cell numbers in range and unique.
extension SimulationTruth {
    /// The first problem of the truth as a one-line error, or nil when every field is valid.
    func validationError(file: String) -> SDDError? {
        func bad(_ field: String, _ message: String) -> SDDError { .badField(file: file, field: field, message: message) }
        func firstNonFinite(_ a: [Double]) -> Int? { a.firstIndex { !$0.isFinite } }
        for (k, v) in lineEnergies where !(v.isFinite && v > 0) { return bad("lineEnergies.\(k)", "must be a positive finite energy, is \(v)") }
        var seen = Set<Int>()
        for (ci, c) in cells.enumerated() {
            let cp = "cells[\(ci)]"
            guard (0...Int(UInt16.max)).contains(c.cell) else { return bad(cp + ".cell", "\(c.cell) is not a cell number (0…65535)") }
            guard seen.insert(c.cell).inserted else { return bad(cp + ".cell", "cell \(c.cell) appears twice") }
            for (name, v) in [("p0", c.base.p0), ("p1", c.base.p1), ("p2", c.base.p2)] where !v.isFinite {
                return bad(cp + ".base.\(name)", "must be a finite number, is \(v)")
            }
            guard !c.knotTimes.isEmpty else { return bad(cp + ".knotTimes", "holds no knot") }
            guard c.logGain.count == c.knotTimes.count else {
                return bad(cp + ".logGain", "holds \(c.logGain.count) values for \(c.knotTimes.count) knot times")
            }
            guard c.offset.count == c.knotTimes.count else {
                return bad(cp + ".offset", "holds \(c.offset.count) values for \(c.knotTimes.count) knot times")
            }
            for (name, a) in [("knotTimes", c.knotTimes), ("logGain", c.logGain), ("offset", c.offset)] {
                if let k = firstNonFinite(a) { return bad(cp + ".\(name)[\(k)]", "must be a finite number, is \(a[k])") }
            }
            for k in c.knotTimes.indices.dropFirst() where !(c.knotTimes[k] > c.knotTimes[k - 1]) {
                return bad(cp + ".knotTimes[\(k)]", "\(c.knotTimes[k]) does not increase")
            }
            for (si, s) in c.steps.enumerated() {
                guard s.time.isFinite else { return bad(cp + ".steps[\(si)].time", "must be a finite time, is \(s.time)") }
                guard s.gainFactor.isFinite, s.gainFactor > 0 else {
                    return bad(cp + ".steps[\(si)].gainFactor", "must be a positive finite factor, is \(s.gainFactor)")
                }
            }
            for (k, v) in c.ratePerDay where !(v.isFinite && v >= 0) { return bad(cp + ".ratePerDay.\(k)", "must be a finite rate ≥ 0, is \(v)") }
            for (k, v) in c.lineFWHM where !(v.isFinite && v >= 0) { return bad(cp + ".lineFWHM.\(k)", "must be a finite width ≥ 0, is \(v)") }
            guard c.events >= 0 else { return bad(cp + ".events", "is negative (\(c.events))") }
        }
        for (fi, f) in (faults ?? []).enumerated() {
            let fp = "faults[\(fi)]"
            guard seen.contains(f.cell) else { return bad(fp + ".cell", "cell \(f.cell) is not in the truth's cells") }
            for (name, v) in [("start", f.start), ("end", f.end), ("time", f.time), ("size", f.size)] {
                if let v, !v.isFinite { return bad(fp + ".\(name)", "must be a finite number, is \(v)") }
            }
            if let s = f.start, let e = f.end, !(e > s) { return bad(fp + ".end", "\(e) is not after start \(s)") }
        }
        return nil
    }
}
