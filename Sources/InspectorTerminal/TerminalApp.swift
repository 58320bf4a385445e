import CNcurses
import Foundation
import Inspector
import SDDCore

/// Options of the terminal front end.
public struct TerminalOptions: Sendable {
    /// Glyphs to use; nil picks Unicode on a UTF-8 locale, ASCII otherwise.
    public var glyphs: GlyphSet?
    /// Colours to use; nil detects them.
    public var colors: ColorCapability?
    /// Frame-rate cap for repaints not caused by a key press (background progress, live plot).
    public var maxFPS: Double = 15
    /// Where to write frame statistics (JSON) on exit, if anywhere.
    public var statsPath: String?
    public init(glyphs: GlyphSet? = nil, colors: ColorCapability? = nil, maxFPS: Double = 15, statsPath: String? = nil) {
        self.glyphs = glyphs; self.colors = colors; self.maxFPS = maxFPS; self.statsPath = statsPath
    }
}

/// Errors of the terminal front end.
public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal
    case cannotInitialise
    case cannotAddressCursor(String)
    public var description: String {
        switch self {
        case .notATerminal: return "the inspector needs a terminal (stdin and stdout must be a tty)"
        case .cannotInitialise: return "cannot initialise the terminal (is TERM set?)"
        case .cannotAddressCursor(let t): return "terminal type '\(t)' cannot move the cursor; set TERM (e.g. xterm-256color)"
        }
    }
}

/// The interactive loop: keys → actions → update → render → diff → ncurses, all on this thread;
/// background results are drained from the mailbox on every wake (at least every 1/maxFPS s).
public enum TerminalApp {
    /// Runs the session until the user quits, a stop signal arrives or an error is thrown; the
    /// terminal is restored on every path out. Returns the frame statistics.
    @discardableResult
    public static func run(_ session: InspectorSession, options: TerminalOptions = TerminalOptions(),
                           start: (InspectorSession) -> Void = { _ in }) throws -> FrameStats {
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else { throw TerminalError.notATerminal }
        setlocale(LC_ALL, "")
        let utf8 = sdd_locale_is_utf8() != 0
        guard let screen = newterm(nil, stdout, stdin) else { throw TerminalError.cannotInitialise }
        guard sdd_can_address_cursor() != 0 else {
            endwin(); delscreen(screen)
            throw TerminalError.cannotAddressCursor(getenv("TERM").map { String(cString: $0) } ?? "")
        }
        // SIGINT/SIGTERM/SIGHUP/SIGQUIT and the other terminating signals remove temporary files and
        // are then only recorded: the loop (which wakes at least every 66 ms) restores the terminal
        // and exits with the signal; endwin() is not async-signal-safe, so no handler calls it.
        TerminationSignals.deferToLoop()
        sdd_install_crash_restore()
        defer {
            endwin()
            delscreen(screen)
            TerminationSignals.endDeferring()
        }
        cbreak(); noecho(); nonl()
        keypad(sdd_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        start_color()
        let cap = options.colors ?? ColorCapability.detect()
        let scheme = ColorScheme(capability: cap)
        scheme.install()
        let presenter = TerminalPresenter(scheme: scheme)
        let frameInterval = 1 / Swift.max(1, options.maxFPS)
        wtimeout(sdd_stdscr(), Int32((frameInterval * 1000).rounded()))

        var stats = FrameStats()
        stats.colors = cap.rawValue
        let glyphs = options.glyphs ?? (utf8 ? .unicode : .ascii)
        stats.glyphs = glyphs.rawValue
        session.dispatch(.resize(width: Int(sdd_getmaxx(sdd_stdscr())), height: Int(sdd_getmaxy(sdd_stdscr()))))
        if session.state.glyphs != glyphs { forceGlyphs(session, glyphs) }
        start(session)

        var buffer = CellBuffer(width: 0, height: 0)
        var lastFrame = 0.0
        let now = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        var keyTime: Double? = nil
        while !session.state.shouldQuit {
            if TerminationSignals.pending != 0 { stats.signal = TerminationSignals.pending; session.dispatch(.quit); break }
            var code: Int32 = 0
            let status = sdd_get_key(sdd_stdscr(), &code)
            if status != ERR {
                let t = now()
                handle(status: status, code: code, session, presenter)
                // Drain keys already typed before painting, so a burst costs one frame.
                nodelay(sdd_stdscr(), true)
                while true {
                    let s2 = sdd_get_key(sdd_stdscr(), &code)
                    if s2 == ERR { break }
                    handle(status: s2, code: code, session, presenter)
                }
                wtimeout(sdd_stdscr(), Int32((frameInterval * 1000).rounded()))
                keyTime = keyTime ?? t
            }
            session.pump()
            if session.state.shouldQuit { break }
            // Key presses repaint at once; background changes at most maxFPS times a second.
            let due = keyTime != nil || now() - lastFrame >= frameInterval
            if session.dirty && due {
                _ = session.takeDirty()
                render(session.state, into: &buffer)
                let before = sdd_bytes_written()
                presenter.present(buffer)
                fflush(stdout)
                let bytes = Int(sdd_bytes_written() - before)
                stats.frames += 1
                stats.bytesPerFrame.append(bytes)
                if session.state.optimize.phase == .running && keyTime == nil { stats.liveFrameBytes.append(bytes) }
                lastFrame = now()
                if let k = keyTime { stats.keyToFrameMs.append((lastFrame - k) * 1000); keyTime = nil }
            }
        }
        stats.bytesTotal = stats.bytesPerFrame.reduce(0) { $0 + UInt64($1) }
        if let p = options.statsPath { try? stats.write(to: p) }
        return stats
    }

    private static func handle(status: Int32, code: Int32, _ session: InspectorSession, _ presenter: TerminalPresenter) {
        if status == sdd_key_code_yes() && code == sdd_key_resize() {
            presenter.invalidate()
            session.dispatch(.resize(width: Int(sdd_getmaxx(sdd_stdscr())), height: Int(sdd_getmaxy(sdd_stdscr()))))
            return
        }
        if status != sdd_key_code_yes() && code == 12 {   // Ctrl-L: full repaint
            presenter.invalidate(); clearok(sdd_stdscr(), true); session.dispatch(.tick(0)); return
        }
        if let k = KeyDecoder.decode(status: status, code: code) { session.press(k) }
    }

    private static func forceGlyphs(_ session: InspectorSession, _ g: GlyphSet) {
        for _ in 0..<GlyphSet.allCases.count where session.state.glyphs != g { session.dispatch(.cycleGlyphs) }
    }
}
