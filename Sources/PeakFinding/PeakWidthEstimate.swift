import Foundation
import SDDCore

/// The width of a spectrum's peaks, measured on the spectrum itself, so that smoothing and matching
/// tolerances follow the detector and the MCA's gain (an Amptek's ~7-channel FWHM, VIP-2's ~50 ADC)
/// instead of one fixed number.
public enum PeakWidthEstimate {
    /// FWHM in bins of the most prominent peak at least 1.5 bins wide (a one-bin spike is noise, not a
    /// line), measured after a 1-bin Gaussian smoothing whose broadening is then taken out; nil when the
    /// spectrum has no such peak.
    public static func fwhmBins(_ counts: [Double]) -> Double? {
        guard counts.count >= 8, counts.allSatisfy({ $0.isFinite && $0 >= 0 }),
              let kernel = try? GaussianSmoothing(sigma: 1) else { return nil }
        let y = kernel.apply(counts)
        guard let found = try? PeakFinder.findPeaks(y, options: PeakSearchOptions(prominence: .atLeast(0), width: .atLeast(1.5))),
              let prom = found.properties.prominences, let widths = found.properties.widths, !prom.isEmpty else { return nil }
        // Significant peaks only: prominence ≥ 5 standard deviations of the (smoothed) peak bin.
        let varianceFactor = kernel.noiseVarianceFactor
        let ok = prom.indices.filter { prom[$0] >= 5 * (varianceFactor * y[found.peaks[$0]]).squareRoot() }
        guard let k = ok.max(by: { prom[$0] < prom[$1] }) else { return nil }
        let w = widths[k]
        // Gaussian widths add in quadrature: the 1-bin kernel adds 2.3548 bins of FWHM.
        let kernelFWHM = DetectorResponse.fwhmPerSigma
        return (Swift.max(w * w - kernelFWHM * kernelFWHM, 1)).squareRoot()
    }
}
