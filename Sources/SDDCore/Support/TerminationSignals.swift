import Foundation

/// The one owner of the handlers of the asynchronous signals whose default action ends the process
/// (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, …). Its handler first removes the temporary files
/// of the atomic writes in progress (`TemporaryFiles`) and then either ends the process with the
/// signal's default action or, once a loop has called `deferToLoop` (the inspector, which must
/// restore the terminal first), records the signal for that loop and returns.
///
/// One owner, because two installers replace each other: the inspector's handlers used to replace
/// the temporary-file cleanup, or the other way round, depending on which was installed first.
/// Signals ignored when the handlers are installed (`nohup` ignores SIGHUP) stay ignored.
public enum TerminationSignals {
    /// The signals handled: every asynchronous signal whose default action ends the process.
    public static let signals: [Int32] = {
        var s: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
                          SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF]
        #if os(Linux)
        s.append(SIGPWR)
        #endif
        return s
    }()

    /// Written by the handler, read by the deferring loop: plain memory, as the handler may only
    /// store a value (async-signal-safe); [0] the pending signal, [1] 1 when deferring, [2] 1 while
    /// `holding` runs, [3] the signal held meanwhile.
    nonisolated(unsafe) private static let state: UnsafeMutablePointer<sig_atomic_t> = {
        let p = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 4)
        p.initialize(repeating: 0, count: 4)
        return p
    }()
    nonisolated(unsafe) private static var installed = false
    private static let lock = NSLock()

    /// Installs the handler for every signal in `signals` that is not ignored (once per process).
    public static func install() {
        lock.lock(); defer { lock.unlock() }
        guard !installed else { return }
        installed = true
        // Both tables exist before the first signal can arrive (no lazy initialisation in a handler).
        _ = state
        TemporaryFiles.prepare()
        for s in signals {
            var old = sigaction()
            sigaction(s, nil, &old)
            if let h = old.__sigaction_handler.sa_handler,
               unsafeBitCast(h, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in TerminationSignals.handle(sig) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(s, &action, nil)
        }
    }

    /// From now on a handled signal is recorded (`pending`) instead of ending the process; the
    /// caller's loop checks `pending` and ends itself. Temporary files are removed either way.
    public static func deferToLoop() {
        install()
        state[1] = 1
    }

    /// Back to the default: a handled signal ends the process again (after removing temporary
    /// files); a recorded signal is forgotten.
    public static func endDeferring() {
        state[1] = 0
        state[0] = 0
    }

    /// Runs `body` (the renames of files that belong together) with terminating signals held: a
    /// signal that arrives meanwhile, on any thread, removes nothing and takes effect when `body`
    /// returns, so SIGINT or SIGTERM cannot fall between two renames (only SIGKILL can).
    static func holding<T>(_ body: () throws -> T) rethrows -> T {
        install()
        state[2] = 1
        defer {
            state[2] = 0
            let held = state[3]
            if held != 0 { state[3] = 0; raise(Int32(held)) }
        }
        return try body()
    }

    /// The signal recorded since `deferToLoop`, 0 when none.
    public static var pending: Int32 { Int32(state[0]) }

    /// Async-signal-safe: unlink the temporary files, then record the signal or take the default action.
    private static func handle(_ sig: Int32) {
        if state[2] != 0 {
            if state[3] == 0 { state[3] = sig_atomic_t(sig) }
            return
        }
        TemporaryFiles.removeAllNow()
        if state[1] != 0 {
            if state[0] == 0 { state[0] = sig_atomic_t(sig) }
            return
        }
        signal(sig, SIG_DFL)
        raise(sig)
    }
}
