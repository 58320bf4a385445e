import Foundation
import SDDCore

/// Which optimization a progress event belongs to: one batch of one cell.
public struct OptimizationID: Sendable, Hashable, Codable {
    public var cell: Int
    public var batch: Int
    public init(cell: Int, batch: Int) { self.cell = cell; self.batch = batch }
}

/// The state of one optimization at a point in time, as observers see it.
public struct OptimizationSnapshot: Sendable, Hashable, Codable {
    public var id: OptimizationID
    /// 0 at the start, then 1, 2, … after each step.
    public var iteration: Int
    /// Log-likelihood (the negative loss; for the default loss it includes the anchor prior).
    public var logLikelihood: Double
    /// Calibration coefficients p0, p1, p2 at this point.
    public var p0: Double
    public var p1: Double
    public var p2: Double
    /// Norm of the gradient in the optimizer's scaled coordinates.
    public var gradientNorm: Double

    public init(id: OptimizationID, iteration: Int, logLikelihood: Double, p0: Double, p1: Double, p2: Double, gradientNorm: Double) {
        self.id = id; self.iteration = iteration; self.logLikelihood = logLikelihood
        self.p0 = p0; self.p1 = p1; self.p2 = p2; self.gradientNorm = gradientNorm
    }
}

/// One progress event: start, an iteration, or the end with its reason (argmin's init / iter / final).
public enum OptimizationEvent: Sendable, Hashable {
    case started(OptimizationSnapshot)
    case iterated(OptimizationSnapshot)
    case finished(OptimizationSnapshot, StopReason)

    /// The state the event carries.
    public var snapshot: OptimizationSnapshot {
        switch self {
        case .started(let s), .iterated(let s), .finished(let s, _): return s
        }
    }
}

/// Receives progress of calibration optimizations. Optimizers know nothing of who listens (a CSV or
/// JSON trace, a progress bar, the inspector's live plot).
///
/// Called from worker threads, possibly several at once (batches run on both cores): implementations
/// must be thread-safe and quick (copy what they need and return; never draw per call).
public protocol OptimizationObserver: AnyObject, Sendable {
    func observe(_ event: OptimizationEvent)
}

/// Stops running optimizations from another thread (a key in the inspector, Ctrl-C): each optimizer
/// checks it before every iteration and ends with `StopReason.cancelled`.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    public init() {}
    /// Asks every optimization that checks this flag to stop before its next iteration.
    public func cancel() { lock.lock(); cancelled = true; lock.unlock() }
    /// Whether `cancel()` was called.
    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}

/// Forwards events to several observers.
public final class ObserverGroup: OptimizationObserver, @unchecked Sendable {
    public let observers: [OptimizationObserver]
    public init(_ observers: [OptimizationObserver]) { self.observers = observers }
    public func observe(_ event: OptimizationEvent) { for o in observers { o.observe(event) } }
}

/// Turns optimization events into progress: one unit per finished optimization (batch), so a
/// terminal progress bar subscribes like any other observer.
public final class BatchProgress: OptimizationObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    public let total: Int
    public let progress: ProgressObserver
    public init(total: Int, progress: ProgressObserver) { self.total = total; self.progress = progress }
    public func observe(_ event: OptimizationEvent) {
        guard case .finished = event else { return }
        lock.lock(); done += 1; let d = done; lock.unlock()
        progress.progress(done: d, total: total, unit: "batches")
    }
}

/// Keeps every event in memory (thread-safe) and writes them as CSV or JSON: the trace of
/// `sddcal optimize --trace`, and the data of the log-likelihood curve (figure 5).
public final class TraceRecorder: OptimizationObserver, @unchecked Sendable {
    /// One recorded event.
    public struct Row: Sendable, Hashable, Codable {
        public var cell: Int
        public var batch: Int
        public var iteration: Int
        /// "start", "iter" or "final".
        public var event: String
        public var logLikelihood: Double
        public var p0: Double
        public var p1: Double
        public var p2: Double
        public var gradientNorm: Double
        /// Stop reason on the final row.
        public var reason: String?
        enum CodingKeys: String, CodingKey {
            case cell, batch, iteration, event, p0, p1, p2, reason
            case logLikelihood = "log_likelihood", gradientNorm = "gradient_norm"
        }
    }

    private let lock = NSLock()
    private var storage: [Row] = []
    public init() {}

    public func observe(_ event: OptimizationEvent) {
        let s = event.snapshot
        let kind: String, reason: String?
        switch event {
        case .started: kind = "start"; reason = nil
        case .iterated: kind = "iter"; reason = nil
        case .finished(_, let r): kind = "final"; reason = r.rawValue
        }
        let row = Row(cell: s.id.cell, batch: s.id.batch, iteration: s.iteration, event: kind,
                      logLikelihood: s.logLikelihood, p0: s.p0, p1: s.p1, p2: s.p2, gradientNorm: s.gradientNorm, reason: reason)
        lock.lock(); storage.append(row); lock.unlock()
    }

    /// Rows ordered by cell, batch and iteration (start first, final last).
    public var rows: [Row] {
        lock.lock(); let r = storage; lock.unlock()
        let order = ["start": 0, "iter": 1, "final": 2]
        return r.sorted { ($0.cell, $0.batch, $0.iteration, order[$0.event]!) < ($1.cell, $1.batch, $1.iteration, order[$1.event]!) }
    }

    /// The summed log-likelihood of all batches against the iteration number: a batch that has
    /// stopped contributes its final value from then on (figure 5).
    public var totalLogLikelihoodCurve: [Double] {
        var perBatch: [OptimizationID: [Double]] = [:]
        for r in rows where r.event != "final" { perBatch[OptimizationID(cell: r.cell, batch: r.batch), default: []].append(r.logLikelihood) }
        let n = perBatch.values.map(\.count).max() ?? 0
        return (0..<n).map { i in perBatch.values.reduce(0) { $0 + $1[Swift.min(i, $1.count - 1)] } }
    }

    /// Reads back a CSV trace written by ``csv()``; errors name the file and line.
    public static func load(csv path: String) throws -> TraceRecorder {
        guard let data = FileManager.default.contents(atPath: path) else { throw SDDError.badFile(file: path, message: "cannot read file") }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.hasPrefix("cell,batch,iteration,event,log_likelihood") == true else {
            throw SDDError.badLine(file: path, line: 1, message: "not an sddcal optimize trace (header cell,batch,iteration,event,log_likelihood,...)")
        }
        let r = TraceRecorder()
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 9, let c = Int(f[0]), let b = Int(f[1]), let it = Int(f[2]), ["start", "iter", "final"].contains(f[3]),
                  let ll = Double(f[4]), let p0 = Double(f[5]), let p1 = Double(f[6]), let p2 = Double(f[7]), let g = Double(f[8]) else {
                throw SDDError.badLine(file: path, line: i + 1, message: "expected cell,batch,iteration,event,log_likelihood,p0,p1,p2,gradient_norm")
            }
            r.storage.append(Row(cell: c, batch: b, iteration: it, event: f[3], logLikelihood: ll, p0: p0, p1: p1, p2: p2,
                                 gradientNorm: g, reason: f.count > 9 && !f[9].isEmpty ? f[9] : nil))
        }
        return r
    }

    /// The rows as CSV with header `cell,batch,iteration,event,log_likelihood,p0,p1,p2,gradient_norm,reason`.
    public func csv() -> String {
        var s = "cell,batch,iteration,event,log_likelihood,p0,p1,p2,gradient_norm,reason\n"
        for r in rows {
            s += "\(r.cell),\(r.batch),\(r.iteration),\(r.event),\(r.logLikelihood),\(r.p0),\(r.p1),\(r.p2),\(r.gradientNorm),\(r.reason ?? "")\n"
        }
        return s
    }

    /// The rows as a JSON array (same keys as the CSV columns).
    public func json() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(rows)
    }
}
