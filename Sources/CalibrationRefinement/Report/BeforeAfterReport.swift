import Foundation
import LineFitting
import SDDCore

/// The comparison the paper makes (section 3.2, table 1, figures 5–7) between a reference calibration
/// and the refined one on the same events.
public struct BeforeAfterReport: Sendable, Encodable {
    /// One row of table 1: the Cu Kα fit (eq. 4, LineFitting's `CuKalphaLineFit`) on the summed
    /// calibrated spectrum.
    public struct TableRow: Sendable, Encodable {
        public var label: String
        public var positionEV: Double
        public var positionErrorEV: Double
        public var fwhmEV: Double
        public var fwhmErrorEV: Double
        public var chi2PerNDF: Double
        public var ndf: Int
        public var counts: Double
        public var status: String
        enum CodingKeys: String, CodingKey {
            case label, ndf, status, counts = "counts_in_roi"
            case positionEV = "position_ev", positionErrorEV = "position_err_ev"
            case fwhmEV = "fwhm_ev", fwhmErrorEV = "fwhm_err_ev", chi2PerNDF = "chi2_ndf"
        }
    }

    /// The pull of one batch (figure 6): (μRef − μOpt)/σμRef at the reference fit's Cu Kα centroid.
    public struct BatchPull: Sendable, Encodable {
        public var cell: Int
        public var batch: Int
        public var muRef: Double
        public var muOpt: Double
        public var sigmaRef: Double
        public var pull: Double
        enum CodingKeys: String, CodingKey { case cell, batch, pull, muRef = "mu_ref_ev", muOpt = "mu_opt_ev", sigmaRef = "sigma_ref_ev" }
    }

    /// Against a simulator's truth (when given): the Cu Kα energy error of each batch before and after,
    /// at the channel where the batch's true mean calibration puts Cu Kα.
    public struct TruthComparison: Sendable, Encodable {
        /// Cu Kα energy error (eV) of one batch at its true Cu Kα channel, before and after.
        public struct Batch: Sendable, Encodable {
            public var cell: Int
            public var batch: Int
            public var errorBefore: Double
            public var errorAfter: Double
            /// Statistical error of the reference Cu centroid in eV (nil without a Cu fit).
            public var sigma: Double?
            enum CodingKeys: String, CodingKey { case cell, batch, sigma = "sigma_ev", errorBefore = "error_before_ev", errorAfter = "error_after_ev" }
        }
        /// Table 1 with the true calibration (hourly), the best any calibration can do on these events.
        public var truthRow: TableRow
        /// Intrinsic Cu Kα FWHM of the simulator, averaged over cells weighted by Cu rate.
        public var intrinsicFWHM: Double
        public var batches: [Batch]
        public var rmsBefore: Double
        public var rmsAfter: Double
        /// Batches off by more than 3σ before, and those of them within 2σ after.
        public var miscalibrated: Int
        public var recovered: Int
        /// Batches within 2σ before, and those of them that moved by 2σ or more.
        public var rightBefore: Int
        public var movedBy2Sigma: Int
        enum CodingKeys: String, CodingKey {
            case batches, miscalibrated, recovered
            case truthRow = "truth_row", intrinsicFWHM = "intrinsic_fwhm_ev", rmsBefore = "rms_error_before_ev"
            case rmsAfter = "rms_error_after_ev", rightBefore = "right_before", movedBy2Sigma = "moved_by_2_sigma"
        }
    }

    public var before: TableRow
    public var after: TableRow
    public var truth: TruthComparison?
    public var pulls: [BatchPull]
    /// Batches without a Cu Kα centroid in the reference calibration (no pull).
    public var batchesWithoutCuCentroid: Int
    /// Summed log-likelihood of all batches against iteration (figure 5), from rerunning the optimizer
    /// with `settings` on the reference calibration.
    public var logLikelihoodCurve: [Double]
    public var settings: RefinementSettings
    /// The summed Cu Kα region before and after, with the fitted expectation per bin (figure 7).
    public var spectrumBefore: Histogram
    public var spectrumAfter: Histogram
    public var fitBefore: [Double]
    public var fitAfter: [Double]

    enum CodingKeys: String, CodingKey {
        case before, after, pulls, settings, truth
        case batchesWithoutCuCentroid = "batches_without_cu_centroid", logLikelihoodCurve = "log_likelihood_curve"
    }

    /// Builds the report: fits both summed spectra (bins of `binWidth` eV over `roi`), computes the
    /// pulls and reruns the optimizer from `before` for the log-likelihood curve.
    public static func make(events: EventTable, before: CalibrationSet, after: CalibrationSet,
                            settings: RefinementSettings = RefinementSettings(),
                            roi: ClosedRange<Double> = CuKalphaLineFit.roi, binWidth: Double = 5,
                            truth: SimulationTruth? = nil, trace: TraceRecorder? = nil) throws -> BeforeAfterReport {
        let spec = (try? BatchSpec(parsing: before.batch)) ?? .all
        let batched = BatchedEvents(events, spec: spec)
        let bins = Int(((roi.upperBound - roi.lowerBound) / binWidth).rounded())
        let range = roi.lowerBound...(roi.lowerBound + Double(bins) * binWidth)
        // Each calibration's spectrum is built on its own batches (they may differ: 30 days before, 2 after).
        func row(_ set: CalibrationSet, _ label: String, _ events: BatchedEvents? = nil) -> (TableRow, Histogram, [Double]) {
            let own = events ?? BatchedEvents(batched.events, spec: (try? BatchSpec(parsing: set.batch)) ?? .all)
            let (h, _) = SpectrumBuilder.energySpectrum(own, calibration: set, range: range, binWidth: binWidth)
            let o = CuKalphaLineFit.fitOutcome(histogram: h, roi: range)
            let r = o.result
            return (TableRow(label: label, positionEV: r.position, positionErrorEV: r.positionError, fwhmEV: r.fwhm,
                             fwhmErrorEV: r.fwhmError, chi2PerNDF: r.chi2PerNDF, ndf: r.ndf, counts: h.total, status: r.status.rawValue),
                    h.slice(range), o.expected)
        }
        let (rb, hb, fb) = row(before, "reference")
        let (ra, ha, fa) = row(after, "optimized")

        var pulls: [BatchPull] = []
        var missing = 0
        let line = settings.lineID
        // Per batch of the optimized file; the reference batch is the one covering its mid-time (the
        // same batch when both files share their batches).
        func reference(_ cell: Int, _ b: CalibrationSet.Batch) -> CalibrationSet.Batch? {
            let mid = 0.5 * (b.start + b.end)
            return before.batches(ofCell: cell)?.first { mid >= $0.start && mid < $0.end }
        }
        // The optimized calibration of a batch: its cell's timeline at the batch's mid-time (version 2),
        // else the batch's own constants.
        func optimized(_ cell: CalibrationSet.Cell, _ a: CalibrationSet.Batch) -> EnergyCalibration {
            cell.timeline.map { $0.calibration(at: 0.5 * (a.start + a.end)) } ?? a.calibration
        }
        for cell in after.cells {
            for a in cell.batches {
                guard let b = reference(cell.cell, a), let cu = b.lines.first(where: { $0.line == line }), cu.centroidError > 0 else {
                    missing += 1; continue
                }
                let muRef = b.calibration.energy(cu.centroidADC), muOpt = optimized(cell, a).energy(cu.centroidADC)
                let s = cu.centroidError * b.calibration.slope(cu.centroidADC)
                pulls.append(BatchPull(cell: cell.cell, batch: a.index, muRef: muRef, muOpt: muOpt, sigmaRef: s, pull: (muRef - muOpt) / s))
            }
        }
        var comparison: TruthComparison? = nil
        if let truth {
            // The true calibration hour by hour (drift within an hour is negligible), as `sddcal fit --truth`.
            let hourlyEvents = BatchedEvents(batched.events, spec: .duration(3600))
            let (tr, _, _) = row(truth.calibrationSet(for: hourlyEvents, source: "truth"), "truth", hourlyEvents)
            let eCu = SpectralLine(id: line)!.energy
            var rows: [TruthComparison.Batch] = []
            let trueBatches = truth.calibrationSet(for: BatchedEvents(batched.events, spec: (try? BatchSpec(parsing: after.batch)) ?? .all), source: "truth")
            for cell in after.cells {
                let tb = trueBatches.batches(ofCell: cell.cell) ?? []
                for a in cell.batches {
                    guard let b = reference(cell.cell, a), let t = tb.first(where: { abs($0.start - a.start) < 1 }),
                          let x = t.calibration.adc(forEnergy: eCu) else { continue }
                    // σ of the reference Cu centroid, scaled to the batch length (∝ 1/√duration).
                    let scale = ((b.end - b.start) / max(1, a.end - a.start)).squareRoot()
                    let sigma = b.lines.first { $0.line == line && $0.centroidError > 0 }.map { $0.centroidError * b.calibration.slope($0.centroidADC) * scale }
                    rows.append(.init(cell: cell.cell, batch: a.index, errorBefore: b.calibration.energy(x) - eCu,
                                      errorAfter: optimized(cell, a).energy(x) - eCu, sigma: sigma))
                }
            }
            func rms(_ v: [Double]) -> Double { v.isEmpty ? .nan : (v.map { $0 * $0 }.reduce(0, +) / Double(v.count)).squareRoot() }
            let withSigma = rows.filter { $0.sigma != nil }
            let bad = withSigma.filter { abs($0.errorBefore) > 3 * $0.sigma! }
            let good = withSigma.filter { abs($0.errorBefore) <= 2 * $0.sigma! }
            let w = truth.cells.map { $0.ratePerDay[line] ?? 0 }
            let fwhm = zip(truth.cells, w).reduce(0) { $0 + ($1.0.lineFWHM[line] ?? 0) * $1.1 } / max(w.reduce(0, +), 1e-300)
            comparison = TruthComparison(truthRow: tr, intrinsicFWHM: fwhm, batches: rows,
                                         rmsBefore: rms(rows.map(\.errorBefore)), rmsAfter: rms(rows.map(\.errorAfter)),
                                         miscalibrated: bad.count, recovered: bad.filter { abs($0.errorAfter) < 2 * $0.sigma! }.count,
                                         rightBefore: good.count,
                                         movedBy2Sigma: good.filter { abs($0.errorAfter - $0.errorBefore) >= 2 * $0.sigma! }.count)
        }
        // Figure 5 from the optimizer's own trace, else by rerunning it on --before when that is what
        // was optimized (same batches); otherwise there is no curve to show.
        var recorder = trace
        let sameBatches = before.cells.map { $0.batches.map(\.start) } == after.cells.map { $0.batches.map(\.start) }
        if recorder == nil && sameBatches {
            let r = TraceRecorder()
            _ = try CalibrationRefiner(settings: settings).refine(events: events, calibration: before, observer: r)
            recorder = r
        }
        return BeforeAfterReport(before: rb, after: ra, truth: comparison, pulls: pulls, batchesWithoutCuCentroid: missing,
                                 logLikelihoodCurve: recorder?.totalLogLikelihoodCurve ?? [], settings: settings,
                                 spectrumBefore: hb, spectrumAfter: ha, fitBefore: fb, fitAfter: fa)
    }

    // MARK: text

    /// Table 1 as text.
    public var tableText: String {
        var s = "Table 1: Cu Kα fit on the summed spectrum (\(Int(spectrumBefore.lowerEdge))–\(Int(spectrumBefore.upperEdge)) eV, \(spectrumBefore.binWidth) eV bins)\n"
        s += "              Position [eV]      FWHM [eV]       χ²/ndf   counts\n"
        for r in [before, after] + (truth.map { [$0.truthRow] } ?? []) {
            s += r.label.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "  %8.1f ± %4.1f   %6.1f ± %4.1f   %6.2f   %6.0f", r.positionEV, r.positionErrorEV,
                         r.fwhmEV, r.fwhmErrorEV, r.chi2PerNDF, r.counts) + (r.status == "converged" ? "" : "  (\(r.status))") + "\n"
        }
        if let t = truth {
            s += String(format: "intrinsic FWHM (simulator) %.1f eV\n", t.intrinsicFWHM)
            s += String(format: "Cu Kα energy error per batch vs truth: rms %.2f eV before, %.2f eV after\n", t.rmsBefore, t.rmsAfter)
            s += "  \(t.miscalibrated) batches off by > 3σ before, \(t.recovered) of them within 2σ after; "
                + "\(t.rightBefore) within 2σ before, \(t.movedBy2Sigma) of them moved by ≥ 2σ\n"
        }
        return s
    }

    /// Figure 6 as a text histogram of the pulls (bins of 0.5 from −3 to 3, with under/overflow).
    public var pullHistogramText: String {
        let p = pulls.map(\.pull)
        var s = "Figure 6: (μRef − μOpt)/σμRef per batch, \(p.count) batches"
        if !p.isEmpty {
            let mean = p.reduce(0, +) / Double(p.count)
            let within1 = p.filter { abs($0) <= 1 }.count, within2 = p.filter { abs($0) < 2 }.count
            s += String(format: ": mean %.2f, |pull| ≤ 1: %d, < 2: %d", mean, within1, within2)
        }
        s += "\n"
        let edges = stride(from: -3.0, through: 3.0, by: 0.5).map { $0 }
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for v in p {
            if v < edges[0] { counts[0] += 1; continue }
            if v >= edges[edges.count - 1] { counts[edges.count] += 1; continue }
            counts[1 + Int((v - edges[0]) / 0.5)] += 1
        }
        let top = max(1, counts.max() ?? 1)
        for i in counts.indices {
            let label: String
            if i == 0 { label = String(format: "      < %4.1f", edges[0]) }
            else if i == edges.count { label = String(format: "     ≥ %5.1f", edges[edges.count - 1]) }
            else { label = String(format: "[%4.1f, %4.1f)", edges[i - 1], edges[i]) }
            s += label + " " + String(repeating: "█", count: Int((Double(counts[i]) / Double(top) * 40).rounded(.up))) + " \(counts[i])\n"
        }
        return s
    }

    /// Figure 5 as text: the summed log-likelihood at each iteration.
    public var curveText: String {
        let c = logLikelihoodCurve
        var s = "Figure 5: summed log-likelihood vs iteration (\(settings.loss.rawValue) loss, \(settings.optimizer.method.rawValue))\n"
        guard let first = c.first, let last = c.last else {
            return s + "  (no curve: pass the optimizer's --trace CSV when --before is not the calibration that was optimized)\n"
        }
        let lo = c.min()!, hi = c.max()!
        for (i, v) in c.enumerated() {
            let w = hi > lo ? Int(((v - lo) / (hi - lo) * 40).rounded()) : 40
            s += String(format: "  %3d  %14.3f  ", i, v) + String(repeating: "▇", count: max(1, w)) + "\n"
        }
        s += String(format: "  gain %.3f over %d iterations\n", last - first, c.count - 1)
        return s
    }

    /// Table 1, figure 6 and figure 5 as text (what `sddcal report` prints).
    public var text: String { tableText + "\n" + pullHistogramText + "\n" + curveText }
}
