import Foundation
import SDDCalTestSupport
import XCTest
@testable import SDDCore

/// The option values of issue 16 that used to allocate terabytes, fabricate fits or print "nan",
/// run through the built `sddcal` as users run it: each must fail with one line and exit 1.
final class HostileCommandTests: XCTestCase {
    func testAbsurdOptionsAndEmptyROIsFailWithOneLine() throws {
        guard let sddcal = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory()
        let sim = try sddcal.run(["simulate", "--cells", "2", "--days", "2", "--rate", "3000", "--seed", "3",
                                  "--out", dir.file("ev.bin"), "--truth", dir.file("truth.json")])
        XCTAssertEqual(sim.status, 0, sim.err)
        let empty = CalibrationSet(profile: "vip2", batch: "48h", method: "standard", source: "test", cells: [])
        try empty.save(dir.file("empty.json"), overwrite: false)
        let ev = dir.file("ev.bin"), truth = dir.file("truth.json")
        let cases: [([String], String)] = [
            (["fit", ev, "--truth", truth, "--roi", "20000:21000"], "no counts in ROI"),
            (["fit", ev, "--truth", truth, "--roi", "20000:21000", "--json"], "no counts in ROI"),
            (["fit", ev, "--truth", truth, "--cells", "99"], "--cells: none of 99 is calibrated"),
            (["fit", ev, "--calib", dir.file("empty.json")], "calibrates no cells"),
            (["fit", ev, "--truth", truth, "--roi", "1e300:1e301"], "--roi: "),
            (["fit", ev, "--truth", truth, "--bin", "1e-9"], "--bin: "),
            (["peaks", ev, "--cell", "0", "--bin-width", "1e-12"], "--bin-width: "),
            (["peaks", ev, "--cell", "0", "--range", "0:1e15"], ""),
            (["simulate", "--days", "1e9", "--out", dir.file("x.bin"), "--truth", dir.file("x.json")], "--days: "),
        ]
        for (args, expected) in cases {
            let r = try sddcal.run(args)
            if expected.isEmpty {
                // A range far beyond the ADC is clamped to the 16-bit ADC, not allocated.
                XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
                continue
            }
            XCTAssertEqual(r.status, 1, "\(args): \(r.out)")
            XCTAssertTrue(r.err.hasPrefix("sddcal: error: ") && r.err.contains(expected), "\(args): \(r.err)")
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
            XCTAssertFalse(r.out.contains("nan"), r.out)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("x.bin")))

        // Spectrum files: a 3-channel .Spe at channel 999,999,990 and 1e308 counts are refused.
        let spe = try dir.write("high.Spe", "$DATA:\n999999990 999999992\n1 2 3\n")
        let r1 = try sddcal.run(["convert", spe, dir.file("high.npy")])
        XCTAssertEqual(r1.status, 1)
        XCTAssertTrue(r1.err.contains("SDDCAL_MAX_CHANNELS"), r1.err)
        let mca = try dir.write("big.mca", "<<PMCA SPECTRUM>>\n<<DATA>>\n1e308\n1e308\n<<END>>\n")
        let r2 = try sddcal.run(["peaks", mca])
        XCTAssertEqual(r2.status, 1)
        XCTAssertTrue(r2.err.contains("above 2^53"), r2.err)
    }

    /// A pipe is read once: `cat events.bin | sddcal summary /dev/stdin` used to fail with "bad magic".
    func testPipedInputIsSniffedFromABuffer() throws {
        guard let sddcal = try BuiltCommand.locate(for: self) else { return }
        let dir = try TemporaryDirectory()
        let sim = try sddcal.run(["simulate", "--cells", "2", "--days", "1", "--rate", "500", "--seed", "4",
                                  "--out", dir.file("ev.bin"), "--truth", dir.file("truth.json")])
        XCTAssertEqual(sim.status, 0, sim.err)
        XCTAssertEqual(try sddcal.run(["convert", dir.file("ev.bin"), dir.file("ev.csv")]).status, 0)
        for file in ["ev.bin", "ev.csv"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "cat '\(dir.file(file))' | '\(sddcal.path)' summary /dev/stdin"]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out; p.standardError = err
            try p.run()
            let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, file + ": " + e)
            XCTAssertTrue(o.hasPrefix("/dev/stdin: "), o)
        }
    }
}
