import FuzzSupport
import SDDCore

/// libFuzzer entry: the spectrum reader on one input named *.npy (the Numpy format).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, ext: "npy") { path in
        let records = try SpectrumFile.read(path)
        // What a reader accepts is used: sum every spectrum.
        do {
            _ = records.map { $0.histogram.total }
        }
    }
    return 0
}

/// The entry point SwiftPM links for this executable: libFuzzer's driver on `fuzz`.
@_cdecl("FuzzNumpy_main")
public func FuzzNumpyMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, { fuzz($0, $1) })
}
