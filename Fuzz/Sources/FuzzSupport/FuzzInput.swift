import Foundation
import SDDCore

/// Runs a reader on one fuzz input the way users run it: from a file with the reader's extension
/// (in /dev/shm when it exists, so no disk is touched). Any error other than `SDDError` is a
/// finding (readers must fail with a one-line `SDDError`), and so is an error line that is not
/// one line of escaped, printable text of moderate length.
public enum FuzzInput {
    private static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let d = base + "/sddcal-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// Writes the input to a file named `input.<ext>` and runs `read` on its path.
    public static func withFile(_ data: UnsafePointer<UInt8>, _ size: Int, ext: String, _ read: (String) throws -> Void) {
        let path = directory + "/input." + ext
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot create \(path)")
        var done = 0
        while done < size {
            let n = write(fd, data + done, size - done)
            precondition(n > 0, "cannot write \(path)")
            done += n
        }
        close(fd)
        check { try read(path) }
    }

    /// Runs `body`; accepts success or a clean `SDDError`, traps otherwise.
    public static func check(_ body: () throws -> Void) {
        do {
            try body()
        } catch let e as SDDError {
            let line = e.description
            // Paths are ours; everything after them comes from the reader and must be clean.
            precondition(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}") && !line.contains("\0"),
                         "error message is not one clean line: \(line.debugDescription)")
            precondition(line.utf8.count < 1200, "error message of \(line.utf8.count) bytes")
        } catch {
            preconditionFailure("reader threw a non-SDDError: \(error)")
        }
    }
}
