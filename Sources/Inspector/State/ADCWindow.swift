import SDDCore

/// The ADC range the inspector shows of a histogram, taken from the data rather than from the
/// profile's nominal VIP-2 window (`LineProfile.adcWindow`, the CNN's input range), so that a
/// detector at any gain (SIDDHARTA-2 histograms at 8–20 eV/ADC, an Amptek at ~19 eV/channel)
/// shows its lines.
public enum ADCWindow {
    /// Where the profile's lines are: under a calibration, the ADC range of the profile's energy
    /// axis (`MiniSpectra.energyRange`: 600 eV below its lowest line to 400 eV above its highest)
    /// through the calibration's inverse, clamped to the bins with counts; without a calibration
    /// (or when the lines map outside the data), the range holding the counts. Nil when the
    /// histogram has no counts.
    public static func around(_ profile: LineProfile, histogram h: Histogram, calibration: EnergyCalibration?) -> ClosedRange<Double>? {
        guard let counted = countRange(h, tail: 0) else { return nil }
        let er = MiniSpectra.energyRange(profile)
        if let cal = calibration, let a = cal.adc(forEnergy: er.lowerBound), let b = cal.adc(forEnergy: er.upperBound),
           a.isFinite, b.isFinite {
            let lo = Swift.max(counted.lowerBound, Swift.min(a, b)), hi = Swift.min(counted.upperBound, Swift.max(a, b))
            // A few bins at least: a calibration that puts the lines outside the data says nothing
            // about where to look.
            if hi - lo >= 8 * h.binWidth { return lo...hi }
        }
        return countRange(h)
    }

    /// The range from the first to the last bin with counts, after dropping a `tail` fraction of
    /// the counts at either end (default 10⁻⁴: a few stray events at ADC 0 or 65535 do not squash
    /// the spectrum into a few columns). Nil when there are no counts.
    public static func countRange(_ h: Histogram, tail: Double = 1e-4) -> ClosedRange<Double>? {
        var total = 0.0
        for c in h.counts where c > 0 { total += c }
        guard total > 0 else { return nil }
        let cut = total * tail
        var s = 0.0, f = 0
        while f < h.counts.count {
            if h.counts[f] > 0 { s += h.counts[f]; if s > cut { break } }
            f += 1
        }
        s = 0
        var l = h.counts.count - 1
        while l > f {
            if h.counts[l] > 0 { s += h.counts[l]; if s > cut { break } }
            l -= 1
        }
        return (h.lowerEdge + Double(f) * h.binWidth)...(h.lowerEdge + Double(l + 1) * h.binWidth)
    }

    /// The smallest range covering every range given; nil when none is.
    public static func union<S: Sequence>(_ ranges: S) -> ClosedRange<Double>? where S.Element == ClosedRange<Double> {
        var lo = Double.infinity, hi = -Double.infinity
        for r in ranges { lo = Swift.min(lo, r.lowerBound); hi = Swift.max(hi, r.upperBound) }
        return lo < hi ? lo...hi : nil
    }
}
