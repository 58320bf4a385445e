import Foundation
import SDDCore

/// Runs the effects that `update` asks for with the services, off the UI thread, and posts the
/// results to a `Mailbox` as actions. One serial queue for analysis (so results arrive in order)
/// and one thread for the optimizer (so analysis stays responsive while it runs).
public final class InspectorEngine: @unchecked Sendable {
    public let services: InspectorServices
    public let mailbox: Mailbox
    private let queue: DispatchQueue?
    private var listener: Listener?
    private var heldOutListener: HeldOutRelay?
    private let lock = NSLock()
    /// Seconds on a monotonic clock (injectable so tests get reproducible rates).
    let clock: @Sendable () -> Double

    /// - Parameter synchronous: run every effect on the calling thread (tests, benchmarks, demo).
    public init(services: InspectorServices, mailbox: Mailbox = Mailbox(), synchronous: Bool = false,
                clock: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.services = services
        self.mailbox = mailbox
        self.clock = clock
        queue = synchronous ? nil : DispatchQueue(label: "sddcal.inspector.analysis", qos: .userInitiated)
    }

    /// Starts the effects; `state` is the state right after the update that produced them.
    public func run(_ effects: [Effect], state: InspectorState) {
        guard let d = state.dataset else { return }
        for e in effects {
            switch e {
            case .cancelOptimization:
                lock.lock(); listener?.cancel(); lock.unlock()
            case .startOptimization:
                startOptimization(d)
            case .cancelHeldOut:
                lock.lock(); heldOutListener?.cancel(); lock.unlock()
            case .startHeldOut(let request):
                startHeldOut(d, request)
            default:
                let accepted = state.optimize.phase == .accepted
                let work: @Sendable () -> Void = { [self] in self.perform(e, d, accepted: accepted) }
                if let q = queue { q.async(execute: work) } else { work() }
            }
        }
    }

    /// Blocks until queued analysis work is done (tests and the demo).
    public func waitUntilIdle() {
        queue?.sync {}
        while true {
            lock.lock(); let busy = listener?.running == true || heldOutListener?.running == true; lock.unlock()
            if !busy { return }
            usleep(2000)
        }
    }

    private func perform(_ e: Effect, _ d: Dataset, accepted: Bool) {
        switch e {
        case .standardCalibration:
            guard let f = services.standardCalibration else { return }
            let obs = ProgressRelay(mailbox, label: "standard calibration")
            do { mailbox.post(.calibrationReady(try f(d, obs))) } catch { mailbox.post(.failure("standard calibration failed: \(error)")) }
        case .computeSummaries:
            let set = accepted ? (d.optimized ?? d.calibration) : d.calibration
            mailbox.post(.summaries(Analysis.summaries(d, calibration: set, services: services)))
        case .computeMiniSpectra(let generation):
            let set = accepted ? (d.optimized ?? d.calibration) : d.calibration
            mailbox.post(.miniSpectra(MiniSpectra.compute(d, calibration: set, generation: generation)))
        case let .computeCentroids(cell, batch):
            guard let i = d.index(ofCell: cell) else { return }
            let h = d.histogram(cell: i, batch: batch)
            mailbox.post(.centroids(cell: cell, batch: batch, scipy: services.scipyCentroids?(h, d.profile),
                                    cnn: services.cnnCentroids?(h, d.profile)))
        case let .refitSeeds(cell, batch, seeds):
            guard let i = d.index(ofCell: cell) else { return }
            let r = Analysis.refit(d.histogram(cell: i, batch: batch), profile: d.profile, seeds: seeds, services: services)
            mailbox.post(.seedFit(cell: cell, batch: batch, fits: r.fits, calibration: r.calibration, message: r.message))
        case .computeBeforeAfter(let request):
            mailbox.post(.beforeAfterReady(Analysis.beforeAfter(d, request: request, services: services)))
        case .computeReferenceCalibration:
            guard let f = services.standardCalibration else {
                mailbox.post(.referenceCalibrationReady(nil, error: "no standard calibration in this build")); return
            }
            var long = d
            long.batchSpec = d.referenceBatch
            let obs = ProgressRelay(mailbox, label: "\(d.referenceBatch) reference calibration")
            do { mailbox.post(.referenceCalibrationReady(try f(long, obs), error: nil)) }
            catch { mailbox.post(.referenceCalibrationReady(nil, error: "\(error)")) }
        case .saveCalibration:
            // The calibration in use: the accepted optimization, else the standard one (with any
            // seeds refits written into it).
            guard let save = services.saveCalibration, let set = accepted ? d.optimized : d.calibration else { return }
            do { mailbox.post(.notice("\(accepted ? "accepted " : "")calibration written to \(try save(set))")) }
            catch { mailbox.post(.notice("could not write the calibration: \(error)")) }
        case .saveSeeds(let f):
            guard let save = services.saveSeeds else { return }
            do { mailbox.post(.seedsSaved(try save(f))) }
            catch { mailbox.post(.notice("could not write the seeds: \(error)")) }
        case .startOptimization, .cancelOptimization, .startHeldOut, .cancelHeldOut:
            break
        }
    }

    private func startOptimization(_ d: Dataset) {
        guard let f = services.optimize, let cal = d.calibration else { return }
        let l = Listener(mailbox, clock: clock)
        lock.lock(); listener = l; lock.unlock()
        let work: @Sendable () -> Void = { [mailbox] in
            do {
                let out = try f(d, cal, l)
                mailbox.post(.optimizerFinished(out, error: nil, cancelled: l.isCancelled))
            } catch {
                mailbox.post(.optimizerFinished(nil, error: "\(error)", cancelled: l.isCancelled))
            }
            l.running = false
        }
        detach("sddcal.optimizer", work)
    }

    /// Runs the held-out evaluation on its own thread (minutes on a month of data): analysis and the
    /// optimizer stay responsive; progress and the result come back through the mailbox.
    private func startHeldOut(_ d: Dataset, _ request: HeldOutRequest) {
        guard let f = services.heldOut else { return }
        let l = HeldOutRelay(mailbox)
        lock.lock(); heldOutListener?.cancel(); heldOutListener = l; lock.unlock()
        let work: @Sendable () -> Void = { [mailbox] in
            do {
                let figures = try f(d, request, l)
                mailbox.post(.heldOutFinished(l.isCancelled ? nil : figures, error: nil, cancelled: l.isCancelled))
            } catch is HeldOutCancelled {
                mailbox.post(.heldOutFinished(nil, error: nil, cancelled: true))
            } catch {
                mailbox.post(.heldOutFinished(nil, error: "\(error)", cancelled: l.isCancelled))
            }
            l.running = false
        }
        detach("sddcal.held-out", work)
    }

    /// Runs a long background job on a thread of its own (synchronous engines: on the calling thread).
    private func detach(_ name: String, _ work: @escaping @Sendable () -> Void) {
        if queue == nil { work(); return }
        let t = Thread { work() }
        t.name = name
        t.start()
    }

    /// Forwards the held-out run's progress (at most ~10 reports a second) and its cancel flag.
    final class HeldOutRelay: HeldOutListener, @unchecked Sendable {
        let mailbox: Mailbox
        private let lock = NSLock()
        private var cancelled = false
        private var last = -1.0
        var running = true
        init(_ m: Mailbox) { mailbox = m }
        func progress(_ text: String, fraction: Double?) {
            let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
            lock.lock()
            let due = now - last > 0.1 || fraction == 1
            if due { last = now }
            lock.unlock()
            if due { mailbox.post(.heldOutProgress(text, fraction)) }
        }
        var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
        func cancel() { lock.lock(); cancelled = true; lock.unlock() }
    }

    /// Forwards optimizer iterations to the mailbox with wall-clock time since the start.
    final class Listener: OptimizationListener, @unchecked Sendable {
        let mailbox: Mailbox
        let clock: @Sendable () -> Double
        let start: Double
        private let lock = NSLock()
        private var cancelled = false
        var running = true
        init(_ m: Mailbox, clock: @escaping @Sendable () -> Double) { mailbox = m; self.clock = clock; start = clock() }
        func iteration(_ i: Int, logLikelihood: Double) {
            mailbox.post(OptimizerSnapshot(iteration: i, logLikelihood: logLikelihood, elapsed: clock() - start))
        }
        var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
        func cancel() { lock.lock(); cancelled = true; lock.unlock() }
    }
}

/// Turns library progress reports into status-bar actions (at most ~10 a second).
final class ProgressRelay: ProgressObserver, @unchecked Sendable {
    let mailbox: Mailbox, label: String
    private var last = 0.0
    private let lock = NSLock()
    init(_ m: Mailbox, label: String) { mailbox = m; self.label = label }
    func progress(done: Int, total: Int, unit: String) {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        lock.lock(); defer { lock.unlock() }
        guard now - last > 0.1 || done >= total else { return }
        last = now
        mailbox.post(.progress("\(label): \(done)/\(total) \(unit)", total > 0 ? Double(done) / Double(total) : nil))
    }
}
