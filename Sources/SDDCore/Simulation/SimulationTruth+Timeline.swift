extension SimulationTruth.Cell {
    /// The true calibration as a `CalibrationTimeline`: knots at the random walk's knots and on both
    /// sides of every gain step (1 ms apart). Between knots the timeline's interpolation (p0, p2 linear,
    /// ln p1 linear) differs from the truth's r(t)·E₀(a − δ(t)) only at second order in the walk's step:
    /// |p0|·Δ²/8 for a log-gain change Δ between knots, about 10⁻³ eV for the default walk and 0.2 eV
    /// at 3σ of a 1 %/day walk (`TruthTimelineTests` bound it).
    public func timeline() -> CalibrationTimeline {
        var times = knotTimes
        for s in steps { times += [s.time - 1e-3, s.time] }
        times.sort()
        var knots: [Double] = []
        for t in times where knots.last.map({ t > $0 }) ?? true { knots.append(t) }
        if knots.isEmpty { knots = [0] }
        let cals = knots.map { calibration(at: $0) }
        // The truth's coefficients are finite with a positive gain, so this cannot fail.
        return try! CalibrationTimeline(knots: knots, p0: cals.map(\.p0), p1: cals.map(\.p1), p2: cals.map(\.p2))
    }
}

extension SimulationTruth {
    /// `calibrationSet(for:source:)` (the truth averaged over each batch) with every cell's true
    /// timeline: a version-2 calibration that applies the truth at each event's time.
    public func timelineSet(for batched: BatchedEvents, source: String) -> CalibrationSet {
        var set = calibrationSet(for: batched, source: source)
        for i in set.cells.indices {
            if let c = cell(set.cells[i].cell) { set.cells[i].timeline = c.timeline() }
        }
        return set
    }
}
