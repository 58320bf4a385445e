import Foundation
import SDDCore

/// ROOT loading at SIDDHARTA-2 scale: 384 TH1F of 10⁴ bins (zlib) read as spectra, the whole file.
/// The file is written by uproot: `python3 scripts/make_root_fixtures.py --bench PATH`, at
/// $SDDCAL_BENCH_ROOT or /tmp/sddcal-bench-384.root; the suite is skipped with a note when it is missing.
func rootBenchmarks() -> [Benchmark] {
    let path = ProcessInfo.processInfo.environment["SDDCAL_BENCH_ROOT"] ?? "/tmp/sddcal-bench-384.root"
    guard FileManager.default.fileExists(atPath: path) else {
        FileHandle.standardError.write(Data("root: skipped, \(path) missing; write it with: python3 scripts/make_root_fixtures.py --bench \(path)\n".utf8))
        return []
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    func load() -> Double {
        guard let r = try? SpectrumFile.read(path), r.count == 384, r.allSatisfy({ $0.histogram.binCount == 10_000 }) else {
            fatalError("reading \(path) failed")
        }
        return r[383].histogram.counts[5000]
    }
    return [
        Benchmark(name: "load 384 TH1F × 10^4 bins, zlib (\(String(format: "%.1f MB", Double(size) / 1e6)))", inner: 1, samples: 7) { load() },
        Benchmark(name: "list keys of the 384-histogram file", inner: 10) {
            Double((try? ROOTFile(path: path))?.entries.count ?? 0)
        },
    ]
}
