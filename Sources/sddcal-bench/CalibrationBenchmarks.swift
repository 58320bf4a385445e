import SDDCore

/// Applying calibrations event by event (issue 11): 32 cells × 30 days, 1.4·10⁷ events, under a
/// version-2 timeline with hourly knots and under version-1 constants in 48 h batches.
func calibrationBenchmarks() -> [Benchmark] {
    let cells = 32, perCell = 437_500, days = 30.0
    var table = EventTable()
    table.reserveCapacity(cells * perCell)
    var rng = SeededGenerator(seed: 1)
    for c in 0..<cells {
        for i in 0..<perCell {
            table.append(cell: UInt16(c), adc: UInt16(1000 + rng.next() % 3000), time: days * 86_400 * (Double(i) + 0.5) / Double(perCell))
        }
    }
    let batched = BatchedEvents(table, spec: .duration(48 * 3600))
    var timelines = CalibrationSet(profile: "vip2", batch: "48h", method: "bench", source: "bench", cells: [])
    var constants = timelines
    for c in 0..<cells {
        let knots = (0...Int(days * 24)).map { Double($0) * 3600 }
        let tl = try! CalibrationTimeline(knots: knots, p0: knots.map { -1800 - 1e-5 * $0 },
                                          p1: knots.map { 3.1 * (1 + 1e-8 * $0) }, p2: knots.map { _ in 1e-6 })
        let batches = batched.batches(ofCell: c).map {
            CalibrationSet.Batch(index: $0.index, start: $0.start, end: $0.end, events: $0.count,
                                 calibration: tl.calibration(at: ($0.start + $0.end) / 2))
        }
        timelines.cells.append(.init(cell: c, batches: batches, timeline: tl))
        constants.cells.append(.init(cell: c, batches: batches))
    }
    return [
        Benchmark(name: "energies of 1.4·10^7 events, timeline (hourly knots), dithered", inner: 1, samples: 5) {
            EventEnergies.energies(of: batched.events, calibration: timelines, ditherSeed: 1).energies[12345]
        },
        Benchmark(name: "energy spectrum of 1.4·10^7 events, timeline (hourly knots)", inner: 1, samples: 5) {
            SpectrumBuilder.energySpectrum(batched, calibration: timelines, range: 7000...9000, binWidth: 5).histogram.total
        },
        Benchmark(name: "energy spectrum of 1.4·10^7 events, version-1 constants (48 h)", inner: 1, samples: 5) {
            SpectrumBuilder.energySpectrum(batched, calibration: constants, range: 7000...9000, binWidth: 5).histogram.total
        },
    ]
}
