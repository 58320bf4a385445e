import CentroidNetwork
import Foundation
import SDDCore

/// One reader under fuzzing: how an input reaches it (a file with the reader's extension, or the
/// bytes themselves) and what is done with what it accepts, so that a reader that returns
/// nonsense without throwing is exercised by its users' first steps too.
public struct FuzzReader: Sendable {
    let run: @Sendable (UnsafePointer<UInt8>, Int) -> Void

    /// A reader that takes a path: the input is written to `input.<ext>` first.
    static func file(_ ext: String, _ read: @escaping @Sendable (String) throws -> Void) -> FuzzReader {
        FuzzReader { data, size in FuzzInput.withFile(data, size, ext: ext, read) }
    }

    /// The event reader, strict and then lenient (as `--lenient` reads).
    public static func events(ext: String) -> FuzzReader {
        file(ext) { path in
            _ = try? EventFile.read(path)
            _ = try EventFile.read(path, options: EventReadOptions(lenient: true, knownCells: 0...31), progress: nil)
        }
    }

    /// The spectrum reader on a file named `*.<ext>`; every spectrum read is summed.
    public static func spectrum(ext: String) -> FuzzReader {
        file(ext) { path in _ = try SpectrumFile.read(path).map { $0.histogram.total } }
    }

    /// The calibration file reader (versions 1 and 2); every cell is evaluated at a few times.
    public static let calibration = file("json") { path in
        let set = try CalibrationSet.load(path)
        for c in set.cells { for t in [0.0, 86_400, 1e7] { _ = set.calibration(cell: c.cell, time: t)?.energy(2000) } }
    }

    /// The simulator truth reader; the exact calibration of every cell is evaluated at a few times.
    public static let truth = file("json") { path in
        let truth = try SimulationTruth.load(path)
        for c in truth.cells { for t in [-1.0, 0, 86_400, 1e9] { _ = truth.calibration(cell: c.cell, time: t)?.energy(2000) } }
    }

    /// The CNN model file decoder, on the bytes.
    public static let model = FuzzReader { data, size in
        let bytes = Data(bytes: data, count: size)
        FuzzInput.check { _ = try ModelFile.decode(bytes, file: "input.sddnn") }
    }
}

/// The reader `fuzzOneInput` runs: set once by `runFuzzer` before libFuzzer starts.
nonisolated(unsafe) private var current: FuzzReader?

/// libFuzzer's entry for one input (also the symbol its own `main` would call).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    current!.run(data, size)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                 _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// Runs libFuzzer's driver on `reader`. SwiftPM links an executable's entry point under the name
/// `<Target>_main`, so each target defines that symbol as a call of this (libFuzzer's own `main`
/// is then not needed).
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ reader: FuzzReader) -> CInt {
    current = reader
    var c = argc
    var v: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOneInput)
}
