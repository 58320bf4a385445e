import Foundation
import XCTest
@testable import SDDCore

final class SpectrumFileTests: XCTestCase {
    func one(_ name: String) throws -> SpectrumRecord {
        let r = try SpectrumFile.read(fixture("spectra/" + name))
        XCTAssertEqual(r.count, 1)
        return r[0]
    }

    // MARK: Amptek

    func testAmptekMCAWithCalibrationROIAndLatin1Status() throws {
        let path = fixture("spectra/fe55-cell4.mca")
        XCTAssertEqual(SpectrumFile.format(path: path, bytes: fileBytes(path)), .amptekMCA)
        let r = try one("fe55-cell4.mca")
        XCTAssertNil(r.cell)
        XCTAssertEqual(r.histogram.binCount, 64)
        XCTAssertEqual(r.histogram.lowerEdge, -0.5)
        XCTAssertEqual(r.histogram.binWidth, 1)
        XCTAssertEqual(r.histogram.counts[0], 3)
        XCTAssertEqual(r.histogram.counts[38], 366)
        XCTAssertEqual(r.histogram.counts[40], 503)
        XCTAssertEqual(r.histogram.total, 3326)
        XCTAssertEqual(r.histogram.bin(of: 40), 40, "channel k is bin k")
        // Three keV points → a quadratic in eV through all of them.
        let c = try XCTUnwrap(r.calibration)
        XCTAssertEqual(c.energy(10), 1500, accuracy: 1e-6)
        XCTAssertEqual(c.energy(40), 5899, accuracy: 1e-6)
        XCTAssertEqual(c.energy(60), 8800, accuracy: 1e-6)
        XCTAssertNotEqual(c.p2, 0)
        XCTAssertEqual(r.metadata["CALIBRATION.LABEL"], "keV")
        XCTAssertEqual(r.metadata["LIVE_TIME"], "598.125")
        XCTAssertEqual(r.metadata["START_TIME"], "11/27/2026 14:03:11")
        XCTAssertEqual(r.metadata["DESCRIPTION"], "Fe-55 source, SDD cell 4")
        XCTAssertEqual(r.metadata["ROI"], "35-45,55-62")
        XCTAssertEqual(r.metadata["DP5.MCAC"], "64")
        XCTAssertEqual(r.metadata["DP5.TPEA"], "4.000")
        XCTAssertEqual(r.metadata["STATUS.Board Temp"], "31°C")
        XCTAssertEqual(r.metadata["STATUS.Dead Time"], "0.9%")
        XCTAssertNil(r.metadata["WARNING"])
    }

    func testAmptekFileSavedAsTxtIsDetectedByContent() throws {
        let path = fixture("spectra/amptek-saved.txt")
        XCTAssertEqual(SpectrumFile.format(path: path, bytes: fileBytes(path)), .amptekMCA)
        let r = try one("amptek-saved.txt")
        XCTAssertEqual(r.histogram.counts, [0, 0, 4, 17, 35, 12, 3, 1])
        XCTAssertNil(r.calibration)
        XCTAssertEqual(r.metadata["DESCRIPTION"], "")
        XCTAssertEqual(r.metadata["SERIAL_NUMBER"], "2718")
    }

    func testAmptekTwoPointCalibrationIsLinearAndUnitsFollowTheLabel() throws {
        let dir = try TemporaryDirectory()
        let ev = try dir.write("ev.mca", "<<PMCA SPECTRUM>>\nTAG - x\n<<CALIBRATION>>\nLABEL - eV\n100 300\n1100 3300\n<<DATA>>\n1\n2\n<<END>>\n")
        let c = try XCTUnwrap(try SpectrumFile.read(ev)[0].calibration)
        XCTAssertEqual(c.p1, 3, accuracy: 1e-12)
        XCTAssertEqual(c.p0, 0, accuracy: 1e-9)
        XCTAssertEqual(c.p2, 0)
        // No label: energies below 1000 are keV.
        let kev = try dir.write("kev.mca", "<<PMCA SPECTRUM>>\n<<CALIBRATION>>\n100 0.3\n1100 3.3\n<<DATA>>\n1\n<<END>>\n")
        XCTAssertEqual(try XCTUnwrap(try SpectrumFile.read(kev)[0].calibration).p1, 3, accuracy: 1e-12)
    }

    // MARK: ORTEC

    func testOrtecSeveralCountsPerLineWithMCACal() throws {
        let r = try one("several-per-line.Spe")
        XCTAssertEqual(r.histogram.counts, (0..<20).map(Double.init))
        XCTAssertEqual(r.histogram.lowerEdge, -0.5)
        let c = try XCTUnwrap(r.calibration)
        XCTAssertEqual(c.p0, -1750, accuracy: 1e-9)
        XCTAssertEqual(c.p1, 3.1, accuracy: 1e-12)
        XCTAssertEqual(c.p2, 2.5e-5, accuracy: 1e-15)
        XCTAssertEqual(r.metadata["LIVE_TIME"], "3600.0")
        XCTAssertEqual(r.metadata["REAL_TIME"], "3612.0")
        XCTAssertEqual(r.metadata["DATE_MEA"], "11/28/2026 09:15:00")
        XCTAssertEqual(r.metadata["SPEC_REM"], "DET# 1\nDETDESC# SDD cell 7")
        XCTAssertEqual(r.metadata["ROI"], "1\n4 9")
    }

    func testOrtecOffsetChannelsWithEnerFitOnly() throws {
        let r = try one("one-per-line.Spe")
        XCTAssertEqual(r.histogram.counts, [7, 9, 11, 40, 9, 2])
        XCTAssertEqual(r.histogram.lowerEdge, 999.5)
        XCTAssertEqual(r.firstChannel, 1000)
        let c = try XCTUnwrap(r.calibration)
        XCTAssertEqual(c.p0, -1800, accuracy: 1e-9)
        XCTAssertEqual(c.p1, 3.1, accuracy: 1e-12)
        XCTAssertEqual(c.p2, 0)
    }

    // MARK: Text

    func testTextOneColumnAndTwoColumnFiles() throws {
        let a = try one("counts-one-column.txt")
        XCTAssertEqual(a.histogram.counts, [0, 3, 5.5, 100, 7])
        XCTAssertEqual(a.histogram.lowerEdge, -0.5)
        let b = try one("channel-counts-header.csv")
        XCTAssertEqual(b.histogram.counts, [10, 20, 30, 0])
        XCTAssertEqual(b.metadata["COLUMNS"], "channel,counts")
        let c = try one("channel-counts-tab.dat")
        XCTAssertEqual(c.histogram.counts, [4, 5, 6])
        XCTAssertEqual(c.firstChannel, 100)
    }

    // MARK: NumPy

    func testNumpyEveryDtypeVersionAndOrder() throws {
        let expected: [[Double]] = (0..<3).map { r in (0..<6).map { Double(10 * r + $0) } }
        for name in ["cells-u2-v1", "cells-i4-v2", "cells-f4-v3", "cells-i8-v1", "cells-u4-v1", "cells-i2-v1",
                     "cells-u1-v1", "cells-f8-fortran", "cells-f8-big"] {
            let recs = try SpectrumFile.read(fixture("spectra/\(name).npy"))
            XCTAssertEqual(recs.map(\.cell), [0, 1, 2], name)
            XCTAssertEqual(recs.map(\.histogram.counts), expected, name)
            XCTAssertEqual(recs.map(\.histogram.lowerEdge), [-0.5, -0.5, -0.5], name)
        }
        let one = try SpectrumFile.read(fixture("spectra/one-f8-v1.npy"))
        XCTAssertEqual(one.count, 1)
        XCTAssertNil(one[0].cell)
        XCTAssertEqual(one[0].histogram.counts, [0, 1.5, 2, 40.25, 7])
    }

    func testNumpyErrorsNameByteOffsets() throws {
        let neg = fixture("spectra/negative-i4.npy")
        let b = fileBytes(neg)
        let dataStart = 10 + Int(b[8]) + Int(b[9]) << 8
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(neg) },
                       "\(neg): byte \(dataStart + 4 * 4): count of cell 1 channel 1 is negative (-5.0)")
        let three = fixture("spectra/three-d.npy")
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(three) },
                       "\(three): array of shape [2, 2, 2]: expected 1-D (one spectrum) or 2-D (one row per cell)")

        let dir = try TemporaryDirectory()
        let good = fileBytes(fixture("spectra/cells-i8-v1.npy"))
        let cut = try dir.write("cut.npy", bytes: Array(good.dropLast(5)))
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(cut) },
                       "\(cut): byte \(good.count - 5): truncated: shape [3, 6] of <i8 needs \(good.count) bytes, file ends at byte \(good.count - 5)")
        var m = good; m[1] = UInt8(ascii: "X")
        let magic = try dir.write("magic.npy", bytes: m)
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(magic) },
                       "\(magic): byte 0: bad magic: not a NumPy .npy file (expected \\x93NUMPY)")
        var v = good; v[6] = 4
        let version = try dir.write("version.npy", bytes: v)
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(version) },
                       "\(version): byte 6: unsupported .npy format version 4.0 (reads 1.0, 2.0, 3.0)")
        let header = String(decoding: good[10..<dataStart], as: UTF8.self).replacingOccurrences(of: "<i8", with: "<c8")
        let complex = try dir.write("complex.npy", bytes: Array(good[0..<10]) + Array(header.utf8) + Array(good[dataStart...]))
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(complex) },
                       "\(complex): byte 10: unsupported dtype '<c8' (reads f8 f4 i8 i4 i2 i1 u8 u4 u2 u1)")
        let empty = try dir.write("empty.npy", bytes: NumpyArray(shape: [0, 4], values: []).encode())
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(empty) }, "\(empty): array of shape [0, 4] holds no counts")
        let nan = try dir.write("nan.npy", bytes: NumpyArray(shape: [3], values: [1, .nan, 2]).encode())
        XCTAssertTrue(errorLine { _ = try SpectrumFile.read(nan) }.hasSuffix(": count of channel 1 is NaN"))
    }

    // MARK: Round trips

    func testNumpyWriteReadRoundTrip() throws {
        let dir = try TemporaryDirectory()
        // One spectrum with fractional counts → 1-D <f8.
        let single = SpectrumRecord(counts: [0, 1.25, 3, 1e6])
        try SpectrumFile.write([single], to: dir.file("one.npy"), overwrite: false)
        XCTAssertEqual(try SpectrumFile.read(dir.file("one.npy")), [single])
        // Cells 0 and 2 (cell 1 missing → zero row), one starting at channel 2 → padded from channel 0.
        let a = SpectrumRecord(cell: 0, counts: [5, 6, 7, 8])
        let b = SpectrumRecord(cell: 2, firstChannel: 2, counts: [1, 2])
        try SpectrumFile.write([b, a], to: dir.file("cells.npy"), overwrite: false)
        let back = try SpectrumFile.read(dir.file("cells.npy"))
        XCTAssertEqual(back.map(\.cell), [0, 1, 2])
        XCTAssertEqual(back.map(\.histogram.counts), [[5, 6, 7, 8], [0, 0, 0, 0], [0, 0, 1, 2]])
        // The file is a plain NumPy array: whole counts as <i8, 64-byte aligned data.
        let bytes = fileBytes(dir.file("cells.npy"))
        let header = String(decoding: bytes[10..<NumpyArray.dataOffset(bytes)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 4), }"), header)
        XCTAssertEqual(NumpyArray.dataOffset(bytes) % 64, 0)
        XCTAssertEqual(errorLine { try SpectrumFile.write([a], to: dir.file("cells.npy"), overwrite: false) },
                       "\(dir.file("cells.npy")): exists; pass --force to overwrite")
    }

    func testNumpyFilesReadByNumPy() throws {
        // Cross-check with the reference implementation when Python and NumPy are present.
        let dir = try TemporaryDirectory()
        try SpectrumFile.write([SpectrumRecord(cell: 0, counts: [1, 2.5]), SpectrumRecord(cell: 1, counts: [3, 4])],
                               to: dir.file("x.npy"), overwrite: false)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import numpy as n,sys; a=n.load(sys.argv[1]); print(a.dtype.str, a.shape, a.tolist())", dir.file("x.npy")]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("python3 with numpy not available") }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(out, "<f8 (2, 2) [[1.0, 2.5], [3.0, 4.0]]\n")
    }

    func testTextWriteReadRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let r = SpectrumRecord(cell: 4, firstChannel: 7, counts: [1, 0, 2.75, 1e7],
                               calibration: EnergyCalibration(p0: -1800, p1: 3.1))
        try SpectrumFile.write([r], to: dir.file("s.csv"), overwrite: false)
        let back = try SpectrumFile.read(dir.file("s.csv"))[0]
        XCTAssertEqual(back.histogram, r.histogram)
        XCTAssertEqual(errorLine { try SpectrumFile.write([r, r], to: dir.file("two.csv"), overwrite: false) },
                       "\(dir.file("two.csv")): a text spectrum holds one spectrum, got 2; write .npy for several cells")
        let energy = SpectrumRecord(histogram: Histogram(lowerEdge: 1000, binWidth: 5, counts: [1, 2]))
        XCTAssertEqual(errorLine { try SpectrumFile.write([energy], to: dir.file("e.npy"), overwrite: false) },
                       "\(dir.file("e.npy")): .npy export holds ADC channel spectra only (bin width 1)")
    }

    // MARK: Bad input in text formats

    func testBadTextInputsNameFileAndLine() throws {
        let dir = try TemporaryDirectory()
        let mcaHead = "<<PMCA SPECTRUM>>\nTAG - x\n<<DATA>>\n"
        let cases: [(name: String, text: String, message: String)] = [
            ("a.mca", mcaHead + "1\nabc\n<<END>>\n", "5: count of channel 1 'abc' is not a number"),
            ("b.mca", mcaHead + "1\n-4\n<<END>>\n", "5: count of channel 1 is negative (-4)"),
            ("c.mca", mcaHead + "1\nnan\n<<END>>\n", "5: count of channel 1 is nan"),
            ("d.mca", mcaHead + "1\n2\n", "5: file ends inside <<DATA>> (no <<END>>): truncated?"),
            ("e.mca", "TAG - x\n<<DATA>>\n1\n<<END>>\n", "1: not an Amptek PMCA file: expected <<PMCA SPECTRUM>> as the first line"),
            ("f.mca", "<<PMCA SPECTRUM>>\nGAIN 2\n", "2: expected 'KEY - value', found 'GAIN 2'"),
            ("g.mca", "<<PMCA SPECTRUM>>\n<<CALIBRATION>>\nLABEL - keV\n10 1.5 3\n<<DATA>>\n1\n<<END>>\n",
             "4: expected 'channel energy' in <<CALIBRATION>>, found '10 1.5 3'"),
            ("h.Spe", "$SPEC_ID:\nx\n$DATA:\n0 3\n1 2\n3\n", "6: $DATA: declares channels 0…3 (4 counts) but holds 3: truncated?"),
            ("i.Spe", "$DATA:\n0 2\n1 x 3\n", "3: count of channel 1 'x' is not a number"),
            ("j.Spe", "$DATA:\n0 1\n1 2 3\n", "3: more counts than channels 0…1"),
            ("k.Spe", "$DATA:\n0 1\n1 -2\n", "3: count of channel 1 is negative (-2)"),
            ("l.Spe", "$DATA:\n0 1\n1 2\n$MCA_CAL:\n2\n0.1 0.003 furlongs\n", "6: unknown energy unit 'furlongs' (expected eV, keV or MeV)"),
            ("m.csv", "channel,counts\n0,1\n1,-1\n", "3: count of channel 1 is negative (-1)"),
            ("n.csv", "channel,counts\n0,1\n2,5\n", "3: channel 2 follows 0: channels must be consecutive"),
            ("o.csv", "0,1\n1,2,3\n", "2: expected 2 columns as on the first row, found 3"),
            ("p.txt", "1\n2\nNaN\n", "3: count of channel 2 is NaN"),
            ("q.txt", "1\n2\nlots\n", "3: count of channel 2 'lots' is not a number"),
            ("r.csv", "1,2,3\n4,5,6\n", "1: expected one column (counts) or two (channel, counts), found 3; several spectra need a header line naming them (e.g. channel,sdd1,sdd2)"),
            ("s.csv", "channel,a,b\n0,1,2\n1,3\n", "3: expected 3 columns as on the header, found 2"),
            ("t.csv", "sdd1,SDD1\n1,2\n", "1: header names column 'SDD1' twice"),
            ("u.csv", "channel,a,b\n0,1,x\n", "2: count of channel 0 'x' is not a number"),
        ]
        for c in cases {
            let path = try dir.write(c.name, c.text)
            XCTAssertEqual(errorLine { _ = try SpectrumFile.read(path) }, "\(path):\(c.message)", c.name)
        }
        let empty = try dir.write("empty.csv", "")
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(empty) }, "\(empty): empty file")
        let noData = try dir.write("nodata.Spe", "$SPEC_ID:\nx\n")
        XCTAssertEqual(errorLine { _ = try SpectrumFile.read(noData) }, "\(noData): no $DATA: section")
    }

    func testCalibrationPointFitRecoversQuadratic() {
        let truth = EnergyCalibration(p0: -1834.5, p1: 3.07, p2: 4.2e-6)
        let ch = stride(from: 500.0, through: 4000, by: 350).map { $0 }
        let fit = EnergyCalibration.fitting(channels: ch, energies: ch.map(truth.energy))!
        XCTAssertEqual(fit.p0, truth.p0, accuracy: 1e-6)
        XCTAssertEqual(fit.p1, truth.p1, accuracy: 1e-9)
        XCTAssertEqual(fit.p2, truth.p2, accuracy: 1e-13)
        XCTAssertNil(EnergyCalibration.fitting(channels: [5], energies: [1]))
        XCTAssertNil(EnergyCalibration.fitting(channels: [5, 5], energies: [1, 2]))
    }
}
