import CentroidNetwork
import Foundation
import FuzzSupport
import SDDCore

/// libFuzzer entry: the CNN model file decoder on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    FuzzInput.check { _ = try ModelFile.decode(bytes, file: "input.sddnn") }
    return 0
}

/// The entry point SwiftPM links for this executable: libFuzzer's driver on `fuzz`.
@_cdecl("FuzzModelFile_main")
public func FuzzModelFileMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, { fuzz($0, $1) })
}
