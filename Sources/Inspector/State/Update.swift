import Foundation
import SDDCore

extension InspectorState {
    /// Applies an action and returns the background work it asks for. Pure: no I/O, no clocks.
    public mutating func update(_ action: Action) -> [Effect] {
        switch action {
        case .show(let v): return show(v)
        case .nextView: return show(View(rawValue: (view.rawValue + 1) % View.allCases.count)!)
        case .previousView: return show(View(rawValue: (view.rawValue + View.allCases.count - 1) % View.allCases.count)!)
        case .toggleHelp: showHelp.toggle()
        case .back:
            if showHelp { showHelp = false } else if view != .overview { view = .overview }
        case .quit: shouldQuit = true
        case let .resize(w, h): width = Swift.max(1, w); height = Swift.max(1, h)
        case .cycleGlyphs:
            let all = GlyphSet.allCases
            glyphs = all[(all.firstIndex(of: glyphs)! + 1) % all.count]

        case let .move(dx, dy):
            guard let d = dataset, !d.cells.isEmpty else { break }
            let layout = OverviewLayout(count: d.cells.count, width: width, height: height)
            if let j = layout.neighbour(of: selected, dx: dx, dy: dy) { return select(j) }
        case .page(let n):
            guard let d = dataset, !d.cells.isEmpty else { break }
            let layout = OverviewLayout(count: d.cells.count, width: width, height: height)
            let j = Swift.max(0, Swift.min(d.cells.count - 1, selected + n * layout.perPage))
            if j != selected { return select(j) }
        case .beginJump:
            guard dataset != nil else { break }
            overview.jump = ""
        case .jumpDigit(let ch):
            guard overview.jump != nil, ch.isASCII, ch.isNumber, overview.jump!.count < 6 else { break }
            overview.jump! += String(ch)
        case .jumpBackspace:
            guard overview.jump != nil else { break }
            _ = overview.jump!.popLast()
        case .cancelJump:
            overview.jump = nil
        case .commitJump:
            guard let text = overview.jump else { break }
            overview.jump = nil
            guard let n = Int(text), let i = dataset?.index(ofCell: n) else {
                message = text.isEmpty ? "no cell number typed" : "no cell \(text) in \(dataset?.name ?? "the data")"; break
            }
            return select(i)
        case .open:
            guard dataset != nil else { break }
            return show(.spectrum)
        case .nextCell:
            guard let d = dataset, !d.cells.isEmpty else { break }
            return select((selected + 1) % d.cells.count)
        case .previousCell:
            guard let d = dataset, !d.cells.isEmpty else { break }
            return select((selected + d.cells.count - 1) % d.cells.count)
        case .toggleCellSelection:
            guard let c = cell else { break }
            if selection.contains(c.cell) { selection.remove(c.cell) } else { selection.insert(c.cell) }
            beforeAfter.before = nil; beforeAfter.after = nil
        case .selectAllCells:
            guard let d = dataset else { break }
            selection = selection.count == d.cells.count ? [] : Set(d.cells.map(\.cell))
            beforeAfter.before = nil; beforeAfter.after = nil

        case .nextBatch:
            guard let c = cell, !c.batches.isEmpty else { break }
            return selectBatch(batch.map { Swift.min(c.batches.count - 1, $0 + 1) } ?? 0)
        case .previousBatch:
            guard let c = cell, !c.batches.isEmpty else { break }
            return selectBatch(batch.map { Swift.max(0, $0 - 1) } ?? c.batches.count - 1)
        case .allBatches: return selectBatch(nil)
        case .toggleLog:
            if view == .beforeAfter { beforeAfter.logScale.toggle() } else { spectrum.logScale.toggle() }
        case .toggleEnergyAxis where view == .overview:
            overview.axis = overview.axis == .energy ? .adc : .energy
            if overview.axis == .energy, dataset?.calibration == nil { message = "no calibration yet: the energy axis follows when it is ready" }
        case .toggleEnergyAxis:
            if calibration == nil { message = "no calibration yet: energy axis unavailable" } else { spectrum.energyAxis.toggle() }
        case .zoomIn: zoom(by: 0.5)
        case .zoomOut: zoom(by: 2)
        case .resetZoom: spectrum.window = nil
        case .pan(let f):
            let w = spectrumWindow, span = w.upperBound - w.lowerBound
            let lim = histogram.map { $0.lowerEdge...$0.upperEdge } ?? w
            var lo = w.lowerBound + f * span
            lo = Swift.max(lim.lowerBound, Swift.min(lim.upperBound - span, lo))
            spectrum.window = lo...(lo + span)
            spectrum.cursor = Swift.max(lo, Swift.min(lo + span, cursorADC + f * span))
        case .moveCursor(let n):
            let w = spectrumWindow
            let step = (w.upperBound - w.lowerBound) / Double(Swift.max(10, (width - 9)))
            var x = cursorADC + Double(n) * step
            // Scroll the window when the cursor leaves it.
            if x < w.lowerBound || x > w.upperBound {
                let lim = histogram.map { $0.lowerEdge...$0.upperEdge } ?? w
                let span = w.upperBound - w.lowerBound
                var lo = x < w.lowerBound ? x : x - span
                lo = Swift.max(lim.lowerBound, Swift.min(lim.upperBound - span, lo))
                spectrum.window = lo...(lo + span)
                x = Swift.max(lo, Swift.min(lo + span, x))
            }
            spectrum.cursor = x

        case .selectSeed(let d):
            let n = seedLines.count
            guard n > 0 else { break }
            seeds.selected = Swift.max(0, Swift.min(n - 1, seeds.selected + d))
        case .nudgeSeed(let d):
            guard let c = cell, seeds.selected < seedLines.count else { break }
            let id = seedLines[seeds.selected].id
            guard let from = seeds.seeds[id] else { message = "no seed for \(seedLines[seeds.selected].label) yet"; break }
            seeds.seeds[id] = from + d
            seeds.undo.append(SeedEdit(lineID: id, from: from, to: from + d))
            seeds.pending = true
            return [.refitSeeds(cell: c.cell, batch: batch, seeds: seeds.seeds)] + recordHandSeeds()
        case .undoSeed:
            guard let c = cell, let e = seeds.undo.popLast() else { message = "nothing to undo"; break }
            seeds.seeds[e.lineID] = e.from
            if let i = seedLines.firstIndex(where: { $0.id == e.lineID }) { seeds.selected = i }
            seeds.pending = true
            return [.refitSeeds(cell: c.cell, batch: batch, seeds: seeds.seeds)] + recordHandSeeds()
        case .refit:
            guard let c = cell, !seeds.seeds.isEmpty else { break }
            seeds.pending = true
            return [.refitSeeds(cell: c.cell, batch: batch, seeds: seeds.seeds)]
        case .applySeedRefit:
            guard let c = cell else { break }
            // A refit belongs to one batch; the summed spectrum stands for one only when there is one.
            guard let b = batch ?? (c.batches.count == 1 ? 0 : nil), b < c.batches.count else {
                message = "choose a batch with [ or ] first: a refit replaces one batch's calibration"; break
            }
            guard !seeds.pending else { message = "the refit is still running: w again when it shows"; break }
            guard let fit = seeds.calibrationFit else { message = "no refit yet: nudge a seed or press r"; break }
            // The running optimization started from the calibration as it was.
            guard optimize.phase != .running, optimize.phase != .cancelling else {
                message = "the optimization is running: let it finish or cancel it (view 4, c) first"; break
            }
            let toOptimized = optimize.phase == .accepted && dataset?.optimized != nil
            guard let set = toOptimized ? dataset?.optimized : dataset?.calibration else {
                message = "waiting for the standard calibration"; break
            }
            guard let profile = dataset?.profile,
                  let updated = applyingSeedRefit(fit, lineFits: seeds.fits, seeds: seeds.seeds, to: set, cell: c.cell,
                                                  batchIndex: c.batches[b].index, profile: profile) else {
                message = "cell \(c.cell) batch \(b + 1) is not in the calibration"; break
            }
            if toOptimized { dataset?.optimized = updated } else { dataset?.calibration = updated }
            message = "cell \(c.cell) batch \(b + 1): \(toOptimized ? "optimized" : "standard") calibration replaced by the refit"
                + (services.save ? "" : " (kept in memory: --out FILE writes it)")
            return calibrationChanged() + (services.save ? [.saveCalibration] : [])

        case .startOptimization:
            guard optimize.phase != .running, optimize.phase != .cancelling else { break }
            guard services.optimizer else { message = "optimizer not available in this build"; break }
            guard dataset?.calibration != nil else { message = "waiting for the standard calibration"; break }
            guard dataset?.events != nil else { message = "optimization needs an event file (cell, ADC, time)"; break }
            optimize = OptimizeState()
            optimize.phase = .running
            dataset?.optimized = nil
            return [.startOptimization]
        case .cancelOptimization:
            guard optimize.phase == .running else { break }
            optimize.phase = .cancelling
            return [.cancelOptimization]
        case .acceptOptimization:
            guard optimize.phase == .finished || optimize.phase == .cancelled, dataset?.optimized != nil else {
                message = "no result to accept"; break
            }
            optimize.phase = .accepted
            message = "optimized calibration accepted"
            beforeAfter = BeforeAfterState()
            return calibrationChanged() + (services.save ? [.saveCalibration] : [])
        case .discardOptimization:
            guard optimize.phase == .finished || optimize.phase == .cancelled || optimize.phase == .accepted else {
                message = "no result to discard"; break
            }
            optimize.phase = .discarded
            dataset?.optimized = nil
            beforeAfter.after = nil; beforeAfter.afterHistogram = nil
            message = "optimized calibration discarded"
            return calibrationChanged()

        case .recomputeBeforeAfter:
            return requestBeforeAfter()

        case let .progress(text, f):
            activity = text; activityFraction = f
        case .datasetLoaded(let d):
            dataset = d
            activity = nil; activityFraction = nil
            var fx = select(0)
            if d.calibration == nil && services.calibration {
                activity = "standard calibration…"; activityFraction = 0
                fx.append(.standardCalibration)
                fx.append(.computeMiniSpectra(generation: overview.generation))
                overview.pending = true
            } else {
                fx += calibrationChanged()
            }
            return fx
        case .calibrationReady(let set):
            dataset?.calibration = set
            activity = nil; activityFraction = nil
            message = "standard calibration ready"
            initialiseSeeds()
            return calibrationChanged() + autoRefit()
        case .summaries(let s):
            guard dataset != nil else { break }
            for i in dataset!.cells.indices { if let v = s[dataset!.cells[i].cell] { dataset!.cells[i].summary = v } }
        case .miniSpectra(let m):
            if m.generation == overview.generation { overview.spectra = m; overview.pending = false }
            else if overview.spectra == nil || m.generation > overview.spectra!.generation { overview.spectra = m }
        case let .centroids(c, b, s, n):
            guard cell?.cell == c, batch == b else { break }
            scipy = s; cnn = n
            initialiseSeeds()
            return autoRefit()
        case let .seedFit(c, b, fits, cal, msg):
            guard cell?.cell == c, batch == b else { break }
            seeds.fits = fits; seeds.calibrationFit = cal; seeds.pending = false; seeds.message = msg
        case .optimizerProgress(let snaps):
            guard optimize.phase == .running || optimize.phase == .cancelling else { break }
            for s in snaps { optimize.append(s) }
        case let .optimizerFinished(set, err, cancelled):
            if let e = err { optimize.phase = .failed(e); message = "optimization failed: \(e)"; break }
            dataset?.optimized = set
            optimize.phase = cancelled ? .cancelled : .finished
            message = cancelled ? "optimization cancelled: accept (a) keeps the last iterate" : "optimization finished: a accept, d discard"
            beforeAfter = BeforeAfterState()
        case let .beforeAfter(b, a, hb, ha, msg):
            beforeAfter.before = b; beforeAfter.after = a
            beforeAfter.beforeHistogram = hb; beforeAfter.afterHistogram = ha
            beforeAfter.pending = false; beforeAfter.message = msg
        case .seedsLoaded(let f):
            loadHandSeeds(f)
            if cell != nil { return selectBatch(batch, force: true) }
        case .seedsSaved(let path):
            seeds.savedTo = path
        case .failure(let m):
            message = m; activity = nil
        case .notice(let m):
            message = m
        case .tick: break
        }
        return []
    }

    /// The calibration in use changed: new cell summaries and new mini-spectra (older ones are
    /// dropped when they arrive).
    mutating func calibrationChanged() -> [Effect] {
        overview.generation += 1
        overview.pending = true
        return [.computeSummaries, .computeMiniSpectra(generation: overview.generation)]
    }

    private mutating func show(_ v: View) -> [Effect] {
        view = v
        showHelp = false
        if v == .beforeAfter, beforeAfter.before == nil, !beforeAfter.pending { return requestBeforeAfter() }
        return autoRefit()
    }

    private mutating func requestBeforeAfter() -> [Effect] {
        guard let d = dataset, d.calibration != nil else { beforeAfter.message = "waiting for a calibration"; return [] }
        beforeAfter.pending = true
        let cells = selection.isEmpty ? d.cells.map(\.cell) : selection.sorted()
        return [.computeBeforeAfter(cells: cells)]
    }

    /// Selects a cell (index into the dataset), resets the per-cell views and asks for its centroids.
    mutating func select(_ i: Int) -> [Effect] {
        guard let d = dataset, i >= 0, i < d.cells.count else { return [] }
        selected = i
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
