import Foundation

/// The temporary files of atomic writes that are in progress, so that SIGINT, SIGTERM, SIGHUP and
/// the other terminating signals remove them before the process ends (`TerminationSignals` owns
/// the handlers; SIGKILL cannot be caught: see `removeStale`).
///
/// Temporary files are named `.NAME.tmp-PID-RANDOM` next to their target. The signal handler only
/// calls `unlink` on paths stored as C strings in a fixed table (async-signal-safe).
public enum TemporaryFiles {
    private static let capacity = 64
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    private static let lock = NSLock()

    /// The temporary path for an atomic write of `path`.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    /// Registers a temporary file; returns its slot for `unregister`.
    static func register(_ path: String) -> Int? {
        TerminationSignals.install()
        lock.lock(); defer { lock.unlock() }
        for k in 0..<capacity where slots[k] == nil {
            slots[k] = strdup(path)
            return k
        }
        return nil
    }

    /// Forgets a temporary file (it was renamed into place or removed).
    static func unregister(_ slot: Int?) {
        guard let slot else { return }
        lock.lock(); defer { lock.unlock() }
        let p = slots[slot]
        slots[slot] = nil
        free(p)
    }

    /// Creates the table of paths (before the signal handler that reads it is installed).
    static func prepare() { _ = slots }

    /// Async-signal-safe: unlinks every registered temporary file (the signal handler's first step).
    static func removeAllNow() {
        for k in 0..<capacity { if let p = slots[k] { unlink(p) } }
    }

    /// Removes the temporary files of `path` left by processes that no longer run (killed with
    /// SIGKILL, or by a power cut): `.NAME.tmp-PID-RANDOM` whose PID does not exist. Temporary files
    /// of running processes (including this one) are left alone.
    public static func removeStale(for path: String) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent).tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count).split(separator: "-")
            guard rest.count == 2, let pid = Int32(rest[0]), pid > 0, UInt32(rest[1]) != nil else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink(dir + "/" + name)
            }
        }
    }
}
