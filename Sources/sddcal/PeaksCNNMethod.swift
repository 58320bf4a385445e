import CentroidNetwork
import Foundation
import PeakFinding
import SDDCore

/// `sddcal peaks --method cnn`: the centroids of the profile's calibration lines predicted by the
/// trained CNN (the paper's section 3.1) instead of the SciPy-style search.
extension Peaks {
    struct CNNOutput: Encodable {
        struct Centroid: Encodable {
            var line: String
            var adc: Double
        }
        var file: String
        var source: Source
        var method = "cnn"
        var model: String
        var profile: String
        var windowFirstADC: Int
        var windowBins: Int
        var windowChannelsPerBin: Int
        var windowCounts: Double
        var centroids: [Centroid]

        enum CodingKeys: String, CodingKey {
            case file, source, method, model, profile, centroids
            case windowFirstADC = "window_first_adc", windowBins = "window_bins"
            case windowChannelsPerBin = "window_channels_per_bin", windowCounts = "window_counts"
        }
    }

    func runCNN() throws {
        let predictor = try model.map { try CentroidPredictor.load($0) } ?? CentroidPredictor.bundled()
        guard let prof = LineProfile.named(profile) else {
            throw SDDError.invalidArgument("--profile", "unknown profile '\(profile)'")
        }
        try predictor.check(profile: prof)
        let (spectrum, source) = try loadSpectrum(profile: prof)
        do { try SpectrumPeakSearch.validateCounts(spectrum) } catch SDDError.invalidArgument(_, let message) {
            throw SDDError.invalidArgument(file, message)
        }
        let enc = predictor.encoding
        let windowCounts = enc.windowCounts(spectrum).reduce(0, +)
        let adc: [Double]
        do { adc = try predictor.predict(spectrum) } catch SDDError.failed(let message) {
            throw SDDError.invalidArgument(file, message)
        }
        let out = CNNOutput(file: file, source: source, model: predictor.path, profile: prof.name,
                            windowFirstADC: enc.firstChannel, windowBins: enc.bins, windowChannelsPerBin: enc.channelsPerBin,
                            windowCounts: windowCounts,
                            centroids: zip(predictor.lineIDs, adc).map { CNNOutput.Centroid(line: $0.0, adc: $0.1) })
        if json { try printJSON(out); return }
        var head = "\(file): "
        if source.kind == "events", let c = source.cell, let i = source.index, let b = source.batch, let n = source.events {
            head += "cell \(c), batch \(i) of \(b), \(n) events; "
        } else if let c = source.cell {
            head += "cell \(c); "
        }
        head += String(format: "%.0f counts in the CNN window (ADC %d–%d, %d bins of %d)", windowCounts, enc.firstChannel,
                        enc.firstChannel + enc.bins * enc.channelsPerBin - 1, enc.bins, enc.channelsPerBin)
        print(head)
        print("model: \(predictor.path)")
        print("  line    centroid ADC")
        for c in out.centroids {
            print("  " + c.line.padding(toLength: 6, withPad: " ", startingAt: 0) + String(format: " %12.2f", c.adc))
        }
    }
}
