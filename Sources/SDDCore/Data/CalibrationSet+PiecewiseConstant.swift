extension CalibrationSet.Cell {
    /// This cell without its timeline: every batch gets the timeline's coefficients averaged over the
    /// batch window (exact for the mean event, which arrives uniformly in time; the covariance is the
    /// mean covariance, an upper bound for the mean's), line residuals recomputed. A cell without a
    /// timeline is returned unchanged. Used where a batch's own constants must rule (per-batch
    /// refinement, a batch edited in the inspector).
    public func piecewiseConstant() -> CalibrationSet.Cell {
        guard let tl = timeline else { return self }
        var out = self
        for bi in out.batches.indices {
            var b = out.batches[bi]
            let n = 48
            var s0 = 0.0, s1 = 0.0, s2 = 0.0
            var cov: [Double]? = tl.covariance == nil ? nil : [Double](repeating: 0, count: 9)
            for k in 0..<n {
                let c = tl.calibration(at: b.start + (Double(k) + 0.5) / Double(n) * (b.end - b.start))
                s0 += c.p0; s1 += c.p1; s2 += c.p2
                if let v = c.covariance { for i in 0..<9 { cov![i] += v[i] / Double(n) } }
            }
            b.calibration = EnergyCalibration(p0: s0 / Double(n), p1: s1 / Double(n), p2: s2 / Double(n), covariance: cov)
            for li in b.lines.indices { b.lines[li].residual = b.calibration.energy(b.lines[li].centroidADC) - b.lines[li].energy }
            out.batches[bi] = b
        }
        out.timeline = nil
        return out
    }
}
