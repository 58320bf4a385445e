import Foundation
import SDDCore

/// One peak of a spectrum: where the finder put it, its sub-bin centroid in ADC, its SciPy
/// properties and the line it was identified as.
public struct SpectrumPeak: Sendable, Hashable, Codable {
    /// Bin index of the maximum (the SciPy peak index).
    public var bin: Int
    /// Centre of that bin in ADC.
    public var binCenterADC: Double
    /// Sub-bin centroid in ADC (`SubBinCentroid`).
    public var centroidADC: Double
    /// Content of the peak bin in the searched (possibly smoothed) spectrum.
    public var height: Double
    /// Prominence, when computed (prominence, width or significance conditions).
    public var prominence: Double?
    /// Width at `rel_height` in ADC, when a width condition was given.
    public var widthADC: Double?
    /// Identified line id (e.g. "MnKa"), or nil when unidentified.
    public var line: String?

    enum CodingKeys: String, CodingKey {
        case bin, height, prominence, line
        case binCenterADC = "bin_center_adc"
        case centroidADC = "centroid_adc"
        case widthADC = "width_adc"
    }
}

/// What a search of one spectrum found.
public struct SpectrumPeakReport: Sendable, Hashable, Codable {
    public var peaks: [SpectrumPeak]
    /// The raw SciPy-style result (bin indices and properties) on the searched spectrum.
    public var search: PeakSearchResult
    /// Line identification, when a profile was given.
    public var identification: LineIdentifier.Result?
    /// Total counts of the spectrum searched (before smoothing).
    public var totalCounts: Double
    /// FWHM (bins) measured on the spectrum when the smoothing follows the peak width; nil otherwise.
    public var measuredFWHMBins: Double? = nil
    /// σ (bins) of the Gaussian smoothing applied; nil for none.
    public var smoothingSigmaBins: Double? = nil
}

/// The peak search on a histogram: checks the counts, optionally smooths, runs the SciPy-style
/// finder, adds a Poisson significance cut, computes sub-bin centroids and identifies lines.
public struct SpectrumPeakSearch: Sendable {
    /// SciPy `find_peaks` conditions, in bins (distance, width, wlen) and counts (height, prominence).
    public var options: PeakSearchOptions
    /// σ in bins of a Gaussian smoothing before the search; nil for none.
    public var smoothingSigma: Double?
    /// Keep only peaks whose prominence reaches this many standard deviations of the peak bin,
    /// applied after the SciPy conditions; nil for no such cut. The deviation is Poisson: √height,
    /// and after smoothing √(Σw²·height) with w the kernel weights (a smoothed bin is a weighted sum
    /// of independent counts, so its variance shrinks by Σw², about 1/(2σ√π) for σ in bins).
    public var significance: Double?
    /// Profile whose calibration lines are identified; nil skips identification.
    public var profile: LineProfile?
    /// Matching tolerance for identification in ADC; nil: half the measured FWHM when the smoothing
    /// follows the peak width (at least 2 bins), else max(20 ADC, 2 bins).
    public var toleranceADC: Double?
    /// With no `smoothingSigma`, smooth by σ = ½·(measured peak σ) (``PeakWidthEstimate``): VIP-2's
    /// 10 ADC at ~50 ADC FWHM, one channel on an Amptek at ~7 channels, so Mn Kβ stays apart from Kα.
    public var smoothingFollowsPeakWidth: Bool
    /// Gains (eV/ADC) identification may choose; nil: any (1–100 eV/ADC).
    public var gainRange: ClosedRange<Double>?

    public init(options: PeakSearchOptions = PeakSearchOptions(), smoothingSigma: Double? = nil,
                significance: Double? = nil, profile: LineProfile? = nil, toleranceADC: Double? = nil,
                smoothingFollowsPeakWidth: Bool = false, gainRange: ClosedRange<Double>? = nil) {
        self.options = options
        self.smoothingSigma = smoothingSigma
        self.significance = significance
        self.profile = profile
        self.toleranceADC = toleranceADC
        self.smoothingFollowsPeakWidth = smoothingFollowsPeakWidth
        self.gainRange = gainRange
    }

    /// The search that needs no setting: smoothing and tolerance from the measured peak width, peaks
    /// whose prominence reaches 3 standard deviations, identification of `profile` at any gain (or
    /// within `gainRange`).
    public static func adaptive(profile: LineProfile?, gainRange: ClosedRange<Double>? = nil) -> SpectrumPeakSearch {
        SpectrumPeakSearch(significance: 3, profile: profile, smoothingFollowsPeakWidth: true, gainRange: gainRange)
    }

    /// Counts must be finite and non-negative: a histogram is counts per bin.
    public static func validateCounts(_ h: Histogram) throws {
        for (i, c) in h.counts.enumerated() where !(c >= 0) || c.isInfinite {
            let what = c.isNaN ? "is NaN" : (c < 0 ? "is negative (\(c))" : "is \(c)")
            throw SDDError.invalidArgument("spectrum", "bin \(i) (ADC \(h.center(i))) \(what); counts must be finite and ≥ 0")
        }
    }

    /// Searches `spectrum` (bins in ADC). An empty or all-zero spectrum gives no peaks and, with a
    /// profile, every line missing.
    public func run(_ spectrum: Histogram) throws -> SpectrumPeakReport {
        try Self.validateCounts(spectrum)
        try options.validate()
        if let k = significance, !(k >= 0) || k.isInfinite {
            throw SDDError.invalidArgument("significance", "must be a finite number ≥ 0, was \(k)")
        }
        if let t = toleranceADC, !(t > 0) || t.isInfinite {
            throw SDDError.invalidArgument("tolerance", "must be a finite number > 0 (ADC), was \(t)")
        }
        if let g = gainRange, !(g.lowerBound > 0) || !g.upperBound.isFinite {
            throw SDDError.invalidArgument("gain", "must be LO:HI eV/ADC with 0 < LO ≤ HI, finite; was \(g.lowerBound):\(g.upperBound)")
        }
        var y = spectrum.counts
        var varianceFactor = 1.0
        let measured = smoothingFollowsPeakWidth ? PeakWidthEstimate.fwhmBins(spectrum.counts) : nil
        var sigma = smoothingSigma
        if sigma == nil, let w = measured, w / DetectorResponse.fwhmPerSigma / 2 >= 0.5 {
            sigma = w / DetectorResponse.fwhmPerSigma / 2
        }
        if let s = sigma {
            let kernel = try GaussianSmoothing(sigma: s)
            y = kernel.apply(y)
            varianceFactor = kernel.noiseVarianceFactor
        }
        var result = try PeakFinder.findPeaks(y, options: options)

        var prominences = result.properties.prominences
        if let k = significance, k > 0 {
            let pr = try prominences ?? PeakFinder.peakProminences(y, peaks: result.peaks, wlen: options.wlen).prominences
            let keep = result.peaks.indices.map { pr[$0] >= k * (varianceFactor * y[result.peaks[$0]]).squareRoot() }
            result.peaks = result.peaks.indices.filter { keep[$0] }.map { result.peaks[$0] }
            result.properties.compact(keep)
            prominences = pr.indices.filter { keep[$0] }.map { pr[$0] }
        }

        var peaks: [SpectrumPeak] = []
        for (k, b) in result.peaks.enumerated() {
            let c = SubBinCentroid.centroid(y, index: b)
            peaks.append(SpectrumPeak(
                bin: b, binCenterADC: spectrum.center(b),
                centroidADC: spectrum.lowerEdge + (c + 0.5) * spectrum.binWidth,
                height: y[b], prominence: prominences?[k],
                widthADC: result.properties.widths.map { $0[k] * spectrum.binWidth }, line: nil))
        }
        var identification: LineIdentifier.Result? = nil
        if let profile {
            let tol = toleranceADC ?? measured.map { Swift.max(2, $0 / 2) * spectrum.binWidth } ?? Swift.max(20, 2 * spectrum.binWidth)
            var identifier = LineIdentifier(profile: profile, toleranceADC: tol)
            if let g = gainRange { identifier.gainRange = g }
            identifier.dataRange = spectrum.lowerEdge...spectrum.upperEdge
            // Prominences where known: the height above the local background, which is what the
            // yields compare (a weak Kβ on a high continuum would look too strong by its height).
            let id = identifier.identify(peaks.map { .init(adc: $0.centroidADC, height: $0.prominence ?? $0.height) })
            for i in peaks.indices { peaks[i].line = id.labels[i] }
            identification = id
        }
        return SpectrumPeakReport(peaks: peaks, search: result, identification: identification,
                                  totalCounts: spectrum.total, measuredFWHMBins: measured, smoothingSigmaBins: sigma)
    }
}
