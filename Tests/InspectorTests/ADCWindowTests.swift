import XCTest
import SDDCore
@testable import Inspector

/// The inspector's ADC windows come from the data: SIDDHARTA-2-like histogram cells at 8 and
/// 20 eV/ADC (outside the profile's nominal VIP-2 window 1500–4500, where the old axis showed
/// nothing) show their lines in the overview's ADC mini-spectra and in the spectrum view.
final class ADCWindowTests: XCTestCase {
    /// Four cells at the gains and zeros of `SpectrumCalibrationTests.testSIDDHARTA2CellsAtOtherGains`,
    /// with their true linear calibration in the file (or none), and the simulators (truth).
    static func cells(calibrated: Bool) -> (Dataset, [LineSpectrumSimulator]) {
        let sims = [(8.0, 60.0), (8, 1500), (20, 2500), (20, 10)].enumerated().map { k, gz in
            LineSpectrumSimulator(profile: .siddharta2, gain: gz.0, zeroADC: gz.1, channels: Int(gz.1 + 1.3 * 8905 / gz.0),
                                  lineCounts: 1e6, response: DetectorResponse(enc: 12), seed: UInt64(300 + k))
        }
        let records = sims.enumerated().map { c, sim in
            SpectrumRecord(cell: c, histogram: sim.histogram(), calibration: calibrated ? sim.calibration : nil)
        }
        return (Dataset(name: "sdd.root", records: records, profile: .siddharta2), sims)
    }

    /// A session without a standard calibration service: the file's calibration (or none) stays.
    func session(_ d: Dataset) -> InspectorSession {
        let s = InspectorSession(state: InspectorState(width: 160, height: 48),
                                 engine: InspectorEngine(services: InspectorServices(), synchronous: true))
        s.dispatch(.datasetLoaded(d)); s.pump()
        return s
    }

    func testOverviewADCSpectraShowEveryCellsLines() throws {
        for calibrated in [true, false] {
            let (d, sims) = Self.cells(calibrated: calibrated)
            let s = session(d)
            XCTAssertEqual(d.calibration != nil, calibrated)
            let m = try XCTUnwrap(s.state.overview.spectra, "mini-spectra computed by the service")
            let r = m.adcRange
            var st = s.state
            st.overview.axis = .adc
            let layout = OverviewLayout(count: d.cells.count, width: st.width - 2, height: st.height)
            let dots = 2 * layout.spectrumWidth, levels = 4 * layout.meterHeight - 1
            for (c, sim) in sims.enumerated() {
                let truth = sim.truthADC
                for (id, x) in truth { XCTAssertTrue(r.contains(x), "cell \(c) \(id) at ADC \(x) outside the axis \(r)") }
                // What the meter draws: log heights per dot column.
                let h = MiniSpectra.heights(try XCTUnwrap(m.adc[c]), dots: dots, levels: levels)
                func column(_ adc: Double) -> Int { Int((adc - r.lowerBound) / (r.upperBound - r.lowerBound) * Double(dots)) }
                func near(_ adc: Double) -> Int { (column(adc) - 1...column(adc) + 1).filter(h.indices.contains).map { h[$0] }.max()! }
                let top = h.max()!
                for id in ["TiKa", "CuKa"] {
                    XCTAssertGreaterThanOrEqual(near(truth[id]!), top - levels / 4, "cell \(c) (\(sim.gain) eV/ADC, calibrated \(calibrated)): \(id) peak drawn")
                }
                // Between Ti Kβ and Cu Kα (6.5 keV) only the continuum: over a decade below the peaks.
                XCTAssertLessThanOrEqual(near(sim.adc(ofEnergy: 6500)), top - levels * 2 / 5, "cell \(c): continuum between the lines")
            }
            // The axis is where the data is: the union of the cells' windows, not ADC 0…65535 or
            // the nominal 1500–4500.
            let lo = sims.map { $0.adc(ofEnergy: 3910) }.min()!, hi = sims.map { $0.adc(ofEnergy: 9305) }.max()!
            if calibrated {
                XCTAssertEqual(r.lowerBound, lo, accuracy: 1, "600 eV below Ti Kα of the lowest cell")
                XCTAssertEqual(r.upperBound, hi, accuracy: 1, "400 eV above Cu Kβ of the highest cell")
            } else {
                XCTAssertLessThan(r.lowerBound, lo)
                XCTAssertLessThanOrEqual(r.upperBound, Double(sims.map(\.channels).max()!))
            }
            // The overview in ADC renders every meter with a spectrum (no empty meters).
            let text = render(st).lines.joined(separator: "\n")
            XCTAssertTrue(text.contains("ADC"), text)
        }
    }

    func testSpectrumViewDefaultWindowHoldsTheLines() throws {
        for calibrated in [true, false] {
            let (d, sims) = Self.cells(calibrated: calibrated)
            var st = session(d).state
            for (c, sim) in sims.enumerated() {
                _ = st.select(c)
                // What the view draws: the histogram over the window holds the lines' counts and its
                // highest bin (a line's peak).
                let h = try XCTUnwrap(st.histogram)
                var inside = 0.0, peak = 0, lines = 0.0
                for k in h.counts.indices {
                    if h.counts[k] > h.counts[peak] { peak = k }
                    if st.spectrumWindow.contains(h.center(k)) { inside += h.counts[k] }
                    if sim.truthADC.values.contains(where: { abs($0 - h.center(k)) < 300 / sim.gain }) { lines += h.counts[k] }
                }
                XCTAssertTrue(sim.truthADC.values.contains { abs($0 - h.center(peak)) < 200 / sim.gain }, "cell \(c): highest bin on a line")
                XCTAssertTrue(st.spectrumWindow.contains(h.center(peak)), "cell \(c): peak outside \(st.spectrumWindow)")
                XCTAssertGreaterThan(inside, 0.95 * lines, "cell \(c): the lines' counts inside the window")
                st.view = .spectrum
                let w = st.spectrumWindow, truth = sim.truthADC
                for (id, x) in truth { XCTAssertTrue(w.contains(x), "cell \(c) calibrated \(calibrated): \(id) at \(x) outside \(w)") }
                if calibrated {
                    // The lines fill the window: 600 eV below Ti Kα to 400 eV above Cu Kβ.
                    XCTAssertEqual(w.lowerBound, Swift.max(sim.adc(ofEnergy: 3910), -0.5), accuracy: 0.5)
                    XCTAssertEqual(w.upperBound, sim.adc(ofEnergy: 9305), accuracy: 0.5)
                } else {
                    let h = try XCTUnwrap(st.histogram)
                    XCTAssertEqual(w.upperBound - w.lowerBound, h.upperEdge - h.lowerEdge, accuracy: 0.25 * (h.upperEdge - h.lowerEdge),
                                   "uncalibrated: the range with counts")
                }
            }
        }
    }

    /// Stray events at the ends do not stretch the uncalibrated window; a histogram without
    /// counts has none.
    func testCountRangeIgnoresAFewStrays() {
        var counts = [Double](repeating: 0, count: 1000)
        for i in 200..<400 { counts[i] = 100 }
        counts[0] = 1; counts[999] = 1
        let h = Histogram(lowerEdge: -0.5, binWidth: 1, counts: counts)
        XCTAssertEqual(ADCWindow.countRange(h), 199.5...399.5)
        XCTAssertEqual(ADCWindow.countRange(h, tail: 0), -0.5...999.5)
        XCTAssertNil(ADCWindow.countRange(Histogram(lowerEdge: 0, binWidth: 1, bins: 10)))
        XCTAssertNil(ADCWindow.around(.siddharta2, histogram: Histogram(lowerEdge: 0, binWidth: 1, bins: 10), calibration: nil))
    }
}
