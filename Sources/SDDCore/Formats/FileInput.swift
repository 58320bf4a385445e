import Foundation

/// An input file opened for reading with POSIX calls: whole-file or chunked reads straight into
/// caller buffers (no Foundation `Data` copies), with errors rendered as one-line `SDDError`s.
struct FileInput {
    let path: String
    let fd: Int32
    /// Size in bytes reported by `fstat` (0 for pipes and other non-regular files).
    let size: Int

    init(_ path: String) throws {
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
        self.size = (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
    }

    func close() { _ = Glibc.close(fd) }

    /// Reads up to `buffer.count` bytes, retrying short reads; returns the number read (less only at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
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

    /// The whole file as bytes (works for pipes too).
    func readAll() throws -> [UInt8] {
        var out = [UInt8]()
        var capacity = Swift.max(size + 1, 1 << 16)
        while true {
            let start = out.count
            out.reserveCapacity(capacity)
            let want = capacity - start
            var got = 0
            out.append(contentsOf: repeatElement(0, count: want))
            try out.withUnsafeMutableBytes { got = try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
            out.removeLast(want - got)
            if got < want { return out }
            capacity *= 2
        }
    }

    /// Reads the whole file at `path`.
    static func bytes(_ path: String) throws -> [UInt8] {
        let f = try FileInput(path)
        defer { f.close() }
        return try f.readAll()
    }
}
