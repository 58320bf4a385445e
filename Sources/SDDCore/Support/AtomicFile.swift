import Foundation

/// Writes outputs safely: to a temporary file in the destination directory, then renamed over the
/// target, so a crash or error never leaves a half-written file; refuses to replace an existing file
/// unless `overwrite` is set.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, overwrite: Bool) throws {
        let fm = FileManager.default
        if !overwrite && fm.fileExists(atPath: path) { throw SDDError.outputExists(path) }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try data.write(to: tmp)
        } catch {
            throw SDDError.badFile(file: path, message: "cannot write: \(error.localizedDescription)")
        }
        if rename(tmp.path, url.path) != 0 {
            let err = String(cString: strerror(errno))
            try? fm.removeItem(at: tmp)
            throw SDDError.badFile(file: path, message: "cannot rename temporary file into place: \(err)")
        }
    }

    public static func write(_ text: String, to path: String, overwrite: Bool) throws {
        try write(Data(text.utf8), to: path, overwrite: overwrite)
    }
}
