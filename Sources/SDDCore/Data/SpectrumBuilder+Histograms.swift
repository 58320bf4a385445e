extension Histogram {
    /// The energy histogram of an ADC histogram under one calibration (histogram input). Whole
    /// channels (bin width 1, edges at k − ½, whole counts) go through `energy(channelCounts:…)` with
    /// `spreading`: each channel split over its energy interval's bins, by one multinomial draw
    /// (dithered) or by overlap (fractional), O(channels) either way. Other binnings are shared by overlap.
    public static func energy(adcHistogram h: Histogram, calibration cal: EnergyCalibration,
                              lowerEdge: Double, binWidth: Double, bins: Int,
                              spreading: ChannelSpreading = .dithered) -> Histogram {
        let first = Int((h.lowerEdge + 0.5).rounded())
        if h.binWidth == 1, first >= 0, first < Int(UInt32.max), h.lowerEdge + 0.5 == Double(first),
           h.counts.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 0x1p53 }) {
            var perChannel = [Int](repeating: 0, count: first + h.counts.count)
            for k in h.counts.indices { perChannel[first + k] = Int(h.counts[k]) }
            return energy(channelCounts: perChannel, calibration: cal, lowerEdge: lowerEdge, binWidth: binWidth,
                          bins: bins, spreading: spreading)
        }
        var out = Histogram(lowerEdge: lowerEdge, binWidth: binWidth, bins: bins)
        for k in h.counts.indices where h.counts[k] > 0 {
            let a = cal.energy(h.lowerEdge + Double(k) * h.binWidth), b = cal.energy(h.lowerEdge + Double(k + 1) * h.binWidth)
            out.fillInterval(Swift.min(a, b), Swift.max(a, b), weight: h.counts[k])
        }
        return out
    }
}

extension SpectrumBuilder {
    /// The calibrated energy spectrum over `range` (eV) in bins of `binWidth` (eV) of histogram input
    /// (one ADC spectrum per cell, one batch), summed over `cells` (all when nil) that the
    /// calibration covers, each under its cell's calibration, O(channels) per cell
    /// (`Histogram.energy(adcHistogram:…)`). Cells without a calibration are returned in `uncalibrated`.
    public static func energySpectrum(histograms: [(cell: Int, histogram: Histogram)], calibration: CalibrationSet,
                                      cells: Set<Int>? = nil, range: ClosedRange<Double>, binWidth: Double)
        -> (histogram: Histogram, uncalibrated: [Int]) {
        let bins = Int(((range.upperBound - range.lowerBound) / binWidth).rounded())
        var h = Histogram(lowerEdge: range.lowerBound, binWidth: binWidth, bins: bins)
        var skipped: [Int] = []
        for (c, adc) in histograms where cells?.contains(c) ?? true {
            // Histogram input has no times: its one batch (or the middle of a timeline) stands for the cell.
            guard let cal = calibration.histogramCalibration(cell: c) else { skipped.append(c); continue }
            h = h + Histogram.energy(adcHistogram: adc, calibration: cal, lowerEdge: h.lowerEdge, binWidth: binWidth, bins: bins)
        }
        return (h, skipped)
    }
}
