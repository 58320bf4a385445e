import Foundation
import LineFitting
import SDDCore

/// Benchmarks of issue 5: the Cu Kα fit on 300 bins and the standard calibration of 32 cells × 15 batches.
///
/// For scripts/compare_iminuit.py: with SDDCAL_FIT_HISTOGRAMS=FILE (a JSON list of {"lower_edge",
/// "bin_width", "counts"}) the Cu Kα benchmark fits those histograms instead of its own, and with
/// SDDCAL_FIT_RESULTS=FILE it first writes every fit's values, errors and status there.
/// SDDCAL_FIT_SKIP_CALIBRATION=1 leaves out the (slower to set up) calibration benchmark.
func fittingBenchmarks() -> [Benchmark] {
    let env = ProcessInfo.processInfo.environment
    let histograms: [Histogram]
    if let path = env["SDDCAL_FIT_HISTOGRAMS"] {
        histograms = loadHistograms(path)
    } else {
        histograms = syntheticCuHistograms(count: 8)
    }
    if let out = env["SDDCAL_FIT_RESULTS"] { writeFitResults(histograms, to: out) }
    var list: [Benchmark] = []
    var k = 0
    let free = LineFitOptions(tail: .free)
    list.append(Benchmark(name: "Cu Kα fit 300 bins, tail free (7 free)", inner: 50) {
        let h = histograms[k % histograms.count]
        k += 1
        return CuKalphaLineFit.fit(histogram: h, roi: h.lowerEdge...h.upperEdge, options: free).fwhm
    })
    list.append(Benchmark(name: "Cu Kα fit 300 bins, default (6 free)", inner: 50) {
        let h = histograms[k % histograms.count]
        k += 1
        return CuKalphaLineFit.fit(histogram: h, roi: h.lowerEdge...h.upperEdge).fwhm
    })
    if env["SDDCAL_FIT_SKIP_CALIBRATION"] == nil {
        var cfg = SimulationConfig.vip2(cells: 32, days: 30, seed: 1)
        cfg.steps = 4
        let (events, _) = try! VIP2Simulator(config: cfg).run()
        let batched = BatchedEvents(events, spec: .duration(48 * 3600))
        let calibrator = StandardCalibrator()
        list.append(Benchmark(name: "standard calibration 32 cells × \(batched.batches.count / 32) batches", inner: 1) {
            calibrator.calibrate(batched).cells[0].batches[0].calibration.p1
        })
    }
    return list
}

/// Poisson histograms of a Cu Kα doublet + tail + linear background, 300 bins of 5 eV over 7000–8500 eV.
private func syntheticCuHistograms(count: Int) -> [Histogram] {
    let model = LineShapeModel(lines: [.init(SpectralLine(id: "CuKa")!)], lowerEdge: 7000, binWidth: 5, bins: 300)
    let truth = [20000, 8040.6, 75.0, 0.03, 1.4, 3.0, -0.001, 0]
    let mu = model.expected(truth)
    return (0..<count).map { s in
        var g = SeededGenerator(seed: UInt64(100 + s))
        return Histogram(lowerEdge: 7000, binWidth: 5, counts: mu.map { Double(g.poisson($0)) })
    }
}

private func loadHistograms(_ path: String) -> [Histogram] {
    guard let data = FileManager.default.contents(atPath: path),
          let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
        FileHandle.standardError.write(Data("sddcal-bench: cannot read histograms from \(path)\n".utf8))
        exit(2)
    }
    return list.map { d in
        Histogram(lowerEdge: d["lower_edge"] as! Double, binWidth: d["bin_width"] as! Double,
                  counts: (d["counts"] as! [NSNumber]).map(\.doubleValue))
    }
}

private func writeFitResults(_ hs: [Histogram], to path: String) {
    var rows: [[String: Any]] = []
    for h in hs {
        let o = CuKalphaLineFit.fitOutcome(histogram: h, roi: h.lowerEdge...h.upperEdge, options: LineFitOptions(tail: .free))
        rows.append(["names": o.fit.names, "values": o.fit.values, "errors": o.fit.errors,
                     "status": o.fit.status.rawValue, "chi2": o.fit.chi2, "evaluations": o.fit.evaluations,
                     "at_limit": o.fit.parametersAtLimit])
    }
    if let d = try? JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted]) {
        try? d.write(to: URL(fileURLWithPath: path))
    }
}
