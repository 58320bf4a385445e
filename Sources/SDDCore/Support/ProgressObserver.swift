/// Receives progress of long work (simulate, convert, train, calibrate, optimize). The library
/// reports; front ends (a progress bar on a terminal, the inspector, nothing) decide how to show it.
public protocol ProgressObserver: AnyObject, Sendable {
    /// `done` of `total` units finished (total 0 if unknown); `unit` names what is counted ("events").
    func progress(done: Int, total: Int, unit: String)
}
