extension SpectrumRecord {
    /// One ADC spectrum per cell present in `events`, all over channels 0…(largest ADC), so they can be
    /// exported together as the rows of a 2-D `.npy`.
    public static func adcSpectra(of events: EventTable) -> [SpectrumRecord] {
        guard !events.isEmpty else { return [] }
        let channels = Int(events.adc.max()!) + 1
        var rows: [Int: [Double]] = [:]
        for c in events.cells { rows[c] = [Double](repeating: 0, count: channels) }
        var perCell = [[Double]](repeating: [], count: (events.cells.last ?? 0) + 1)
        for (c, r) in rows { perCell[c] = r }
        for i in 0..<events.count { perCell[Int(events.cell[i])][Int(events.adc[i])] += 1 }
        return events.cells.map { SpectrumRecord(cell: $0, firstChannel: 0, counts: perCell[$0]) }
    }
}
