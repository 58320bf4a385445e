import Foundation

/// A buffered output stream into the temporary file of an atomic write (see `AtomicFile.stream`).
public final class AtomicOutputStream {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String
    /// Bytes written so far.
    public private(set) var bytesWritten = 0

    init(file: UnsafeMutablePointer<FILE>, path: String) {
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

    func close() -> Int32 { fclose(file) }
}

extension AtomicFile {
    /// Streams an output through a temporary file in the destination directory that is renamed over
    /// `path` only when `body` returns normally, so large outputs need not sit in memory and a failure
    /// never leaves a partial file. Refuses to replace an existing file unless `overwrite` is set.
    /// Returns the number of bytes written.
    @discardableResult
    public static func stream(to path: String, overwrite: Bool, _ body: (AtomicOutputStream) throws -> Void) throws -> Int {
        let pending = try PendingFile(path: path, overwrite: overwrite, body)
        try pending.commit()
        return pending.bytesWritten
    }

    /// Replaces several files that belong together (e.g. simulate's events and truth): every temporary
    /// file is written completely before the first rename, and the renames happen in the given order
    /// with terminating signals held (`TerminationSignals.holding`). Only SIGKILL can fall between two
    /// renames and leave a new first file next to an old second one, so files written together carry
    /// a common generation id that their readers compare (`SimulationPair`). Returns the bytes
    /// written per file.
    @discardableResult
    public static func streamTogether(_ outputs: [(path: String, body: (AtomicOutputStream) throws -> Void)],
                                      overwrite: Bool) throws -> [Int] {
        var pending: [PendingFile] = []
        do {
            for o in outputs { pending.append(try PendingFile(path: o.path, overwrite: overwrite, o.body)) }
            try TerminationSignals.holding { for p in pending { try p.commit() } }
        } catch {
            for p in pending { p.discard() }
            throw error
        }
        return pending.map(\.bytesWritten)
    }
}

/// A fully written temporary file waiting to be renamed over its target.
final class PendingFile {
    let path: String
    let tmp: String
    let overwrite: Bool
    private(set) var bytesWritten = 0
    private var slot: Int?
    private var done = false

    init(path: String, overwrite: Bool, _ body: (AtomicOutputStream) throws -> Void) throws {
        if !overwrite && FileManager.default.fileExists(atPath: path) { throw SDDError.outputExists(path) }
        TemporaryFiles.removeStale(for: path)
        self.path = path
        self.overwrite = overwrite
        tmp = TemporaryFiles.temporaryPath(for: path)
        slot = TemporaryFiles.register(tmp)
        guard let f = fopen(tmp, "wb") else {
            let err = String(cString: strerror(errno))
            TemporaryFiles.unregister(slot)
            throw SDDError.badFile(file: path, message: "cannot write: \(err)")
        }
        let out = AtomicOutputStream(file: f, path: path)
        do {
            try body(out)
        } catch {
            _ = out.close()
            discard()
            throw error
        }
        bytesWritten = out.bytesWritten
        if out.close() != 0 {
            let err = String(cString: strerror(errno))
            discard()
            throw SDDError.badFile(file: path, message: "cannot write: \(err)")
        }
    }

    /// Renames the temporary file over the target.
    func commit() throws {
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            discard()
            throw SDDError.outputExists(path)
        }
        if rename(tmp, path) != 0 {
            let err = String(cString: strerror(errno))
            discard()
            throw SDDError.badFile(file: path, message: "cannot rename temporary file into place: \(err)")
        }
        done = true
        TemporaryFiles.unregister(slot)
        slot = nil
    }

    /// Removes the temporary file (no-op after a commit).
    func discard() {
        guard !done else { return }
        unlink(tmp)
        done = true
        TemporaryFiles.unregister(slot)
        slot = nil
    }
}
