import SDDCore

func coreBenchmarks() -> [Benchmark] {
    let values = (0..<1_000_000).map { UInt16(1500 + ($0 &* 2654435761) % 3000) }
    return [
        Benchmark(name: "histogram 10^6 ADC values, 300 bins", inner: 3) {
            Histogram.adc(values, firstChannel: 1500, channelsPerBin: 10, bins: 300).counts[10]
        },
        Benchmark(name: "simulate 32 cells × 30 days (~10^7 events)", inner: 1, samples: 3) {
            let (ev, _) = try! VIP2Simulator(config: .vip2(cells: 32, days: 30, seed: 1)).run()
            return Double(ev.count)
        },
    ]
}
