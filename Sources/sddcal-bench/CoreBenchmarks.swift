import SDDCore

func coreBenchmarks() -> [Benchmark] {
    let values = (0..<1_000_000).map { UInt16(1500 + ($0 &* 2654435761) % 3000) }
    return [
        Benchmark(name: "histogram 10^6 ADC values, 300 bins", inner: 3) {
            Histogram.adc(values, firstChannel: 1500, channelsPerBin: 10, bins: 300).counts[10]
        },
    ]
}
