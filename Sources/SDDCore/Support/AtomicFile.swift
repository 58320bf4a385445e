import Foundation

/// Writes outputs safely: to a temporary file in the destination directory, then renamed over the
/// target, so a crash or error never leaves a half-written file; refuses to replace an existing file
/// unless `overwrite` is set. The temporary file is removed on error and on SIGINT, SIGTERM and
/// SIGHUP (`TemporaryFiles`); ones left by a SIGKILL are removed by the next write of the same target.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, overwrite: Bool) throws {
        try stream(to: path, overwrite: overwrite) { try $0.write(data) }
    }

    public static func write(_ text: String, to path: String, overwrite: Bool) throws {
        try write(Data(text.utf8), to: path, overwrite: overwrite)
    }
}
