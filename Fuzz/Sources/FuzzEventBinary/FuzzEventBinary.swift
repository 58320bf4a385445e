import FuzzSupport

/// The libFuzzer executable of one reader (FuzzSupport's `FuzzReader`).
@_cdecl("FuzzEventBinary_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { runFuzzer(argc, argv, .events(ext: "bin")) }
