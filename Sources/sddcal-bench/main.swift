import CentroidNetwork
import Foundation

// Benchmark suites by name; each issue registers its own in a file of its own (e.g. PeakBenchmarks.swift).
// Usage: swift run -c release sddcal-bench [suite ...] [--json]
//        swift run -c release sddcal-bench scale [--events 1e6,1e7,1e8] [--json]
let suites: [String: () -> [Benchmark]] = [
    "calibration": calibrationBenchmarks,
    "core": coreBenchmarks,
    "cnn": cnnBenchmarks,
    "fitting": fittingBenchmarks,
    "formats": formatBenchmarks,
    "histograms": histogramBenchmarks,
    "format-parts": formatPartsBenchmarks,
    "peaks": peakBenchmarks,
    "peak-kernels": peakKernelBenchmarks,
    "refine": refineBenchmarks,
    "root": rootBenchmarks,
    "smooth": smoothBenchmarks,
    "tui": tuiBenchmarks,
]

// `sddcal-bench scale ...` is not a suite of timed calls but a pipeline run per size (ScaleBenchmark).
if CommandLine.arguments.dropFirst().first == "scale" { ScaleBenchmark.main(Array(CommandLine.arguments.dropFirst(2))) }

// Loads the BLAS library now (its threads stopped right after loading), as the suites' figures
// should not include it. Suites that never multiply a matrix then do not share the machine with
// idle, spinning BLAS threads.
BLAS.releaseIdleThreads()

let args = CommandLine.arguments.dropFirst()
let json = args.contains("--json")
// Which kernel the matrix products of the cnn suite use (stderr with --json, to keep stdout JSON).
let kernelLine = "matrix products: \(BLAS.kernel.name)\n"
if json { FileHandle.standardError.write(Data(kernelLine.utf8)) } else { print(kernelLine, terminator: "") }
let chosen = args.filter { !$0.hasPrefix("--") }
let names = chosen.isEmpty ? suites.keys.sorted() : Array(chosen)
for n in names {
    guard let s = suites[n] else {
        FileHandle.standardError.write(Data("sddcal-bench: unknown suite '\(n)'; known: \(suites.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    if !json { print("== \(n)") }
    BenchmarkHarness.run(s(), json: json)
}
