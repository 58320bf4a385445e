import Dispatch
import Foundation

/// Splitting independent work across the machine's cores.
public enum ParallelWork {
    /// Worker threads for data synthesis and element-wise work (the number of active cores).
    public static var threads: Int = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body(i)` for i in 0..<count on up to `threads` threads; serial when count is 1.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 { if count == 1 { body(0) }; return }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}
