import LineFitting
import SDDCore

/// One named result of a calibration procedure, e.g. "standard" and "refined": every stage of a chain
/// is evaluated, so the held-out figure of the reference comes out of the same run as the refinement's.
public struct CalibrationStage: Sendable {
    public var name: String
    public var calibration: any TimedCalibration
    public init(name: String, calibration: any TimedCalibration) { self.name = name; self.calibration = calibration }
}

/// A whole calibration chain as a function of the events it may use: seeds → standard calibration →
/// refinement, or any other method. It must look at nothing but the events it is given.
public typealias CalibrationProcedure = @Sendable (EventTable) throws -> [CalibrationStage]

/// Held-out (cross-fitted) evaluation of a calibration procedure on the Cu Kα line.
///
/// The events are split into k folds (``FoldAssignment``). For each fold the WHOLE chain is run on the
/// other folds' events (the standard calibration uses Cu Kα as one of its lines, so holding events out
/// of the refinement alone would not be enough), and the fold's events are calibrated with the result,
/// each at its own time. The held-out Cu Kα spectrum sums every fold so calibrated; each event appears
/// in it exactly once and never helped to determine the calibration it is evaluated with. Its fitted
/// FWHM and position are the honest figures: a method that fits the noise of its own Cu events looks
/// narrower in-sample (calibration from all events, evaluated on the same events) than it is.
///
/// With k folds each calibration sees (k − 1)/k of the statistics, so held-out figures are slightly
/// pessimistic for the calibration made from all events (by a part in 2(k − 1) of its statistical
/// broadening).
public struct CrossFitting: Sendable {
    public var assignment: FoldAssignment
    /// Fit window and bin width of the Cu Kα measurement (table 1's).
    public var roi: ClosedRange<Double> = CuKalphaLineFit.roi
    public var binWidth: Double = 5
    public var options = LineFitOptions()
    /// Seed of the within-channel dither (the same for every calibration, see ``EventEnergySpectrum``).
    public var ditherSeed: UInt64 = 0

    public init(folds: Int = 5, seed: UInt64 = 1) {
        assignment = FoldAssignment(folds: folds, seed: seed)
    }

    /// Held-out and in-sample Cu Kα measurement of one stage of the chain.
    public struct StageResult: Sendable {
        public var name: String
        public var heldOut: LineFitResult
        public var inSample: LineFitResult
        public var heldOutSpectrum: Histogram
        public var inSampleSpectrum: Histogram
    }

    public struct Result: Sendable {
        public var stages: [StageResult]
        /// The chain run on all events (what the user gets; the in-sample figures are measured with it).
        public var fullCalibration: [CalibrationStage]
        /// Events in each fold.
        public var foldSizes: [Int]
        public func stage(_ name: String) -> StageResult? { stages.first { $0.name == name } }
    }

    /// The events not in fold `k`, in their original order.
    public func trainingEvents(_ events: EventTable, excludingFold k: Int) -> EventTable {
        var out = EventTable()
        out.reserveCapacity(events.count - events.count / assignment.folds + 16)
        for i in 0..<events.count where assignment.fold(ofEvent: i) != k {
            out.append(cell: events.cell[i], adc: events.adc[i], time: events.time[i])
        }
        return out
    }

    /// The calibrated spectrum over the fit range of the events `include` selects (all when nil).
    public func spectrum(events: EventTable, calibration: any TimedCalibration,
                         include: (@Sendable (Int) -> Bool)? = nil) -> Histogram {
        let bins = Int(((roi.upperBound - roi.lowerBound) / binWidth).rounded())
        let range = roi.lowerBound...(roi.lowerBound + Double(bins) * binWidth)
        return EventEnergySpectrum.histogram(events: events, calibration: calibration, range: range, binWidth: binWidth,
                                             ditherSeed: ditherSeed, include: include)
    }

    /// The Cu Kα fit (table 1's) of a calibrated spectrum.
    public func measure(_ spectrum: Histogram) -> LineFitResult {
        CuKalphaLineFit.fit(histogram: spectrum, roi: spectrum.lowerEdge...spectrum.upperEdge, options: options)
    }

    /// Runs the procedure on all events (in-sample) and once per fold without it (held-out), and
    /// measures Cu Kα under every stage. `progress` hears "all events" and "fold i of k" as each run starts.
    public func evaluate(events: EventTable, procedure: CalibrationProcedure,
                         progress: ((String) -> Void)? = nil) throws -> Result {
        progress?("all events")
        let full = try procedure(events)
        var inSample = full.map { spectrum(events: events, calibration: $0.calibration) }
        var heldOut: [Histogram?] = Array(repeating: nil, count: full.count)
        let a = assignment
        var sizes: [Int] = []
        for k in 0..<a.folds {
            progress?("fold \(k + 1) of \(a.folds)")
            let training = trainingEvents(events, excludingFold: k)
            sizes.append(events.count - training.count)
            let stages = try procedure(training)
            guard stages.map(\.name) == full.map(\.name) else {
                throw SDDError.invalidArgument("procedure", "its stages differ between runs (\(stages.map(\.name)) vs \(full.map(\.name)))")
            }
            for (s, stage) in stages.enumerated() {
                let h = spectrum(events: events, calibration: stage.calibration) { a.fold(ofEvent: $0) == k }
                heldOut[s] = heldOut[s].map { $0 + h } ?? h
            }
        }
        var results: [StageResult] = []
        for s in full.indices {
            let ho = heldOut[s]!
            results.append(StageResult(name: full[s].name, heldOut: measure(ho), inSample: measure(inSample[s]),
                                       heldOutSpectrum: ho, inSampleSpectrum: inSample[s]))
        }
        inSample.removeAll()
        return Result(stages: results, fullCalibration: full, foldSizes: sizes)
    }
}
