import Foundation
import Inspector
import LineFitting
import SDDCore

/// Histogram input at real-detector statistics (issue 12): 56 SDD spectra of 8192 channels holding
/// 7·10⁸ counts in all, as a 2-D `.npy`, opened as `sddcal inspect --json` opens it: read, the
/// standard calibration of every cell (one batch each, in parallel), the overview's figures (every
/// cell's dithered energy spectrum and Cu Kα fit, the strongest line's width) and the mini-spectra.
/// The file: `python3 scripts/make_histogram_bench.py --cells 56 --counts 7e8 --out PATH`, at
/// $SDDCAL_BENCH_NPY or /tmp/sddcal-bench-56.npy; the suite is skipped with a note when it is missing.
/// SIDDHARTA-2 scale: 384 histograms (ROOT, 10⁶ counts each) read and calibrated, from
/// `python3 scripts/make_histogram_bench.py --cells 384 --counts 3.84e8 --format root --out PATH`
/// at $SDDCAL_BENCH_384 or /tmp/sddcal-bench-384-cells.root.
func histogramBenchmarks() -> [Benchmark] {
    sddCellsBenchmarks() + manyCellsBenchmarks()
}

/// 384 labelled histograms read from ROOT and calibrated, cells in parallel.
func manyCellsBenchmarks() -> [Benchmark] {
    let path = ProcessInfo.processInfo.environment["SDDCAL_BENCH_384"] ?? "/tmp/sddcal-bench-384-cells.root"
    guard FileManager.default.fileExists(atPath: path) else {
        FileHandle.standardError.write(Data("histograms: 384-cell part skipped, \(path) missing; write it with: python3 scripts/make_histogram_bench.py --cells 384 --counts 3.84e8 --format root --out \(path)\n".utf8))
        return []
    }
    let calibrator = StandardCalibrator(profile: .vip2)
    return [
        Benchmark(name: "calibrate 384 ROOT histograms (read + fits)", inner: 1, samples: 3) {
            guard let r = try? SpectrumFile.read(path), r.count == 384 else { fatalError("reading \(path) failed") }
            let out = calibrator.calibrateHistograms(r.enumerated().map { ($0.offset, $0.element.histogram) })
            return Double(out.filter { $0.calibration != nil }.count)
        },
    ]
}

/// The 56-cell, 7·10⁸-count open.
func sddCellsBenchmarks() -> [Benchmark] {
    let path = ProcessInfo.processInfo.environment["SDDCAL_BENCH_NPY"] ?? "/tmp/sddcal-bench-56.npy"
    guard FileManager.default.fileExists(atPath: path) else {
        FileHandle.standardError.write(Data("histograms: skipped, \(path) missing; write it with: python3 scripts/make_histogram_bench.py --cells 56 --counts 7e8 --out \(path)\n".utf8))
        return []
    }
    guard let records = try? SpectrumFile.read(path) else { fatalError("reading \(path) failed") }
    let counts = records.reduce(0.0) { $0 + $1.histogram.total }
    let calibrator = StandardCalibrator(profile: .vip2)
    // The overview's two fits, as the inspector's live services make them.
    let services = InspectorServices(
        fitLine: { h, line, seed in
            let s = DetectorResponse().sigma(at: line.energy) / 3.1
            let w = h.slice((seed - 4 * s)...(seed + 4 * s))
            guard w.total > 30 else { return nil }
            let r = LineFit.fit(w, line: line, xPerEV: 1 / 3.1, seedCentroid: seed).result
            return PeakFitSummary(position: r.centroid, fwhm: r.fwhm, chi2: r.chi2, ndf: r.ndf, curveX: [], curveY: [])
        },
        fitCuKa: { h in
            guard h.slice(CuKalphaLineFit.roi).total > 30 else { return nil }
            let r = CuKalphaLineFit.fitOutcome(histogram: h).result
            return PeakFitSummary(position: r.position, fwhm: r.fwhm, chi2: r.chi2, ndf: r.ndf, curveX: [], curveY: [])
        })
    func calibrate(_ d: Dataset) -> CalibrationSet {
        StandardCalibrator.assemble(calibrator.calibrateHistograms(d.cells.map { ($0.cell, $0.spectrum) }),
                                    profile: d.profile, batch: "all", method: "standard", source: path)
    }
    let dataset = Dataset(name: path, records: records, profile: .vip2)
    let set = calibrate(dataset)
    let what = "\(records.count) cells × \(records[0].histogram.binCount) ch, \(String(format: "%.2g", counts)) counts"
    return [
        Benchmark(name: "open \(what) (.npy): read + calibrate + overview", inner: 1, samples: 5) {
            guard let r = try? SpectrumFile.read(path) else { fatalError("reading \(path) failed") }
            let d = Dataset(name: path, records: r, profile: .vip2)
            let cal = calibrate(d)
            let s = Analysis.summaries(d, calibration: cal, services: services)
            let m = MiniSpectra.compute(d, calibration: cal, generation: 1)
            return Double(s.count + m.energy.count)
        },
        Benchmark(name: "read the .npy (\(records.count) spectra)", inner: 1, samples: 5) {
            Double((try? SpectrumFile.read(path))?.count ?? 0)
        },
        Benchmark(name: "standard calibration, \(records.count) histograms", inner: 1, samples: 5) {
            Double(calibrate(dataset).cells.count)
        },
        Benchmark(name: "overview figures (energy spectra, fits)", inner: 1, samples: 5) {
            Double(Analysis.summaries(dataset, calibration: set, services: services).count)
        },
        Benchmark(name: "dithered energy spectra of all cells", inner: 1, samples: 5) {
            Analysis.energyHistogram(dataset, cells: dataset.cells.map(\.cell), calibration: set)?.total ?? 0
        },
    ]
}
