import FuzzSupport

/// The libFuzzer executable of one reader (FuzzSupport's `FuzzReader`).
@_cdecl("FuzzModelFile_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { runFuzzer(argc, argv, .model) }
