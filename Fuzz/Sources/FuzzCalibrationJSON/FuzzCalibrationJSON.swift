import FuzzSupport
import SDDCore

/// libFuzzer entry: the calibration file reader (versions 1 and 2) on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, ext: "json") { path in
        let set = try CalibrationSet.load(path)
        // A loaded calibration must be usable: evaluate every cell at a few times.
        for c in set.cells { for t in [0.0, 86_400, 1e7] { _ = set.calibration(cell: c.cell, time: t)?.energy(2000) } }
    }
    return 0
}

/// The entry point SwiftPM links for this executable: libFuzzer's driver on `fuzz`.
@_cdecl("FuzzCalibrationJSON_main")
public func FuzzCalibrationJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, { fuzz($0, $1) })
}
