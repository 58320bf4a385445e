import Foundation
import SDDCalTestSupport
import SDDCore
import XCTest

/// A new user's first commands on an Amptek-like spectrum (1024 channels, ~19 eV per channel, an Fe-55
/// or Zn-65 source): `--profile fe55` / `--profile zn65` and no other option identify and calibrate it.
final class SourceSpectrumEndToEndTests: XCTestCase {
    func testAmptekSpectraWithTheProfileAlone() throws {
        guard let sddcal = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory()
        for (profile, seed) in [(LineProfile.fe55, UInt64(11)), (.zn65, 12)] {
            let sim = LineSpectrumSimulator.amptek(profile: profile, counts: 3e5, seed: seed)
            let text = sim.histogram().counts.map { String(Int($0)) }.joined(separator: "\n") + "\n"
            let file = try dir.write("\(profile.name).txt", text)
            let peaks = try sddcal.run(["peaks", file, "--profile", profile.name, "--json"])
            XCTAssertEqual(peaks.status, 0, peaks.err)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(peaks.out.utf8)) as? [String: Any])
            XCTAssertEqual(json["missing"] as? [String], [])
            let found = (json["peaks"] as? [[String: Any]] ?? []).filter { $0["line"] != nil }
            XCTAssertEqual(Set(found.compactMap { $0["line"] as? String }), Set(profile.calibrationLineIDs))
            for p in found {
                let id = try XCTUnwrap(p["line"] as? String), x = try XCTUnwrap(p["centroid_adc"] as? Double)
                XCTAssertEqual(x, sim.truthADC[id]!, accuracy: 1, "\(profile.name) \(id)")
            }
            let out = dir.file("\(profile.name).json")
            let cal = try sddcal.run(["calibrate", file, "--profile", profile.name, "--out", out])
            XCTAssertEqual(cal.status, 0, cal.err)
            XCTAssertTrue(cal.out.contains("1 ok"), cal.out)
            let set = try CalibrationSet.load(out)
            let b = try XCTUnwrap(set.cells.first?.batches.first)
            for l in b.lines { XCTAssertEqual(l.centroidADC, sim.truthADC[l.line]!, accuracy: 0.3, "\(profile.name) \(l.line)") }
            XCTAssertEqual(b.calibration.p1, sim.gain, accuracy: 0.05)
        }
    }

    /// `calibrate --profile siddharta2` on SIDDHARTA-2-like cells far from VIP-2's gain (8 and 20 eV/ADC,
    /// zero at ADC 60 and 2500), as a 2-D .npy: every cell calibrated, every line within 0.3 ADC of the
    /// truth at 10⁶ counts. An Amptek-like Fe-55 spectrum given as events: `peaks --profile fe55` finds
    /// both lines where they are (the event spectrum covers the events' own range, not VIP-2's window)
    /// and `calibrate --profile fe55` fits them within 0.3 ADC.
    func testCellsFarFromTheVIP2GainFromTheCommandLine() throws {
        guard let sddcal = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory()
        let sims = [(8.0, 60.0), (20, 2500)].enumerated().map { k, g in
            LineSpectrumSimulator(profile: .siddharta2, gain: g.0, zeroADC: g.1, channels: 4096, lineCounts: 1e6,
                                  response: DetectorResponse(enc: 12), seed: UInt64(400 + k))
        }
        let npy = dir.file("s2.npy")
        try SpectrumFile.write(sims.enumerated().map { SpectrumRecord(cell: $0.offset, histogram: $0.element.histogram()) },
                               to: npy, overwrite: false)
        let out = dir.file("s2.json")
        let r = try sddcal.run(["calibrate", npy, "--profile", "siddharta2", "--out", out])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("2 ok"), r.out)
        let set = try CalibrationSet.load(out)
        for (k, sim) in sims.enumerated() {
            let b = try XCTUnwrap(set.batches(ofCell: k)?.first, "cell \(k)")
            XCTAssertEqual(Set(b.lines.map(\.line)), Set(LineProfile.siddharta2.calibrationLineIDs), "gain \(sim.gain)")
            for l in b.lines {
                XCTAssertEqual(l.centroidADC, sim.truthADC[l.line]!, accuracy: 0.3, "gain \(sim.gain) \(l.line)")
            }
            XCTAssertEqual(b.calibration.p1, sim.gain, accuracy: 0.01 * sim.gain)
        }

        let fe = LineSpectrumSimulator.amptek(profile: .fe55, counts: 3e5, seed: 13)
        var csv = "sdd,adc,time\n"
        var t = 0
        for (c, n) in fe.histogram().counts.enumerated() {
            for _ in 0..<Int(n) { csv += "0,\(c),\(t)\n"; t += 1 }
        }
        let events = try dir.write("fe55-events.csv", csv)
        let peaks = try sddcal.run(["peaks", events, "--profile", "fe55", "--json"])
        XCTAssertEqual(peaks.status, 0, peaks.err)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(peaks.out.utf8)) as? [String: Any])
        XCTAssertEqual(json["missing"] as? [String], [])
        for p in (json["peaks"] as? [[String: Any]] ?? []) {
            guard let id = p["line"] as? String else { continue }
            XCTAssertEqual(try XCTUnwrap(p["centroid_adc"] as? Double), fe.truthADC[id]!, accuracy: 1, id)
        }
        let feOut = dir.file("fe55-events.json")
        let cal = try sddcal.run(["calibrate", events, "--profile", "fe55", "--batch", "all", "--out", feOut])
        XCTAssertEqual(cal.status, 0, cal.err)
        let b = try XCTUnwrap(CalibrationSet.load(feOut).cells.first?.batches.first)
        XCTAssertEqual(Set(b.lines.map(\.line)), ["MnKa", "MnKb"])
        for l in b.lines { XCTAssertEqual(l.centroidADC, fe.truthADC[l.line]!, accuracy: 0.3, "fe55 events \(l.line)") }
    }
}
