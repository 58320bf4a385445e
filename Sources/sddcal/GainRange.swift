import SDDCore

/// `--gain LO:HI`: the gains (eV per ADC channel) line identification may choose.
enum GainRange {
    static func parse(_ text: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]),
              lo > 0, lo <= hi, hi.isFinite else {
            throw SDDError.invalidArgument("--gain", "'\(InputQuote.escape(text))' is not LO:HI in eV/ADC with 0 < LO ≤ HI")
        }
        return lo...hi
    }
}
