import Foundation
import SDDCore

/// A condition on a peak property with SciPy's meaning: a lower bound, an upper bound, or both,
/// each optional (`scipy.signal.find_peaks` takes a number for the minimum or a 2-sequence
/// `(min, max)` where either may be `None`). Both bounds are inclusive.
public struct PeakCondition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Smallest accepted value (inclusive), or nil for no lower bound.
    public var min: Double?
    /// Largest accepted value (inclusive), or nil for no upper bound.
    public var max: Double?

    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }

    /// A lower bound only, like passing a plain number to SciPy.
    public static func atLeast(_ value: Double) -> PeakCondition { PeakCondition(min: value) }

    /// Whether `value` passes. A min above max accepts nothing, as in SciPy.
    @inlinable public func accepts(_ value: Double) -> Bool {
        if let lo = min, !(lo <= value) { return false }
        if let hi = max, !(value <= hi) { return false }
        return true
    }

    /// Parses "5", "5:", ":20", "5:20" (min:max, either side optional) or "5,20".
    public init(parsing text: String, option: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        let sep: Character? = t.contains(":") ? ":" : (t.contains(",") ? "," : nil)
        func number(_ s: Substring) throws -> Double? {
            let s = s.trimmingCharacters(in: .whitespaces)
            if s.isEmpty || s.lowercased() == "none" { return nil }
            guard let v = Double(s), v.isFinite else {
                throw SDDError.invalidArgument(option, "'\(s)' is not a finite number (use MIN, MIN:MAX, :MAX)")
            }
            return v
        }
        if let sep {
            let parts = t.split(separator: sep, maxSplits: 1, omittingEmptySubsequences: false)
            self.init(min: try number(parts[0]), max: try number(parts.count > 1 ? parts[1] : ""))
        } else {
            guard let v = try number(Substring(t)) else {
                throw SDDError.invalidArgument(option, "empty value (use MIN, MIN:MAX, :MAX)")
            }
            self.init(min: v)
        }
    }

    /// Throws when a bound is NaN or infinite in a way that makes the condition meaningless.
    func validate(_ name: String) throws {
        if let v = min, v.isNaN { throw SDDError.invalidArgument(name, "minimum is NaN") }
        if let v = max, v.isNaN { throw SDDError.invalidArgument(name, "maximum is NaN") }
    }

    public var description: String {
        switch (min, max) {
        case let (lo?, hi?): return "\(lo)...\(hi)"
        case let (lo?, nil): return "≥ \(lo)"
        case let (nil, hi?): return "≤ \(hi)"
        case (nil, nil): return "any"
        }
    }
}

extension PeakCondition: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    /// A plain number is a minimum, as in SciPy.
    public init(floatLiteral value: Double) { self.init(min: value) }
    public init(integerLiteral value: Int) { self.init(min: Double(value)) }
}
