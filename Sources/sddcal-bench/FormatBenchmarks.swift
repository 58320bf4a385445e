import Foundation
import SDDCore

/// Event file loading: the same 10⁶-event table (32 cells, full-precision times, the worst case for
/// CSV number parsing) read from CSV and from the binary format; file sizes are in the names so
/// throughput follows from the medians.
///
/// With SDDCAL_FORMAT_BENCH_FILES=CSV,BIN (scripts/compare) the suite instead reads those two event
/// files, each many times in this one process ("warm": the columns' memory is the allocator's
/// again after the first read, as in a Python process that reads a file again), so that the
/// comparer can set these beside the fresh-process figures of `sddcal convert --json`.
func formatBenchmarks() -> [Benchmark] {
    if let files = ProcessInfo.processInfo.environment["SDDCAL_FORMAT_BENCH_FILES"] {
        let paths = files.split(separator: ",").map(String.init)
        guard paths.count == 2 else { fatalError("SDDCAL_FORMAT_BENCH_FILES: expected CSV,BIN") }
        return zip(["read CSV file", "read binary file"], paths).map { name, path in
            Benchmark(name: name, inner: 1) {
                guard let t = try? EventFile.read(path), !t.isEmpty else { fatalError("reading \(path) failed") }
                return t.time[t.count / 2]
            }
        }
    }
    let n = 1_000_000
    var state: UInt64 = 12345
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11
    }
    var table = EventTable()
    table.reserveCapacity(n)
    for i in 0..<n {
        let cell = UInt16(i / (n / 32))
        let adc = UInt16(600 + next() % 7300)
        let t = Double(next()) / Double(1 << 53) * 2.592e6
        table.append(cell: min(cell, 31), adc: adc, time: t)
    }
    table = table.sortedByCellAndTime()
    let dir = NSTemporaryDirectory() + "sddcal-bench-formats-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let csv = dir + "/events.csv", bin = dir + "/events.bin"
    do {
        try EventFile.write(table, to: csv, overwrite: true)
        try EventFile.write(table, to: bin, overwrite: true)
    } catch {
        fatalError("cannot write benchmark files: \(error)")
    }
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "sddcal-bench-formats-\(getpid())") }
    func mb(_ path: String) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return String(format: "%.1f MB", Double(size) / 1e6)
    }
    func load(_ path: String) -> Double {
        guard let t = try? EventFile.read(path), t.count == n else { fatalError("reading \(path) failed") }
        return t.time[n / 2]
    }
    return [
        Benchmark(name: "read CSV 10^6 events (\(mb(csv)))", inner: 1) { load(csv) },
        Benchmark(name: "read binary 10^6 events (\(mb(bin)))", inner: 1) { load(bin) },
        Benchmark(name: "write CSV 10^6 events", inner: 1) {
            Double((try? EventFile.write(table, to: csv, overwrite: true)) ?? 0)
        },
        Benchmark(name: "write binary 10^6 events", inner: 1) {
            Double((try? EventFile.write(table, to: bin, overwrite: true)) ?? 0)
        },
    ]
}

/// Pieces of the event loaders, to see where their time goes.
func formatPartsBenchmarks() -> [Benchmark] {
    let bytes = [UInt8]((0..<12_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) })
    let texts = (0..<100_000).map { i in Array((Double(i) * 25.920001234567 + 0.123456789).description.utf8) }
    return [
        Benchmark(name: "CRC-32 of 12 MB", inner: 1) {
            Double(bytes.withUnsafeBytes { CRC32.checksum($0) })
        },
        Benchmark(name: "XXH64 of 12 MB", inner: 1) {
            Double(bytes.withUnsafeBytes { XXHash64.hash($0) } >> 12)
        },
        Benchmark(name: "parse 10^5 17-digit decimals", inner: 1) {
            var s = 0.0
            for t in texts { s += t.withUnsafeBufferPointer { DecimalParser.parse($0.baseAddress!, $0.count) ?? 0 } }
            return s
        },
    ]
}
