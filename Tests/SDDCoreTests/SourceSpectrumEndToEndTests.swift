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
}
