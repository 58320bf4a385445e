import Foundation

/// Writes a benchmark's answers (JSON) for scripts/compare, which checks them against the Python
/// reference's answers on the same inputs. Exits with a one-line error when the file cannot be written.
func writeAnswers(_ path: String, _ value: Any) {
    do {
        let d = try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted])
        try d.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        FileHandle.standardError.write(Data("sddcal-bench: cannot write \(path): \(error)\n".utf8))
        exit(2)
    }
}

/// Reads a raw little-endian array (`count` = file size / element size) given by scripts/compare.
func readRawArray<T: BitwiseCopyable>(_ path: String, of: T.Type) -> [T] {
    guard let d = FileManager.default.contents(atPath: path), d.count % MemoryLayout<T>.stride == 0 else {
        FileHandle.standardError.write(Data("sddcal-bench: cannot read \(path) as an array of \(T.self)\n".utf8))
        exit(2)
    }
    let stride = MemoryLayout<T>.stride
    return d.withUnsafeBytes { raw in (0..<(d.count / stride)).map { raw.loadUnaligned(fromByteOffset: $0 * stride, as: T.self) } }
}
