import Foundation

/// Summary of centroid errors for one line over many spectra.
public struct LineErrorSummary: Codable, Sendable, Equatable {
    public var line: String
    /// Spectra with a prediction for this line.
    public var count: Int
    /// Median of |predicted − true| in ADC.
    public var medianAbsError: Double
    /// 99th percentile of |predicted − true| in ADC.
    public var p99AbsError: Double
    /// Mean signed error (bias) in ADC.
    public var meanError: Double
    /// Fraction of spectra where the line was found within the tolerance.
    public var foundFraction: Double
}

/// Centroid errors of a set of spectra at one statistics level.
public struct ValidationSummary: Codable, Sendable, Equatable {
    /// Nominal total counts in the window.
    public var totalCounts: Double
    public var spectra: Int
    public var lines: [LineErrorSummary]
    /// Fraction of spectra with every line found within the tolerance.
    public var allFoundFraction: Double
    /// |error| (ADC) within which a line counts as found.
    public var foundTolerance: Double

    /// Statistics of predictions against truth; `nil` predictions are lines not found.
    public init(totalCounts: Double, lineIDs: [String], predicted: [[Double?]], truth: [[Double]], foundTolerance: Double) {
        self.totalCounts = totalCounts
        spectra = predicted.count
        self.foundTolerance = foundTolerance
        var all = 0
        for (p, t) in zip(predicted, truth) {
            let everyLine = zip(p, t).allSatisfy { pair in
                guard let v = pair.0 else { return false }
                return abs(v - pair.1) <= foundTolerance
            }
            if everyLine { all += 1 }
        }
        allFoundFraction = predicted.isEmpty ? 0 : Double(all) / Double(predicted.count)
        lines = lineIDs.indices.map { k in
            var errs: [Double] = []
            var found = 0
            for (p, t) in zip(predicted, truth) {
                guard let v = p[k] else { continue }
                errs.append(v - t[k])
                if abs(v - t[k]) <= foundTolerance { found += 1 }
            }
            let absErr = errs.map(abs).sorted()
            return LineErrorSummary(line: lineIDs[k], count: errs.count,
                                    medianAbsError: Self.quantile(absErr, 0.5), p99AbsError: Self.quantile(absErr, 0.99),
                                    meanError: errs.isEmpty ? .nan : errs.reduce(0, +) / Double(errs.count),
                                    foundFraction: predicted.isEmpty ? 0 : Double(found) / Double(predicted.count))
        }
    }

    /// Quantile of sorted values by linear interpolation (NumPy's default), NaN when empty.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = q * Double(sorted.count - 1)
        let i = Int(h.rounded(.down))
        return i + 1 < sorted.count ? sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
