import Foundation

/// The temporary files of atomic writes that are in progress, so that SIGINT, SIGTERM and SIGHUP
/// remove them before the process ends (SIGKILL cannot be caught: see `removeStale`).
///
/// Temporary files are named `.NAME.tmp-PID-RANDOM` next to their target. The signal handler only
/// calls `unlink` on paths stored as C strings in a fixed table (async-signal-safe), then hands the
/// signal to the handler that was installed before (e.g. the inspector's terminal restore) or, if
/// there was none, ends the process with the signal's default action.
public enum TemporaryFiles {
    private static let capacity = 64
    nonisolated(unsafe) private static let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var previous: [Int32: sigaction] = [:]
    nonisolated(unsafe) private static var installed = false
    private static let lock = NSLock()
    /// The signals after which temporary files are removed.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// The temporary path for an atomic write of `path`.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    }

    /// Registers a temporary file; returns its slot for `unregister`.
    static func register(_ path: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        installHandlers()
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

    private static func installHandlers() {
        guard !installed else { return }
        installed = true
        for k in 0..<capacity { slots[k] = nil }
        for s in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in TemporaryFiles.handle(sig) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            var old = sigaction()
            sigaction(s, &action, &old)
            previous[s] = old
        }
    }

    /// Async-signal-safe: unlink, then the previous handler or the default action.
    private static func handle(_ sig: Int32) {
        for k in 0..<capacity { if let p = slots[k] { unlink(p) } }
        if var old = previous[sig] {
            let h = old.__sigaction_handler.sa_handler
            if let h, unsafeBitCast(h, to: Int.self) != unsafeBitCast(SIG_DFL, to: Int.self),
               unsafeBitCast(h, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) {
                h(sig)
                return
            }
            if let h, unsafeBitCast(h, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { return }
            old.__sigaction_handler.sa_handler = SIG_DFL
            sigaction(sig, &old, nil)
        } else {
            signal(sig, SIG_DFL)
        }
        raise(sig)
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
