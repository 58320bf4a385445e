/// Checks of a decoded calibration file beyond its JSON types: cell numbers in range and unique,
/// finite numbers everywhere, time windows that are windows, covariances of nine finite numbers.
/// Kept apart from the decoding so that the schema (versions 1 and 2) and the checks change
/// independently. Errors name the JSON path of the bad field, e.g. `cells[2].batches[0].start`.
extension CalibrationSet {
    /// The first problem of the set as a one-line error, or nil when every field is valid.
    func validationError(file: String) -> SDDError? {
        func bad(_ field: String, _ message: String) -> SDDError { .badField(file: file, field: field, message: message) }
        var seen = Set<Int>()
        for (ci, c) in cells.enumerated() {
            let cp = "cells[\(ci)]"
            guard (0...Int(UInt16.max)).contains(c.cell) else { return bad(cp + ".cell", "\(c.cell) is not a cell number (0…65535)") }
            guard seen.insert(c.cell).inserted else { return bad(cp + ".cell", "cell \(c.cell) appears twice") }
            for (bi, b) in c.batches.enumerated() {
                let bp = cp + ".batches[\(bi)]"
                guard b.start.isFinite else { return bad(bp + ".start", "must be a finite time, is \(b.start)") }
                guard b.end.isFinite else { return bad(bp + ".end", "must be a finite time, is \(b.end)") }
                guard b.start <= b.end else { return bad(bp + ".end", "\(b.end) is before start \(b.start)") }
                guard b.events >= 0 else { return bad(bp + ".events", "is negative (\(b.events))") }
                for (name, v) in [("p0", b.calibration.p0), ("p1", b.calibration.p1), ("p2", b.calibration.p2)] where !v.isFinite {
                    return bad(bp + ".calibration.\(name)", "must be a finite number, is \(v)")
                }
                if let cov = b.calibration.covariance {
                    guard cov.count == 9 else { return bad(bp + ".calibration.covariance", "must hold 9 numbers, holds \(cov.count)") }
                    if let k = cov.firstIndex(where: { !$0.isFinite }) {
                        return bad(bp + ".calibration.covariance[\(k)]", "must be a finite number, is \(cov[k])")
                    }
                }
                for (li, l) in b.lines.enumerated() {
                    let lp = bp + ".lines[\(li)]"
                    let required = [("centroid_adc", l.centroidADC), ("centroid_err", l.centroidError), ("energy", l.energy)]
                    let optional = [("residual", l.residual), ("sigma_adc", l.sigmaADC), ("counts", l.counts)]
                    for (name, v) in required where !v.isFinite { return bad(lp + ".\(name)", "must be a finite number, is \(v)") }
                    for (name, v) in optional { if let v, !v.isFinite { return bad(lp + ".\(name)", "must be a finite number, is \(v)") } }
                }
            }
        }
        return nil
    }
}
