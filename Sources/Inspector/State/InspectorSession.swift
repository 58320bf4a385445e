import Foundation

/// The inspector's loop without a terminal: state, the engine that runs its effects, and the
/// mailbox the engine answers through. The terminal front end and the tests drive the same type.
public final class InspectorSession {
    public private(set) var state: InspectorState
    public let engine: InspectorEngine
    /// Set whenever the state changed since the last `takeDirty()`.
    public private(set) var dirty = true

    public init(state: InspectorState, engine: InspectorEngine) {
        var s = state
        s.services = ServiceAvailability(engine.services)
        self.state = s
        self.engine = engine
    }

    /// Applies an action and starts the work it asks for.
    public func dispatch(_ a: Action) {
        let fx = state.update(a)
        dirty = true
        if !fx.isEmpty { engine.run(fx, state: state) }
    }

    /// Applies a key through the binding table; returns false when the key is unbound.
    @discardableResult
    public func press(_ k: Key) -> Bool {
        if state.showHelp, k != .char("?"), k != .escape, k != .char("q"), k != .ctrlC {
            dispatch(.toggleHelp)   // any other key closes the help first
            return true
        }
        if state.overview.jump != nil {
            // The jump prompt takes a cell number or label (printable ASCII), Backspace, Enter and Esc;
            // Ctrl-C still quits.
            switch k {
            case .char(let c) where c.isASCII && c.asciiValue.map({ (0x21...0x7E).contains($0) }) == true: dispatch(.jumpDigit(c))
            case .backspace: dispatch(.jumpBackspace)
            case .enter: dispatch(.commitJump)
            case .ctrlC: dispatch(.quit)
            default: dispatch(.cancelJump)
            }
            return true
        }
        guard let a = KeyBindings.action(for: k, in: state.view) else { return false }
        dispatch(a)
        return true
    }

    /// Applies everything background work posted since the last call; returns how many actions.
    @discardableResult
    public func pump() -> Int {
        var n = 0
        // Results may ask for more work (a synchronous engine answers at once): loop until quiet.
        for _ in 0..<100 {
            let batch = engine.mailbox.drain()
            if batch.isEmpty { break }
            for a in batch { dispatch(a) }
            n += batch.count
        }
        return n
    }

    /// Whether a repaint is due, clearing the flag.
    public func takeDirty() -> Bool { defer { dirty = false }; return dirty }
}
