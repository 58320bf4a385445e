import Foundation

/// Where a ROOT file's bytes come from: the file itself, read range by range with `pread` (so a
/// large tree file is never read whole), or bytes already in memory. Every range is checked
/// against the actual size before it is read.
final class ROOTByteSource: @unchecked Sendable {
    private enum Storage {
        case file(Int32)
        case memory([UInt8])
    }
    private let storage: Storage
    let path: String
    /// The size of the file in bytes: the bound for every offset and length read from it.
    let size: Int

    init(path: String) throws {
        let f = try FileInput(path)
        guard f.size > 0 else {
            let isEmpty = f.size == 0 && (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
            if !isEmpty {
                // A pipe or device: read it whole into memory.
                let b = try f.readAll(limit: InputLimits.current.maxSpectrumBytes)
                f.close()
                self.storage = .memory(b); self.path = path; self.size = b.count
                return
            }
            f.close()
            throw SDDError.badFile(file: path, message: "empty file")
        }
        self.storage = .file(f.fd)
        self.path = path
        self.size = f.size
    }

    init(bytes: [UInt8], path: String) {
        self.storage = .memory(bytes)
        self.path = path
        self.size = bytes.count
    }

    deinit {
        if case let .file(fd) = storage { Glibc.close(fd) }
    }

    /// The ranges read so far (tests aim their byte mutations at them); keys may be read from
    /// several threads at once.
    var rangesRead: [Range<Int>] {
        rangesLock.lock(); defer { rangesLock.unlock() }
        return ranges
    }
    private var ranges: [Range<Int>] = []
    private let rangesLock = NSLock()

    /// `count` bytes at `offset`; an error naming `what` when the range is not inside the file.
    func read(_ offset: Int, _ count: Int, _ what: String) throws -> [UInt8] {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard offset >= 0, count >= 0, !overflow, end <= size else {
            throw ROOTError.at(path, offset, "\(what): \(count) bytes at offset \(offset) run past the end of the \(size)-byte file (truncated or corrupt)")
        }
        rangesLock.lock()
        if ranges.count < 4096 { ranges.append(offset..<end) }
        rangesLock.unlock()
        switch storage {
        case let .memory(b): return Array(b[offset..<end])
        case let .file(fd):
            var out = [UInt8](repeating: 0, count: count)
            var done = 0
            try out.withUnsafeMutableBytes { buf in
                while done < count {
                    let n = pread(fd, buf.baseAddress! + done, count - done, off_t(offset + done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw SDDError.badFile(file: path, message: "read error: \(String(cString: strerror(errno)))")
                    }
                    if n == 0 { break }
                    done += n
                }
            }
            guard done == count else {
                throw ROOTError.at(path, offset + done, "\(what): the file ended early (it shrank while being read?)")
            }
            return out
        }
    }

    /// A buffer over the file's own bytes at `offset` (file offsets in its errors).
    func buffer(_ offset: Int, _ count: Int, _ what: String, context: String) throws -> ROOTBuffer {
        ROOTBuffer(bytes: try read(offset, count, what), file: path, fileOffset: offset, objectOffset: offset, context: context)
    }
}
