import FuzzSupport
import SDDCore

/// libFuzzer entry: the simulator truth reader on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, ext: "json") { path in
        let truth = try SimulationTruth.load(path)
        // A loaded truth must be usable: the exact calibration of every cell at a few times.
        for c in truth.cells { for t in [-1.0, 0, 86_400, 1e9] { _ = truth.calibration(cell: c.cell, time: t)?.energy(2000) } }
    }
    return 0
}

/// The entry point SwiftPM links for this executable: libFuzzer's driver on `fuzz`.
@_cdecl("FuzzTruthJSON_main")
public func FuzzTruthJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, { fuzz($0, $1) })
}
