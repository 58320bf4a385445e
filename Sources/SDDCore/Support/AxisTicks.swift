import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 × 10ᵏ. The one tick rule of sddcal, used by the terminal
/// plots (Inspector) and the SVG figures (CalibrationRefinement's report).
public enum AxisTicks {
    /// The nice step that gives at most `maxCount` ticks over `span`.
    public static func niceStep(span: Double, maxCount: Int) -> Double {
        guard span > 0, span.isFinite, maxCount >= 1 else { return 1 }
        return nice(span / Double(maxCount), slack: 0)
    }

    /// The smallest 1, 2 or 5 × 10ᵏ at or above `v` (v > 0): axis limits that stay put while data grow.
    public static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        return nice(v, slack: 1e-12)
    }

    /// The smallest 1, 2 or 5 × 10ᵏ at or above v·(1 − slack).
    static func nice(_ v: Double, slack: Double) -> Double {
        let mag = pow(10, floor(log10(v)))
        for m in [1.0, 2.0, 5.0, 10.0] where m * mag >= v * (1 - slack) { return m * mag }
        return 10 * mag
    }

    /// Tick values inside `range`: multiples of the nice step for at most `maxCount` ticks (exact zero
    /// where a tick is zero up to rounding). With its step, for labels that show as many decimals as it needs.
    public static func linear(_ range: ClosedRange<Double>, maxCount: Int) -> (values: [Double], step: Double) {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return ([range.lowerBound], 1) }
        let step = niceStep(span: span, maxCount: maxCount)
        var v = ceil(range.lowerBound / step) * step
        var out: [Double] = []
        while v <= range.upperBound + step * 1e-9, out.count <= maxCount + 1 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return (out, step)
    }
}
