import Foundation

/// One benchmark: a name and a body timed per call. The body returns a value that is consumed so
/// the optimizer cannot drop the work.
struct Benchmark {
    let name: String
    /// Number of inner calls per timed sample.
    let inner: Int
    /// Number of timed samples (fewer for long bodies).
    var samples: Int = 15
    let body: () -> Double
}

/// Runs benchmarks in release builds and prints per-call medians (and quartiles) of repeated samples.
enum BenchmarkHarness {
    static var sink = 0.0

    /// SDDCAL_BENCH_SAMPLES=N caps every benchmark's sample count (scripts/compare --quick).
    static let sampleCap = ProcessInfo.processInfo.environment["SDDCAL_BENCH_SAMPLES"].flatMap { Int($0) }.map { max(3, $0) }

    static func measure(_ b: Benchmark) -> (median: Double, q1: Double, q3: Double) {
        var b = b
        if let cap = sampleCap { b.samples = min(b.samples, cap) }
        if b.samples > 3 { for _ in 0..<max(1, b.inner / 10) { sink += b.body() } }   // warm-up
        var t: [Double] = []
        for _ in 0..<b.samples {
            let s = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<b.inner { sink += b.body() }
            let e = DispatchTime.now().uptimeNanoseconds
            t.append(Double(e - s) / 1e9 / Double(b.inner))
        }
        t.sort()
        return (t[t.count / 2], t[t.count / 4], t[(3 * t.count) / 4])
    }

    static func format(seconds s: Double) -> String {
        if s < 1e-6 { return String(format: "%.1f ns", s * 1e9) }
        if s < 1e-3 { return String(format: "%.2f µs", s * 1e6) }
        if s < 1 { return String(format: "%.3f ms", s * 1e3) }
        return String(format: "%.3f s", s)
    }

    /// SDDCAL_BENCH_FILTER=TEXT runs only the benchmarks whose name contains TEXT (for profiling one).
    static let filter = ProcessInfo.processInfo.environment["SDDCAL_BENCH_FILTER"]

    static func run(_ benches: [Benchmark], json: Bool) {
        var rows: [[String: Any]] = []
        for b in benches where filter.map({ b.name.contains($0) }) ?? true {
            let m = measure(b)
            if json {
                rows.append(["name": b.name, "median_s": m.median, "q1_s": m.q1, "q3_s": m.q3])
            } else {
                print("\(b.name.padding(toLength: 44, withPad: " ", startingAt: 0)) median \(format(seconds: m.median))  (q1 \(format(seconds: m.q1)), q3 \(format(seconds: m.q3)))")
            }
        }
        if json, let d = try? JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted]) {
            print(String(decoding: d, as: UTF8.self))
        }
    }
}
