import FuzzSupport

/// The libFuzzer executable of one reader (FuzzSupport's `FuzzReader`).
@_cdecl("FuzzNumpy_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { runFuzzer(argc, argv, .spectrum(ext: "npy")) }
