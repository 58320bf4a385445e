import XCTest
import SDDCore
@testable import Inspector

/// The overview's mini-spectra (energy under each event's calibration, shared axis, line marks),
/// its layout from 8 to 384 cells, and its snapshots.
final class OverviewTests: XCTestCase {
    static let data = Fixtures.dataset()

    /// The mean energy (eV) of the counts within ±`half` eV of `e`.
    func centroid(_ bins: [Float], _ r: ClosedRange<Double>, near e: Double, half: Double) -> Double {
        let w = (r.upperBound - r.lowerBound) / Double(bins.count)
        var s0 = 0.0, s1 = 0.0
        for i in bins.indices {
            let x = r.lowerBound + (Double(i) + 0.5) * w
            if abs(x - e) <= half { s0 += Double(bins[i]); s1 += Double(bins[i]) * x }
        }
        return s1 / s0
    }

    /// Counts within ±`half` eV of `e`.
    func counts(_ bins: [Float], _ r: ClosedRange<Double>, near e: Double, half: Double) -> Double {
        let w = (r.upperBound - r.lowerBound) / Double(bins.count)
        return bins.indices.filter { abs(r.lowerBound + (Double($0) + 0.5) * w - e) <= half }.reduce(0) { $0 + Double(bins[$1]) }
    }

    /// Every event lands in energy under the calibration of its own time: with the right
    /// calibrations the lines sit on their energies; cell 5, whose last batch keeps the first
    /// batch's calibration through a 2 % gain step, shows Mn Kα doubled ~115 eV above the mark,
    /// with a third of its events (one batch of three); under the truth the second peak is gone.
    func testEnergySpectraFollowEachEventsCalibration() {
        let d = Self.data
        let m = MiniSpectra.compute(d, calibration: d.calibration, generation: 3)
        XCTAssertEqual(m.generation, 3)
        let r = m.energyRange
        XCTAssertEqual(r.lowerBound, SpectralLine(id: "TiKa")!.energy - 600, accuracy: 1e-9)
        let mnKa = SpectralLine(id: "MnKa")!.energy
        for c in [0, 1, 5, 17] {
            let e = try! XCTUnwrap(m.energy[c])
            if c == 5 { continue }
            XCTAssertEqual(centroid(e, r, near: mnKa, half: 100), mnKa, accuracy: 3, "cell \(c): Mn Kα on its mark")
            XCTAssertEqual(centroid(e, r, near: SpectralLine(id: "TiKa")!.energy, half: 100), SpectralLine(id: "TiKa")!.energy, accuracy: 3)
        }
        // The stale batch of cell 5: its events' ADC come from the truth of batch 3 and go into
        // energy under batch 1's calibration.
        let shifted = Fixtures.truth(cell: 5, batch: 0).energy(Fixtures.truth(cell: 5, batch: 2).adc(forEnergy: mnKa)!)
        XCTAssertLessThan(shifted, mnKa - 100)
        let c5 = m.energy[5]!, c0 = m.energy[0]!
        let main5 = counts(c5, r, near: mnKa, half: 40), side5 = counts(c5, r, near: shifted, half: 40)
        XCTAssertEqual(side5 / (main5 + side5), 1.0 / 3, accuracy: 0.08, "one batch in three is off the mark")
        XCTAssertLessThan(counts(c0, r, near: shifted, half: 40) / counts(c0, r, near: mnKa, half: 40), 0.25, "only the Gaussian tail of the main peak (2.4σ away)")
        var truthSet = d.calibration!
        for ci in truthSet.cells.indices { for bi in truthSet.cells[ci].batches.indices {
            truthSet.cells[ci].batches[bi].calibration = Fixtures.truth(cell: truthSet.cells[ci].cell, batch: truthSet.cells[ci].batches[bi].index)
        } }
        let t = MiniSpectra.compute(d, calibration: truthSet, generation: 4)
        XCTAssertLessThan(counts(t.energy[5]!, r, near: shifted, half: 40) / counts(t.energy[5]!, r, near: mnKa, half: 40), 0.25, "only the Gaussian tail of the main peak (2.4σ away)")
        // ADC spectra keep every count whose channel lies inside the axis (each channel's count
        // shared over the bins it overlaps), and the axis covers every cell's lines.
        let ar = m.adcRange, h0 = d.cells[0].spectrum
        let inWindow = h0.counts.indices.reduce(0.0) { s, k in
            let a = h0.lowerEdge + Double(k) * h0.binWidth, b = a + h0.binWidth
            return s + h0.counts[k] * Swift.max(0, Swift.min(b, ar.upperBound) - Swift.max(a, ar.lowerBound)) / h0.binWidth
        }
        XCTAssertEqual(Double(m.adc[0]!.reduce(0, +)), inWindow, accuracy: 0.5)
        for c in [0, 5, 17] {
            for l in d.profile.lines {
                XCTAssertTrue(ar.contains(Fixtures.truth(cell: c, batch: 0).adc(forEnergy: l.energy)!), "cell \(c) \(l.id) on the ADC axis \(ar)")
            }
        }
        // Every event of cell 0 inside the axis is counted once.
        let cal = d.calibration!
        var expected = 0
        let ev = d.events!
        for j in d.cells[0].batches.first!.range!.lowerBound..<d.cells[0].batches.last!.range!.upperBound {
            let e = cal.calibration(cell: 0, time: ev.time[j])!.energy(Double(ev.adc[j]))
            if e > r.lowerBound + 3.5, e < r.upperBound - 3.5 { expected += 1 }
        }
        XCTAssertEqual(Double(c0.reduce(0, +)), Double(expected), accuracy: 5)
        // No calibration: ADC only.
        XCTAssertTrue(MiniSpectra.compute(d, calibration: nil, generation: 0).energy.isEmpty)
    }

    /// Heights: log counts over 2.5 decades below the largest bin, -1 where nothing was counted.
    func testHeightsAreLogCountsBelowThePeak() {
        let bins: [Float] = [0, 1, 10, 100, 1000, 3162.2776, 0, 0]
        XCTAssertEqual(MiniSpectra.heights(bins, dots: 8, levels: 5), [-1, 0, 0, 2, 4, 5, -1, -1])
        // Two bins per dot: their mean.
        XCTAssertEqual(MiniSpectra.heights([100, 100, 0, 0], dots: 2, levels: 4), [4, -1])
        // More dots than bins: each dot shows the nearest bin.
        XCTAssertEqual(MiniSpectra.heights([1000, 1], dots: 4, levels: 5), [5, 5, 0, 0])
        XCTAssertEqual(MiniSpectra.heights([0, 0], dots: 3, levels: 4), [-1, -1, -1])
    }

    /// 8, 32 and 384 cells from 80×24 to 200×60: the shape chosen, and that every cell fits on
    /// one page whenever one-row meters can hold them.
    func testLayoutAdaptsToTheTerminal() {
        let l8 = OverviewLayout(count: 8, width: 80, height: 24)
        XCTAssertEqual([l8.columns, l8.meterHeight, l8.pageCount], [1, 2, 1])
        XCTAssertEqual(l8.spectrumWidth, 61)
        let l8w = OverviewLayout(count: 8, width: 160, height: 48)
        XCTAssertEqual([l8w.columns, l8w.meterHeight, l8w.pageCount], [1, 5, 1])
        let l384 = OverviewLayout(count: 384, width: 200, height: 60)
        XCTAssertEqual([l384.columns, l384.meterHeight], [5, 1])
        XCTAssertEqual(l384.perPage, 5 * 54)
        XCTAssertEqual(l384.pageCount, 2)
        for (w, h) in [(80, 24), (100, 30), (160, 48), (200, 60), (45, 12)] {
            for n in [1, 8, 32, 384] {
                let l = OverviewLayout(count: n, width: w, height: h)
                XCTAssertLessThanOrEqual(l.columns * (l.meterWidth + OverviewLayout.gap) - OverviewLayout.gap, w, "\(n) cells at \(w)x\(h)")
                XCTAssertLessThanOrEqual(l.rowsPerPage * l.meterHeight, h - 2 - OverviewLayout.chromeRows)
                XCTAssertEqual(l.page(of: n - 1), l.pageCount - 1)
            }
        }
    }

    func overviewSession(_ d: Dataset, width: Int, height: Int) -> InspectorSession {
        let engine = InspectorEngine(services: Fixtures.services(), synchronous: true, clock: Fixtures.steppingClock())
        let s = InspectorSession(state: InspectorState(width: width, height: height), engine: engine)
        s.dispatch(.datasetLoaded(d)); s.pump()
        return s
    }

    /// The line marks are labelled over the spectra, cell 5's note is in the detail line, `e`
    /// switches the axis to ADC (no marks) and back.
    func testMarksLabelsAndAxisToggle() {
        let s = overviewSession(Self.data, width: 160, height: 48)
        s.key(.char("j")); s.key(.char("5")); s.key(.enter)
        var text = render(s.state).lines.joined(separator: "\n")
        for l in ["Ti Kα", "Mn Kα", "Mn Kβ", "Cu Kα", "keV", "cells 0–31 of 32", "cell 5: 10.8k ev, 3 batches · lines off the marks"] {
            XCTAssertTrue(text.contains(l), "overview lacks \(l):\n\(text)")
        }
        XCTAssertNotNil(s.state.overview.spectra)
        XCTAssertFalse(s.state.overview.pending)
        s.key(.char("e"))
        XCTAssertEqual(s.state.overview.axis, .adc)
        text = render(s.state).lines.joined(separator: "\n")
        // (cell 5's reason in the detail line names lines; the meters carry no marks.)
        XCTAssertFalse(text.split(separator: "\n").filter { !$0.contains("cell 5:") }.joined().contains("Mn Kα"), "no energy marks on the ADC axis:\n\(text)")
        XCTAssertTrue(text.contains("ADC"))
        s.key(.char("e"))
        XCTAssertEqual(s.state.overview.axis, .energy)
    }

    /// An accepted optimization, a discarded one and a written seeds refit each ask for new
    /// mini-spectra; an answer for an older calibration does not replace a newer one.
    func testMiniSpectraFollowTheCalibrationInUse() {
        let s = overviewSession(Self.data, width: 80, height: 24)
        let g0 = s.state.overview.generation
        XCTAssertEqual(s.state.overview.spectra?.generation, g0)
        s.key(.char("4")); s.key(.char("o")); s.key(.char("a"))
        XCTAssertEqual(s.state.overview.generation, g0 + 1)
        XCTAssertEqual(s.state.overview.spectra?.generation, g0 + 1)
        // Under the accepted (truth) calibration cell 5's Mn Kα is one peak again.
        let m = s.state.overview.spectra!
        let mnKa = SpectralLine(id: "MnKa")!.energy
        let shifted = Fixtures.truth(cell: 5, batch: 0).energy(Fixtures.truth(cell: 5, batch: 2).adc(forEnergy: mnKa)!)
        XCTAssertLessThan(counts(m.energy[5]!, m.energyRange, near: shifted, half: 40)
                          / counts(m.energy[5]!, m.energyRange, near: mnKa, half: 40), 0.25, "only the Gaussian tail of the main peak (2.4σ away)")
        var st = s.state
        let stale = MiniSpectra(energyRange: m.energyRange, adcRange: m.adcRange, energy: [:], adc: [:], generation: g0)
        _ = st.update(.miniSpectra(stale))
        XCTAssertEqual(st.overview.spectra, m, "a stale answer is dropped")
        s.key(.char("d"))
        XCTAssertEqual(s.state.overview.spectra?.generation, g0 + 2)
    }

    /// 384 cells (SIDDHARTA-2 size) with their spectra at 80×24, 160×48 and 200×60.
    func testSnapshotsWith384Cells() {
        let d = Fixtures.dataset(cells: 384, perBatch: 300)
        let s = overviewSession(d, width: 200, height: 60)
        s.key(.char("j")); s.key(.char("3")); s.key(.char("0")); s.key(.char("5")); s.key(.enter)
        XCTAssertEqual(s.state.cell?.cell, 305)
        for (w, h) in [(80, 24), (160, 48), (200, 60)] {
            var st = s.state
            _ = st.update(.resize(width: w, height: h))
            let buf = render(st)
            assertSnapshot(buf, named: "overview-384-\(w)x\(h)-unicode")
            let text = buf.lines.joined(separator: "\n")
            let l = OverviewLayout(count: 384, width: w, height: h)
            let first = l.page(of: 305) * l.perPage
            XCTAssertTrue(text.contains("cells \(first)–\(Swift.min(383, first + l.perPage - 1)) of 384"), text)
            XCTAssertTrue(buf.cells.contains { $0.style.role == .selection && $0.style.reverse })
        }
    }
}
