import Foundation
import PeakFinding
import PeakKernels
import SDDCore

/// One spectrum and parameter set to time: the same cases scripts/bench_find_peaks.py times with SciPy.
private struct PeakBenchCase: Decodable {
    var name: String
    var counts: [Double]
    var height, threshold, prominence, width, plateau_size: [Double?]?
    var distance, wlen: Double?
    var rel_height: Double?

    var options: PeakSearchOptions {
        func c(_ a: [Double?]?) -> PeakCondition? { a.map { PeakCondition(min: $0[0], max: $0.count > 1 ? $0[1] : nil) } }
        return PeakSearchOptions(height: c(height), threshold: c(threshold), distance: distance,
                                 prominence: c(prominence), width: c(width), wlen: wlen,
                                 relHeight: rel_height ?? 0.5, plateauSize: c(plateau_size))
    }
}

/// Poisson counts of VIP-2-like lines on a flat continuum, over `bins` bins of `adcPerBin` ADC from `firstADC`.
private func syntheticSpectrum(bins: Int, firstADC: Double, adcPerBin: Double, events: Double, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    let gain = 3.1, zero = 600.0, sigmaADC = 22.0
    let lines: [(String, Double)] = [("TiKa", 0.6), ("TiKb", 0.08), ("MnKa", 1), ("MnKb", 0.134), ("CuKa", 0.012)]
    let norm = lines.reduce(0) { $0 + $1.1 }
    var lam = [Double](repeating: events * 0.05 / Double(bins), count: bins)
    for (id, y) in lines {
        let mu = zero + SpectralLine(id: id)!.energy / gain
        for i in 0..<bins {
            let x = firstADC + (Double(i) + 0.5) * adcPerBin
            lam[i] += events * 0.95 * y / norm * adcPerBin / (sigmaADC * (2 * Double.pi).squareRoot())
                * exp(-0.5 * pow((x - mu) / sigmaADC, 2))
        }
    }
    return lam.map { Double(rng.poisson($0)) }
}

/// Default cases when no file is given: a 300-bin vip2 window (10 ADC per bin) and a 4096-channel
/// spectrum, each with no condition, a prominence+width search, and every condition.
private func defaultPeakCases() -> [PeakBenchCase] {
    let s300 = syntheticSpectrum(bins: 300, firstADC: 1500, adcPerBin: 10, events: 40_000, seed: 1)
    let s4096 = syntheticSpectrum(bins: 4096, firstADC: 0, adcPerBin: 1, events: 400_000, seed: 2)
    func cases(_ label: String, _ x: [Double], _ scale: Double) -> [PeakBenchCase] {
        [PeakBenchCase(name: "\(label) plain", counts: x),
         PeakBenchCase(name: "\(label) prominence+width", counts: x, prominence: [5 * scale, nil], width: [1, nil]),
         PeakBenchCase(name: "\(label) all conditions", counts: x, height: [2, nil], threshold: [0, nil],
                       prominence: [3, nil], width: [0.5, 40 * scale], plateau_size: [1, nil], distance: 3 * scale,
                       wlen: 60 * scale, rel_height: 0.5)]
    }
    return cases("300 bins", s300, 1) + cases("4096 bins", s4096, 1)
}

/// The "peaks" suite: `find_peaks` per call. With SDDCAL_PEAK_BENCH_RESULTS=FILE it first writes
/// each case's peak indices there (a JSON list of lists; [-1] for a rejected call), for scripts/compare.
/// With SDDCAL_PEAK_BENCH_CASES=FILE (JSON list of cases
/// with `name`, `counts` and SciPy parameter names) it times exactly those, for the SciPy comparison.
func peakBenchmarks() -> [Benchmark] {
    var cases = defaultPeakCases()
    if let path = ProcessInfo.processInfo.environment["SDDCAL_PEAK_BENCH_CASES"] {
        do {
            cases = try JSONDecoder().decode([PeakBenchCase].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            FileHandle.standardError.write(Data("sddcal-bench: cannot read \(path): \(error)\n".utf8))
            exit(2)
        }
    }
    if let out = ProcessInfo.processInfo.environment["SDDCAL_PEAK_BENCH_RESULTS"] {
        writeAnswers(out, cases.map { c in ((try? PeakFinder.findPeaks(c.counts, options: c.options))?.peaks ?? [-1]) as Any })
    }
    return cases.map { c in
        let x = c.counts, o = c.options
        // Short samples (≲ 0.3 ms): on a shared machine a longer sample is often cut by another
        // process, which then shows in the median; scripts/bench_find_peaks.py times SciPy alike.
        let inner = max(5, 20_000 / max(1, x.count))
        return Benchmark(name: "find_peaks \(c.name)", inner: inner) {
            Double((try? PeakFinder.findPeaks(x, options: o))?.peaks.count ?? -1)
        }
    }
}

/// The "peak-kernels" suite: the local-maxima scan alone, per kernel this processor runs, on the
/// default 300-bin and 4096-bin spectra.
func peakKernelBenchmarks() -> [Benchmark] {
    let kernels: [(String, sdd_maxima_kernel)] = [("portable", SDD_MAXIMA_PORTABLE), ("AVX2", SDD_MAXIMA_AVX2),
                                                  ("AVX-512", SDD_MAXIMA_AVX512)]
    let spectra = defaultPeakCases().filter { $0.name.hasSuffix("plain") }
    return spectra.flatMap { c in
        kernels.filter { $0.1.rawValue <= sdd_local_maxima_best_kernel().rawValue }.map { name, kernel in
            let x = c.counts
            var out = [Int](repeating: 0, count: (x.count + 1) / 2 + 16)
            return Benchmark(name: "local maxima \(c.name.replacingOccurrences(of: " plain", with: "")), \(name)",
                             inner: max(5, 20_000 / x.count)) {
                var finite: Int32 = 0
                return Double(x.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { o in
                        sdd_local_maxima_with(kernel, b.baseAddress!, b.count, o.baseAddress!, &finite)
                    }
                })
            }
        }
    }
}
