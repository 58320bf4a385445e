import Foundation
import LineFitting
import SDDCore

/// Table 1 of the paper with honest figures: the Cu Kα fit on the spectrum summed over all cells, for
/// every stage of a calibration chain, held-out (cross-fitted) next to in-sample, the gain of the
/// refinement over the reference (held-out), the hardware limit, and the true calibration when known.
public struct HeldOutTable: Sendable, Encodable {
    public struct Row: Sendable, Encodable {
        public var label: String
        public var heldOut: SeedValidation.Measurement
        public var inSample: SeedValidation.Measurement
        public var heldOutChi2PerNDF: Double
        public var inSampleChi2PerNDF: Double
        enum CodingKeys: String, CodingKey {
            case label, heldOut = "held_out", inSample = "in_sample"
            case heldOutChi2PerNDF = "held_out_chi2_ndf", inSampleChi2PerNDF = "in_sample_chi2_ndf"
        }
    }

    /// The gain of `after` over `before`: held-out FWHM(before) − FWHM(after), with the error of the
    /// difference taken as if the two fits were independent (an upper bound: they share their events).
    public struct Gain: Sendable, Encodable {
        public var before: String
        public var after: String
        public var fwhm: Double
        public var error: Double
        public var significance: Double { fwhm / error }
        enum CodingKeys: String, CodingKey { case before, after, error = "fwhm_gain_err_ev", fwhm = "fwhm_gain_ev" }
    }

    public var rows: [Row]
    /// The same events under the true calibration (simulations only).
    public var truth: SeedValidation.Measurement?
    public var truthChi2PerNDF: Double?
    public var intrinsicFWHM: Double?
    public var gain: Gain?
    public var hardwareLimit: HardwareLimit?
    public var folds: Int
    public var roi: ClosedRange<Double>
    public var binWidth: Double

    enum CodingKeys: String, CodingKey {
        case rows, truth, gain, folds
        case truthChi2PerNDF = "truth_chi2_ndf", intrinsicFWHM = "intrinsic_fwhm_ev", hardwareLimit = "hardware_limit"
        case roi = "roi_ev", binWidth = "bin_ev"
    }

    /// Builds the table from a cross-fitting result; `labels` renames stages for display, `gain` names
    /// the (before, after) stages compared.
    public init(_ r: CrossFitting.Result, crossFitting cf: CrossFitting, labels: [String: String] = [:],
                gain pair: (before: String, after: String)? = nil, truth: (LineFitResult, intrinsic: Double)? = nil,
                hardwareLimit: HardwareLimit? = nil) {
        rows = r.stages.map { s in
            Row(label: labels[s.name] ?? s.name, heldOut: .init(s.heldOut), inSample: .init(s.inSample),
                heldOutChi2PerNDF: s.heldOut.chi2PerNDF, inSampleChi2PerNDF: s.inSample.chi2PerNDF)
        }
        self.truth = truth.map { .init($0.0) }
        truthChi2PerNDF = truth?.0.chi2PerNDF
        intrinsicFWHM = truth?.intrinsic
        if let pair, let b = r.stage(pair.before), let a = r.stage(pair.after) {
            gain = Gain(before: labels[pair.before] ?? pair.before, after: labels[pair.after] ?? pair.after,
                        fwhm: b.heldOut.fwhm - a.heldOut.fwhm,
                        error: (b.heldOut.fwhmError * b.heldOut.fwhmError + a.heldOut.fwhmError * a.heldOut.fwhmError).squareRoot())
        }
        self.hardwareLimit = hardwareLimit
        folds = cf.assignment.folds
        roi = cf.roi
        binWidth = cf.binWidth
    }

    /// Warnings for every in-sample or held-out FWHM more than 2σ below the hardware limit.
    public var warnings: [String] {
        guard let hw = hardwareLimit else { return [] }
        return rows.flatMap { r in
            [hw.warning(measured: r.heldOut.fwhm, error: r.heldOut.fwhmError, label: "\(r.label) (held-out)"),
             hw.warning(measured: r.inSample.fwhm, error: r.inSample.fwhmError, label: "\(r.label) (in-sample)")].compactMap { $0 }
        }
    }

    public var text: String {
        var s = String(format: "Table 1: Cu Kα fit on the spectrum summed over all cells (%.0f–%.0f eV, %g eV bins)\n", roi.lowerBound, roi.upperBound, binWidth)
        s += "  held-out: each event calibrated by the chain run without it (\(folds)-fold cross-fitting); in-sample: calibrated and fitted on the same events\n"
        s += "                      held-out                          in-sample\n"
        s += "                      Position [eV]    FWHM [eV]        Position [eV]    FWHM [eV]        χ²/ndf (h-o / i-s)\n"
        func pair(_ m: SeedValidation.Measurement) -> String {
            String(format: "%8.1f ± %4.1f  %6.1f ± %4.1f", m.position, m.positionError, m.fwhm, m.fwhmError)
        }
        for r in rows {
            s += r.label.padding(toLength: 20, withPad: " ", startingAt: 0) + "  " + pair(r.heldOut) + "   " + pair(r.inSample)
                + String(format: "   %5.2f / %5.2f", r.heldOutChi2PerNDF, r.inSampleChi2PerNDF) + "\n"
        }
        if let t = truth {
            s += "true calibration".padding(toLength: 20, withPad: " ", startingAt: 0) + "  " + pair(t)
                + String(format: "   (independent of the events)       %5.2f", truthChi2PerNDF ?? .nan) + "\n"
        }
        if let f = intrinsicFWHM { s += String(format: "intrinsic Cu Kα FWHM (simulator): %.1f eV\n", f) }
        if let hw = hardwareLimit { s += String(format: "hardware limit (ENC and Fano from the strong lines, %d cells): %.1f ± %.1f eV\n", hw.cells, hw.fwhm, hw.error) }
        if let g = gain {
            s += String(format: "gain, held-out: %@ → %@: %.1f ± %.1f eV FWHM (%.1fσ)\n", g.before, g.after, g.fwhm, g.error, g.significance)
        }
        for w in warnings { s += w + "\n" }
        return s
    }
}
