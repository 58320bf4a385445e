import Foundation
import SDDCore

/// How a spectrum becomes the network's input: the ADC window, its rebinning and normalisation.
///
/// The window starts at ADC channel `firstChannel` and holds `bins` bins of `channelsPerBin` whole
/// channels (integer ADC k is the interval [k − ½, k + ½), `Histogram.adc`'s convention). For
/// `vip2` that is ADC 1500–4499 in 300 bins of 10 channels (docs/physics.md §6). Counts are normalised as
/// sqrt(count) / max sqrt(count): the square root evens out Poisson noise across the strong Mn and
/// weak Cu lines, and the maximum makes the input independent of the total number of counts.
public struct InputEncoding: Codable, Hashable, Sendable {
    public enum Normalisation: String, Codable, Sendable {
        /// sqrt(count) divided by the largest sqrt(count) of the window.
        case sqrtMax = "sqrt-max"
        /// count divided by the largest count of the window.
        case max
    }

    public var firstChannel: Int
    public var channelsPerBin: Int
    public var bins: Int
    public var normalisation: Normalisation

    public init(firstChannel: Int, channelsPerBin: Int, bins: Int = 300, normalisation: Normalisation = .sqrtMax) {
        self.firstChannel = firstChannel
        self.channelsPerBin = channelsPerBin
        self.bins = bins
        self.normalisation = normalisation
    }

    /// The encoding of a profile: its ADC window in `bins` bins of whole channels (the width is rounded
    /// up to whole channels per bin, so the window may end a little above the profile's).
    public init(profile: LineProfile, bins: Int = 300) {
        let lo = Int(profile.adcWindow.lowerBound.rounded(.down))
        let width = profile.adcWindow.upperBound - Double(lo)
        let cpb = Swift.max(1, Int((width / Double(bins)).rounded(.up)))
        self.init(firstChannel: lo, channelsPerBin: cpb, bins: bins)
    }

    /// Lower edge of the window in continuous ADC (firstChannel − ½).
    public var lowerEdge: Double { Double(firstChannel) - 0.5 }
    /// Width of the window in ADC channels.
    public var width: Double { Double(bins * channelsPerBin) }
    /// Upper edge of the window in continuous ADC.
    public var upperEdge: Double { lowerEdge + width }

    /// An ADC position as the network's normalised output: 0 at the window's lower edge, 1 at its upper.
    @inlinable public func normalisedPosition(adc: Double) -> Double { (adc - lowerEdge) / width }
    /// A normalised output back in ADC.
    @inlinable public func adc(normalisedPosition u: Double) -> Double { lowerEdge + u * width }

    /// The window's counts from any histogram in ADC coordinates (any bin width), sharing each
    /// source bin between window bins in proportion to overlap.
    public func windowCounts(_ h: Histogram) -> [Double] {
        if h.binWidth == 1, (h.lowerEdge - lowerEdge).rounded() == h.lowerEdge - lowerEdge {
            // Channel histograms aligned with the window: exact sums, no interval arithmetic.
            var out = [Double](repeating: 0, count: bins)
            let offset = Int((lowerEdge - h.lowerEdge).rounded())
            for j in 0..<bins {
                var s = 0.0
                for c in 0..<channelsPerBin {
                    let i = offset + j * channelsPerBin + c
                    if i >= 0 && i < h.counts.count { s += h.counts[i] }
                }
                out[j] = s
            }
            return out
        }
        return h.resampled(lowerEdge: lowerEdge, binWidth: Double(channelsPerBin), bins: bins).counts
    }

    /// Normalises window counts into `out` (length `bins`).
    public func normalise(_ counts: [Double], into out: UnsafeMutablePointer<Float>) {
        precondition(counts.count == bins, "expected \(bins) window bins, got \(counts.count)")
        switch normalisation {
        case .sqrtMax:
            var m = 0.0
            for c in counts { m = Swift.max(m, c) }
            let s = m > 0 ? 1 / m.squareRoot() : 0
            for j in 0..<bins { out[j] = Float(Swift.max(0, counts[j]).squareRoot() * s) }
        case .max:
            var m = 0.0
            for c in counts { m = Swift.max(m, c) }
            let s = m > 0 ? 1 / m : 0
            for j in 0..<bins { out[j] = Float(Swift.max(0, counts[j]) * s) }
        }
    }

    /// Normalised network input of window counts.
    public func encode(_ counts: [Double]) -> [Float] {
        var out = [Float](repeating: 0, count: bins)
        out.withUnsafeMutableBufferPointer { normalise(counts, into: $0.baseAddress!) }
        return out
    }
}
