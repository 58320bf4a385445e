import Foundation
import SDDCore

/// Linear or logarithmic scale of a plot axis. Log axes transform the data (log10) and label decades.
public enum AxisScale: Sendable, Equatable {
    case linear
    case log

    /// Value in plot coordinates (log10 for log axes; values ≤ 0 clamp to `floor`).
    @inlinable public func transform(_ v: Double, floor: Double = 0.5) -> Double {
        switch self {
        case .linear: return v
        case .log: return log10(Swift.max(v, floor))
        }
    }
}

/// A tick: where it sits (data units) and its label.
public struct Tick: Equatable, Sendable {
    public var value: Double
    public var label: String
    public init(_ value: Double, _ label: String) { self.value = value; self.label = label }
}

/// Tick placement: "nice" steps of 1, 2 or 5 × 10ᵏ on linear axes (SDDCore's ``AxisTicks``), whole
/// decades on log axes, with labels for the terminal.
public enum Ticks {
    /// The nice step that gives at most `maxCount` ticks over `span`.
    public static func niceStep(span: Double, maxCount: Int) -> Double { AxisTicks.niceStep(span: span, maxCount: maxCount) }

    /// The smallest 1, 2 or 5 × 10ᵏ at or above `v` (v > 0): axis limits that stay put while data grow.
    public static func niceCeiling(_ v: Double) -> Double { AxisTicks.niceCeiling(v) }

    /// Linear ticks inside `range` with at most `maxCount` ticks.
    public static func linear(_ range: ClosedRange<Double>, maxCount: Int) -> [Tick] {
        let t = AxisTicks.linear(range, maxCount: maxCount)
        return t.values.map { Tick($0, label($0, step: t.step)) }
    }

    /// Decade ticks (1, 10, 100, …) inside `range` (data units, positive); thinned to `maxCount`.
    public static func log(_ range: ClosedRange<Double>, maxCount: Int) -> [Tick] {
        let lo = Int(floor(log10(Swift.max(range.lowerBound, 1e-300))))
        let hi = Int(ceil(log10(Swift.max(range.upperBound, 1e-300))))
        var decades = (lo...Swift.max(lo, hi)).map { pow(10.0, Double($0)) }
            .filter { $0 >= range.lowerBound * (1 - 1e-9) && $0 <= range.upperBound * (1 + 1e-9) }
        if decades.count > maxCount, maxCount > 0 {
            let stride = Int(ceil(Double(decades.count) / Double(maxCount)))
            decades = decades.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
        }
        return decades.map { Tick($0, compact($0)) }
    }

    /// A label with as many decimals as the step needs.
    public static func label(_ v: Double, step: Double) -> String {
        if abs(v) >= 1e5 || step >= 1000 && abs(v) >= 1e4 { return compact(v) }
        let decimals = step >= 1 ? 0 : Int(ceil(-log10(step) - 1e-9))
        return FixedDecimal.format(v, decimals: Swift.min(decimals, 6))
    }

    /// 1, 10, 100, 1k, 10k, 100k, 1M … (and 2.5k for non-decades).
    public static func compact(_ v: Double) -> String {
        let a = abs(v)
        let (d, suffix): (Double, String) = a >= 1e9 ? (1e9, "G") : a >= 1e6 ? (1e6, "M") : a >= 1e3 ? (1e3, "k") : (1, "")
        let x = v / d
        if x == x.rounded() { return FixedDecimal.format(x, decimals: 0) + suffix }
        return FixedDecimal.format(x, decimals: 1) + suffix
    }
}
