import Foundation

/// An input file opened for reading with POSIX calls: whole-file or chunked reads straight into
/// caller buffers (no Foundation `Data` copies), with errors rendered as one-line `SDDError`s.
///
/// Pipes and FIFOs cannot be reopened or rewound, yet sddcal looks at the first bytes of
/// an input to tell its format before the reader proper starts. So a non-regular input is opened
/// once per process (`NonSeekableInput`): the bytes read while sniffing are kept and replayed to the
/// next `FileInput` of the same path, which then continues from the descriptor.
struct FileInput {
    let path: String
    let fd: Int32
    /// Size in bytes reported by `fstat` (0 for pipes and other non-regular files).
    let size: Int
    /// The shared state of a non-regular input, nil for regular files.
    private let stream: NonSeekableInput?
    /// This reader's position in a non-regular input.
    private let position: Position?

    private final class Position { var offset = 0 }

    init(_ path: String) throws {
        if let shared = NonSeekableInput.existing(path) {
            self.path = path; fd = shared.fd; size = 0; stream = shared; position = Position()
            return
        }
        var st = stat()
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw SDDError.badFile(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        guard fstat(fd, &st) == 0 else {
            let msg = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SDDError.badFile(file: path, message: "cannot stat: \(msg)")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            throw SDDError.badFile(file: path, message: "is a directory")
        }
        self.path = path
        self.fd = fd
        let regular = (st.st_mode & S_IFMT) == S_IFREG
        self.size = regular ? Int(st.st_size) : 0
        let fifo = (st.st_mode & S_IFMT) == S_IFIFO || (st.st_mode & S_IFMT) == S_IFSOCK
        if !fifo {
            // Regular files and devices (a terminal, /dev/zero) can be opened again.
            stream = nil; position = nil
        } else {
            stream = NonSeekableInput.register(path, fd: fd); position = Position()
        }
    }

    /// Closes a file or device; a pipe or FIFO stays open for the next reader of the same path.
    func close() { if stream == nil { _ = Glibc.close(fd) } }

    /// Reads up to `buffer.count` bytes, retrying short reads; returns the number read (less only at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if let stream, let position {
            let n = try stream.read(at: position.offset, into: buffer, path: path)
            position.offset += n
            return n
        }
        return try FileInput.readFully(fd, into: buffer, path: path)
    }

    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = Glibc.read(fd, base + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SDDError.badFile(file: path, message: "read error: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// The whole file as bytes (works for pipes too), refusing inputs longer than `limit` bytes
    /// before reading past the limit. With `lineLimit`, a text input is refused as soon as one line
    /// runs longer (so /dev/zero fails after 16 MB, not a gigabyte); inputs whose first bytes
    /// `isBinary` recognises (a binary format's magic) are exempt.
    func readAll(limit: Int = Int.max, lineLimit: Int? = nil,
                 isBinary: (ArraySlice<UInt8>) -> Bool = { _ in false }) throws -> [UInt8] {
        if size > limit { throw tooLong(limit) }
        var out = [UInt8]()
        if size > 0 { out.reserveCapacity(size + 1) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: size > 0 ? Swift.min(1 << 20, size + 1) : 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var sinceNewline = 0
        while true {
            let got = try read(into: chunk)
            let part = UnsafeRawBufferPointer(rebasing: chunk[0..<got])
            if out.count > limit - got { throw tooLong(limit) }
            out.append(contentsOf: part)
            if let lineLimit, !isBinary(out[0..<Swift.min(out.count, 16)]) {
                if let nl = part.lastIndex(of: 0x0A) { sinceNewline = got - nl - 1 } else { sinceNewline += got }
                if sinceNewline > lineLimit {
                    throw SDDError.badLine(file: path, line: out[..<(out.count - sinceNewline)].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) },
                                           message: "line longer than \(lineLimit) bytes (limit SDDCAL_MAX_LINE_BYTES): not a text file? starts \(InputQuote.quoted(out[(out.count - sinceNewline)...].prefix(40)))")
                }
            }
            if got < chunk.count { return out }
        }
    }

    private func tooLong(_ limit: Int) -> SDDError {
        .badFile(file: path, message: "longer than \(limit) bytes (limit SDDCAL_MAX_SPECTRUM_BYTES): not a spectrum file?")
    }

    /// Reads the whole file at `path`, at most `limit` bytes.
    static func bytes(_ path: String, limit: Int = Int.max, lineLimit: Int? = nil,
                      isBinary: (ArraySlice<UInt8>) -> Bool = { _ in false }) throws -> [UInt8] {
        let f = try FileInput(path)
        defer { f.close() }
        return try f.readAll(limit: limit, lineLimit: lineLimit, isBinary: isBinary)
    }
}

/// A pipe or FIFO opened once for the whole process. Bytes read from the descriptor are
/// kept while they are few (the sniffing phase) so that the next reader of the same path sees the
/// input from its start; past that, the input is read once, streaming, by one reader.
final class NonSeekableInput: @unchecked Sendable {
    /// Bytes kept for replay: enough for every format sniff (64 KB) and a binary header.
    static let replayLimit = 1 << 17

    let fd: Int32
    private var kept: [UInt8] = []
    /// Bytes consumed from the descriptor so far.
    private var consumed = 0
    private let lock = NSLock()

    private init(fd: Int32) { self.fd = fd }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [String: NonSeekableInput] = [:]

    static func existing(_ path: String) -> NonSeekableInput? {
        registryLock.lock(); defer { registryLock.unlock() }
        return registry[path]
    }

    static func register(_ path: String, fd: Int32) -> NonSeekableInput {
        registryLock.lock(); defer { registryLock.unlock() }
        let s = NonSeekableInput(fd: fd)
        registry[path] = s
        return s
    }

    /// Reads at a reader's `offset`: from the kept bytes, then from the descriptor.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        lock.lock(); defer { lock.unlock() }
        var done = 0
        if offset < consumed {
            guard offset < kept.count else {
                throw SDDError.badFile(file: path, message: "a pipe or FIFO can be read only once, and this one was already read past byte \(kept.count)")
            }
            let n = Swift.min(buffer.count, kept.count - offset)
            kept.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            done = n
            if done == buffer.count { return done }
        }
        guard offset + done == consumed else {
            throw SDDError.badFile(file: path, message: "a pipe or FIFO can be read only once")
        }
        let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
        let n = try FileInput.readFully(fd, into: rest, path: path)
        if consumed == kept.count && kept.count + n <= NonSeekableInput.replayLimit {
            kept.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<n]))
        }
        consumed += n
        return done + n
    }
}
