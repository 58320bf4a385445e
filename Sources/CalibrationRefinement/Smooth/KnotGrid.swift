/// Equally spaced knot times of a calibration that is linear in time between knots.
public struct KnotGrid: Sendable, Hashable, Codable {
    /// Time (s) of the first knot.
    public var start: Double
    /// Knot spacing (s).
    public var spacing: Double
    /// Number of knots (≥ 2).
    public var count: Int

    public init(start: Double, spacing: Double, count: Int) {
        precondition(count >= 2 && spacing > 0 && spacing.isFinite && start.isFinite, "a knot grid needs ≥ 2 knots and a positive spacing")
        self.start = start; self.spacing = spacing; self.count = count
    }

    /// Covers [lower, upper] with the widest spacing ≤ `spacing` that divides it evenly.
    public init(covering lower: Double, _ upper: Double, spacing: Double) {
        let span = max(upper - lower, 1)
        let intervals = max(1, Int((span / spacing).rounded(.up)))
        self.init(start: lower, spacing: span / Double(intervals), count: intervals + 1)
    }

    /// Time of knot k.
    @inlinable public func time(_ k: Int) -> Double { start + Double(k) * spacing }
    /// Time of the last knot.
    public var end: Double { time(count - 1) }

    /// The interval holding t (clamped to the grid) and the position λ ∈ [0, 1] inside it:
    /// a coefficient at t is (1 − λ)·θ_k + λ·θ_{k+1}.
    @inlinable public func locate(_ t: Double) -> (interval: Int, lambda: Double) {
        let s = (t - start) / spacing
        if !(s > 0) { return (0, 0) }
        let k = Int(s)
        if k >= count - 1 { return (count - 2, 1) }
        return (k, s - Double(k))
    }
}
