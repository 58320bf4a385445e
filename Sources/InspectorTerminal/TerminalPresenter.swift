import CNcurses
import Foundation
import Inspector

/// Sends cell buffers to the terminal through ncurses: only the runs that changed since the last
/// frame, then one `wnoutrefresh` + `doupdate`. All calls happen on the thread that owns it.
final class TerminalPresenter {
    let scheme: ColorScheme
    private var previous: CellBuffer?
    private var scratch: [Int32] = []

    init(scheme: ColorScheme) { self.scheme = scheme }

    /// Forgets the last frame so the next one is sent whole (after a resize or a redraw request).
    func invalidate() { previous = nil }

    /// Draws `buf`; returns the number of cells sent.
    @discardableResult
    func present(_ buf: CellBuffer) -> Int {
        let win = sdd_stdscr()
        if previous == nil || previous!.width != buf.width || previous!.height != buf.height { werase(win) }
        var sent = 0
        for run in buf.changes(since: previous) {
            scratch.removeAll(keepingCapacity: true)
            for s in run.text.unicodeScalars { scratch.append(Int32(bitPattern: s.value)) }
            let (a, p) = scheme.attributes(run.style)
            _ = scratch.withUnsafeBufferPointer { sdd_put(win, Int32(run.y), Int32(run.x), $0.baseAddress, Int32($0.count), a, p) }
            sent += scratch.count
        }
        wnoutrefresh(win)
        doupdate()
        previous = buf
        return sent
    }
}
