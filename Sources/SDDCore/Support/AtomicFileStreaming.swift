import Foundation

/// A buffered output stream into the temporary file of an atomic write (see `AtomicFile.stream`).
public final class AtomicOutputStream {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String
    /// Bytes written so far.
    public private(set) var bytesWritten = 0

    fileprivate init(file: UnsafeMutablePointer<FILE>, path: String) {
        self.file = file
        self.path = path
    }

    /// Appends bytes to the output.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if fwrite(base, 1, bytes.count, file) != bytes.count {
            throw SDDError.badFile(file: path, message: "cannot write: \(String(cString: strerror(errno)))")
        }
        bytesWritten += bytes.count
    }

    /// Appends the bytes of a contiguous collection.
    public func write<C: ContiguousBytes>(_ bytes: C) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    fileprivate func close() -> Int32 { fclose(file) }
}

extension AtomicFile {
    /// Streams an output through a temporary file in the destination directory that is renamed over
    /// `path` only when `body` returns normally, so large outputs need not sit in memory and a failure
    /// never leaves a partial file. Refuses to replace an existing file unless `overwrite` is set.
    /// Returns the number of bytes written.
    @discardableResult
    public static func stream(to path: String, overwrite: Bool, _ body: (AtomicOutputStream) throws -> Void) throws -> Int {
        if !overwrite && FileManager.default.fileExists(atPath: path) { throw SDDError.outputExists(path) }
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard let f = fopen(tmp, "wb") else {
            throw SDDError.badFile(file: path, message: "cannot write: \(String(cString: strerror(errno)))")
        }
        let out = AtomicOutputStream(file: f, path: path)
        do {
            try body(out)
        } catch {
            _ = out.close()
            unlink(tmp)
            throw error
        }
        if out.close() != 0 {
            let err = String(cString: strerror(errno))
            unlink(tmp)
            throw SDDError.badFile(file: path, message: "cannot write: \(err)")
        }
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            unlink(tmp)
            throw SDDError.outputExists(path)
        }
        if rename(tmp, path) != 0 {
            let err = String(cString: strerror(errno))
            unlink(tmp)
            throw SDDError.badFile(file: path, message: "cannot rename temporary file into place: \(err)")
        }
        return out.bytesWritten
    }
}
