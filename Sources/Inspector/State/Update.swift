import Foundation
import SDDCore

extension InspectorState {
    /// Applies an action and returns the background work it asks for. Pure: no I/O, no clocks.
    /// One reducer per view (and one for what background work posts) takes the actions it knows.
    public mutating func update(_ action: Action) -> [Effect] {
        var fx = reduce(action)
        // The before/after view follows the cell, the selection and the calibrations while it is shown.
        if view == .beforeAfter { fx += requestBeforeAfter() }
        return fx
    }

    private mutating func reduce(_ action: Action) -> [Effect] {
        if let fx = reduceFrame(action) { return fx }
        if let fx = reduceOverview(action) { return fx }
        if let fx = reduceSpectrum(action) { return fx }
        if let fx = reduceSeeds(action) { return fx }
        if let fx = reduceOptimize(action) { return fx }
        if let fx = reduceBeforeAfter(action) { return fx }
        return reduceBackgroundResults(action) ?? []
    }

    /// The calibration in use changed: new cell summaries and new mini-spectra (older ones are
    /// dropped when they arrive).
    mutating func calibrationChanged() -> [Effect] {
        overview.generation += 1
        overview.pending = true
        beforeAfter.invalidate()
        return [.computeSummaries, .computeMiniSpectra(generation: overview.generation)]
    }

    mutating func show(_ v: View) -> [Effect] {
        view = v
        showHelp = false
        return autoRefit()
    }

    /// Selects a cell (index into the dataset), resets the per-cell views and asks for its centroids.
    mutating func select(_ i: Int) -> [Effect] {
        guard let d = dataset, i >= 0, i < d.cells.count else { return [] }
        selected = i
        spectrum.highlight = nil
        return selectBatch(nil, force: true)
    }

    mutating func selectBatch(_ b: Int?, force: Bool = false) -> [Effect] {
        guard let d = dataset, let c = cell else { return [] }
        if !force && b == batch { return [] }
        batch = b
        histogram = d.histogram(cell: selected, batch: b)
        scipy = nil; cnn = nil
        seeds = SeedsState()
        seeds.handAtStart = seedKey.flatMap { handSeeds[$0] }
        if let cur = spectrum.cursor, !(histogram!.lowerEdge...histogram!.upperEdge).contains(cur) { spectrum.cursor = nil }
        initialiseSeeds()
        return [.computeCentroids(cell: c.cell, batch: b)] + autoRefit()
    }

    /// Fills missing seeds from, in order: seeds set by hand (this batch's, else the cell's), CNN
    /// centroids, SciPy centroids, the calibration's line results, and the calibration's prediction
    /// for the line energy.
    mutating func initialiseSeeds() {
        guard let c = cell else { return }
        let results = Dataset.lineResults(dataset?.calibration, cell: c, batch: batch)
        let hand = handSeedsHere
        for line in seedLines where seeds.seeds[line.id] == nil {
            if let h = hand[line.id] { seeds.seeds[line.id] = h }
            else if let m = cnn?.first(where: { $0.lineID == line.id }) { seeds.seeds[line.id] = m.adc.rounded() }
            else if let m = scipy?.first(where: { $0.lineID == line.id }) { seeds.seeds[line.id] = m.adc.rounded() }
            else if let r = results.first(where: { $0.line == line.id }) { seeds.seeds[line.id] = r.centroidADC.rounded() }
            else if let cal = calibration, let a = cal.adc(forEnergy: line.energy) { seeds.seeds[line.id] = a.rounded() }
        }
    }

    mutating func zoom(by factor: Double) {
        let w = spectrumWindow
        let lim = histogram.map { $0.lowerEdge...$0.upperEdge } ?? w
        let fullSpan = lim.upperBound - lim.lowerBound
        let span = Swift.max(20, Swift.min(fullSpan, (w.upperBound - w.lowerBound) * factor))
        let c = cursorADC
        // Keep the cursor at the same relative position.
        let f = (c - w.lowerBound) / Swift.max(1e-9, w.upperBound - w.lowerBound)
        var lo = c - f * span
        lo = Swift.max(lim.lowerBound, Swift.min(lim.upperBound - span, lo))
        spectrum.window = lo...(lo + span)
        spectrum.cursor = c
    }
}
