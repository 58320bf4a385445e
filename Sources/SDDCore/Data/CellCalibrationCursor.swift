/// Evaluates one cell's calibration at the times of its events, in time order, in amortised O(1) per
/// event and without allocating. It gives exactly `CalibrationSet.calibration(cell:time:)` (without
/// the covariance): the cell's timeline at t when it has one, else its batches' piecewise-constant
/// calibration (the batch containing t, else the nearest).
///
/// Every place that turns an event's ADC into energy goes through this (see `EventEnergies`), so a
/// version-2 file's timeline is applied at each event's own time.
public struct CellCalibrationCursor: Sendable {
    public let cell: Int
    private var timelineCursor: CalibrationTimeline.Cursor?
    private let batches: [CalibrationSet.Batch]
    /// Whether batches are sorted with positive length and no overlap: then containment and nearest
    /// reduce to a search over the batch ends (else every lookup uses the general rule).
    private let ordered: Bool
    // The batch answer cached for times in [lo, hi).
    private var lo = Double.infinity, hi = -Double.infinity, cached = 0

    public init(_ entry: CalibrationSet.Cell) {
        cell = entry.cell
        timelineCursor = entry.timeline.map { CalibrationTimeline.Cursor($0) }
        isPiecewiseConstant = entry.timeline == nil
        batches = entry.batches
        var ok = true
        for (i, b) in batches.enumerated() {
            if !(b.start < b.end) || (i > 0 && !(batches[i - 1].end <= b.start)) { ok = false; break }
        }
        ordered = ok
    }

    /// Whether the calibration is constant between batch boundaries (no timeline): then `batchPosition`
    /// tells which batch of the file applies.
    public let isPiecewiseConstant: Bool

    /// The calibration at time t (no covariance).
    public mutating func calibration(at t: Double) -> EnergyCalibration {
        if timelineCursor != nil { return timelineCursor!.calibration(at: t) }
        return batches[batchPosition(at: t)].calibration
    }

    /// Energy (eV) of an ADC value at time t.
    @inline(__always) public mutating func energy(adc: Double, time t: Double) -> Double {
        calibration(at: t).energy(adc)
    }

    /// The calibration of the batch at a position of the cell's batch list (see `batchPosition(at:)`).
    public func batchCalibration(_ position: Int) -> EnergyCalibration { batches[position].calibration }

    /// The position in the cell's batch list of the batch whose calibration applies at t under the
    /// version-1 rule (containing batch, else nearest, the earlier on ties). Requires batches.
    public mutating func batchPosition(at t: Double) -> Int {
        if t >= lo && t < hi { return cached }
        guard ordered else { return CalibrationSet.batchIndex(batches, time: t) ?? 0 }
        let n = batches.count
        if t.isNaN { return 0 }
        // First batch whose end is after t.
        var a = 0, b = n
        while a < b {
            let m = (a + b) >> 1
            if batches[m].end > t { b = m } else { a = m + 1 }
        }
        if a == n {                                   // at or after the last end
            lo = batches[n - 1].end; hi = .infinity; cached = n - 1
            return n - 1
        }
        if t >= batches[a].start {                    // inside batch a
            lo = batches[a].start; hi = batches[a].end; cached = a
            return a
        }
        if a == 0 {                                   // before the first batch
            lo = -.infinity; hi = batches[0].start; cached = 0
            return 0
        }
        // In the gap between batch a-1 and a: the nearer, the earlier on ties (not cached: gaps are rare).
        return t - batches[a - 1].end <= batches[a].start - t ? a - 1 : a
    }
}
