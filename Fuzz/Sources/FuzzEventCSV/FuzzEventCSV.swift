import FuzzSupport
import SDDCore

/// libFuzzer entry: the EventCSV reader on one input (strict, then lenient).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, ext: "csv") { path in
        _ = try? EventFile.read(path)
        _ = try EventFile.read(path, options: EventReadOptions(lenient: true, knownCells: 0...31), progress: nil)
    }
    return 0
}

/// The entry point SwiftPM links for this executable: libFuzzer's driver on `fuzz`.
@_cdecl("FuzzEventCSV_main")
public func FuzzEventCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, { fuzz($0, $1) })
}
