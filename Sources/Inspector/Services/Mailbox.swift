import Foundation

/// Where background work leaves its results for the UI thread: a locked queue of actions plus the
/// latest optimizer snapshots, drained once per wake of the UI loop. Workers never touch the
/// terminal; the UI thread never waits on workers.
public final class Mailbox: @unchecked Sendable {
    private let lock = NSLock()
    private var actions: [Action] = []
    private var snapshots: [OptimizerSnapshot] = []
    /// Called after each post (e.g. to wake a blocking UI loop); may be nil.
    public var onPost: (@Sendable () -> Void)?

    public init() {}

    public func post(_ a: Action) {
        lock.lock(); actions.append(a); lock.unlock()
        onPost?()
    }

    /// Buffers an optimizer snapshot; only the snapshots since the last drain are kept (at most 4096).
    public func post(_ s: OptimizerSnapshot) {
        lock.lock()
        snapshots.append(s)
        if snapshots.count > 4096 { snapshots.removeFirst(snapshots.count - 4096) }
        lock.unlock()
    }

    /// Everything posted since the last drain, snapshots first folded into one action.
    public func drain() -> [Action] {
        lock.lock(); defer { lock.unlock() }
        var out: [Action] = []
        if !snapshots.isEmpty { out.append(.optimizerProgress(snapshots)); snapshots.removeAll(keepingCapacity: true) }
        out += actions
        actions.removeAll(keepingCapacity: true)
        return out
    }

    public var isEmpty: Bool { lock.lock(); defer { lock.unlock() }; return actions.isEmpty && snapshots.isEmpty }
}
