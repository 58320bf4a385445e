import Foundation
import PeakFinding
import SDDCore
import XCTest

/// Line identification with no setting but the profile, on simulated spectra with truth
/// (``LineSpectrumSimulator``) at gains from 1 to 100 eV per channel and zeros anywhere.
final class IdentificationAtAnyGainTests: XCTestCase {
    /// One simulated spectrum: was every calibration line found at its true place, and no peak
    /// labelled as a line it is not?
    struct Outcome { var complete: Bool; var wrong: [String] }

    static func identify(_ sim: LineSpectrumSimulator, gainRange: ClosedRange<Double>? = nil) throws -> Outcome {
        let h = sim.histogram()
        let report = try SpectrumPeakSearch.adaptive(profile: sim.profile, gainRange: gainRange).run(h)
        let id = try XCTUnwrap(report.identification)
        let truth = sim.truthADC
        // A label is right when its peak lies within half a FWHM of the line's true position.
        var wrong: [String] = []
        for p in report.peaks {
            guard let l = p.line, let line = sim.profile.line(l), let x = truth[l] else { continue }
            let halfFWHM = sim.response.fwhm(at: line.energy) / sim.gain / 2
            if abs(p.centroidADC - x) > Swift.max(halfFWHM, 1) {
                wrong.append(String(format: "%@ at %.1f (truth %.1f)", l, p.centroidADC, x))
            }
        }
        return Outcome(complete: id.missing.isEmpty, wrong: wrong)
    }

    /// A spectrum of `profile` at a random gain (log-uniform in 1–100 eV/ADC) and zero (up to half
    /// the lowest line's channel either way), with enough channels to hold the lines.
    static func randomSpectrum(_ profile: LineProfile, counts: Double, seed: UInt64,
                               response: DetectorResponse = DetectorResponse(enc: 8)) -> LineSpectrumSimulator {
        var rng = SeededGenerator(seed: seed, stream: 77)
        let gain = exp(rng.uniform(log(1), log(100)))
        let lo = profile.lines.map(\.energy).min()!, hi = profile.lines.map(\.energy).max()!
        let zero = rng.uniform(-0.5, 0.5) * lo / gain
        let channels = Swift.max(1024, Int((zero + 1.4 * hi / gain).rounded(.up)))
        return LineSpectrumSimulator(profile: profile, gain: gain, zeroADC: zero, channels: channels,
                                     lineCounts: counts, response: response, seed: seed)
    }

    func testAmptekFe55AndZn65AreIdentifiedWithTheProfileAlone() throws {
        for (profile, seed) in [(LineProfile.fe55, UInt64(1)), (.fe55, 2), (.zn65, 3), (.zn65, 4)] {
            let sim = LineSpectrumSimulator.amptek(profile: profile, counts: 2e5, seed: seed)
            let o = try Self.identify(sim)
            XCTAssertTrue(o.complete, "\(profile.name) seed \(seed)")
            XCTAssertEqual(o.wrong, [], "\(profile.name) seed \(seed)")
        }
    }

    /// The success rate over random gains and zeros for the two-line sources and the SIDDHARTA-2 set,
    /// asserted at every count against the rates measured in docs/physics.md §10 (200 spectra: at most
    /// 8/200 missed at 3·10³ line counts, 1/200 at 10⁴ and 10⁵; the default 40-spectrum run: 0 at 10⁴ and
    /// 10⁵, at most 1 at 3·10³). No peak may ever be labelled as a line it is not.
    func testSuccessRateOverRandomGains() throws {
        for profile in [LineProfile.fe55, .zn65, .siddharta2] {
            for counts in [3e3, 1e4, 1e5] {
                var complete = 0, wrong = 0
                // SDDCAL_ID_SWEEP=N for a longer sweep (the rate in docs/physics.md §10).
                let n = Int(ProcessInfo.processInfo.environment["SDDCAL_ID_SWEEP"] ?? "") ?? 40
                var failures: [String] = []
                for k in 0..<n {
                    let sim = Self.randomSpectrum(profile, counts: counts, seed: UInt64(1000 + k))
                    let o = try Self.identify(sim)
                    if o.complete && o.wrong.isEmpty { complete += 1 } else {
                        failures.append(String(format: "gain %.2f zero %.0f: %@", sim.gain, sim.zeroADC,
                                               o.complete ? o.wrong.joined(separator: ", ") : "incomplete " + o.wrong.joined(separator: ", ")))
                    }
                    wrong += o.wrong.count
                }
                print("identification \(profile.name) \(Int(counts)) counts: \(complete)/\(n) right over gains 1–100 eV/ADC"
                      + (failures.isEmpty ? "" : "; failures: " + failures.joined(separator: "; ")))
                let allowedMisses = n * (counts < 1e4 ? 8 : 1) / 200
                XCTAssertGreaterThanOrEqual(complete, n - allowedMisses,
                                            "\(profile.name) \(Int(counts)) counts: \(complete)/\(n) right: \(failures)")
                XCTAssertEqual(wrong, 0, "\(profile.name) \(counts): a peak labelled as a line it is not: \(failures)")
            }
        }
    }

    /// Kα-only profiles on a multi-element spectrum: the Kβ peaks alone (E(Kβ) ≈ 1.1·E(Kα)) also fit a
    /// linear gain; the heights must tell them apart.
    func testKBetaPeaksAreNeverTakenForKAlpha() throws {
        let spectrumLines = LineProfile.named("TiKa,MnKa,CuKa")!
        let asked = LineProfile.named("TiKa,MnKa,CuKa")!
        for seed in UInt64(1)...12 {
            var sim = Self.randomSpectrum(spectrumLines, counts: 1e5, seed: seed)
            sim.intensities = ["TiKa": 0.6, "TiKb": 0.6 * 0.13, "MnKa": 1, "MnKb": 0.134, "CuKa": 0.5, "CuKb": 0.5 * 0.134]
            sim.profile = asked
            let o = try Self.identify(sim)
            XCTAssertTrue(o.complete, "seed \(seed) gain \(sim.gain)")
            XCTAssertEqual(o.wrong, [], "seed \(seed) gain \(sim.gain)")
        }
    }

    /// Fe-55 at 99.9 eV/ADC (Mn Kα at channel 36, Kβ 6 channels further): the measured pair spacing puts
    /// the true relation just above the searched 100 eV/ADC, and the Si escape pair (same spacing and
    /// Kβ/Kα ratio, 1740 eV lower, ~200× weaker) fits inside. The escape pair must never be taken for the
    /// lines (its parents are the far higher peaks 1740 eV above) nor a Kβ-below-Kα pair: the lines are
    /// reported missing; with the range widened to 120 eV/ADC they are found.
    func testEscapePairIsNeverTakenForTheLines() throws {
        for counts in [1e4, 1e5, 1e6] {
            let sim = LineSpectrumSimulator(profile: .fe55, gain: 99.91, zeroADC: -22.9, channels: 1024, lineCounts: counts,
                                            response: DetectorResponse(enc: 8), seed: 1109)
            let o = try Self.identify(sim)
            XCTAssertEqual(o.wrong, [], "\(counts) counts")
            XCTAssertTrue(try Self.identify(sim, gainRange: 1...120).complete, "\(counts) counts")
        }
        // Escape peaks 5 % of their parents, far above the background: still never taken.
        var strong = LineSpectrumSimulator(profile: .fe55, gain: 99.91, zeroADC: -22.9, channels: 1024, lineCounts: 1e6,
                                           response: DetectorResponse(enc: 8), seed: 7)
        strong.escapeFraction = 0.05
        XCTAssertEqual(try Self.identify(strong).wrong, [])
        XCTAssertTrue(try Self.identify(strong, gainRange: 1...120).complete)
    }

    func testGainRangeNarrowsTheSearch() throws {
        let sim = LineSpectrumSimulator.amptek(profile: .fe55, counts: 1e5, seed: 9)
        XCTAssertTrue(try Self.identify(sim, gainRange: 15...25).complete)
        // A range that excludes the true 19 eV/ADC cannot put both lines where they are.
        let h = sim.histogram()
        let report = try SpectrumPeakSearch.adaptive(profile: .fe55, gainRange: 40...60).run(h)
        XCTAssertNotEqual(report.identification?.missing, [])
        XCTAssertThrowsError(try SpectrumPeakSearch.adaptive(profile: .fe55, gainRange: 0...5).run(h))
    }

    func testMeasuredWidthFollowsTheDetector() throws {
        for (gain, seed) in [(19.0, UInt64(5)), (3.1, 6), (60, 7)] {
            var sim = LineSpectrumSimulator.amptek(profile: .fe55, counts: 1e5, seed: seed)
            sim.gain = gain
            sim.channels = Int(1.4 * 6490 / gain) + 10
            let expected = sim.response.fwhm(at: SpectralLine(id: "MnKa")!.energy) / gain
            let w = try XCTUnwrap(PeakWidthEstimate.fwhmBins(sim.histogram().counts))
            // The Kα doublet and the tail widen the line a little beyond the Gaussian FWHM.
            XCTAssertEqual(w, expected, accuracy: 0.15 * expected + 0.5, "gain \(gain)")
        }
    }
}
