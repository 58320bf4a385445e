import Foundation

/// The true parameters behind a simulated data set: for each cell, the calibration as a function of
/// time, the resolution and tail, the line yields and the planted gain steps.
///
/// The calibration of cell c at time t is E(ADC, t) = r(t) · E₀(ADC − δ(t)) with the cell's base
/// quadratic E₀(a) = p0 + p1·a + p2·a², the relative gain r(t) = exp(w(t)) · Π(steps before t) and the
/// ADC offset δ(t); w and δ are linear between knots (daily, or every `config.walkInterval`). This stays an exact quadratic in ADC.
/// Schema `sddcal.truth`, version 1.
public struct SimulationTruth: Sendable, Equatable, Codable, PrettyJSONFile {
    public static let schemaName = "sddcal.truth"

    public struct Step: Sendable, Equatable, Codable {
        /// Time (s) of the step.
        public var time: Double
        /// Factor applied to the gain from that time on.
        public var gainFactor: Double
    }

    public struct Cell: Sendable, Equatable, Codable {
        public var cell: Int
        /// Base calibration E₀ (eV as a function of ADC).
        public var base: EnergyCalibration
        /// Knot times (s) and the log-gain walk w and ADC offset δ at each knot.
        public var knotTimes: [Double]
        public var logGain: [Double]
        public var offset: [Double]
        public var steps: [Step]
        /// Detector response of this cell (ENC, Fano, w, tail).
        public var response: DetectorResponse
        /// Expected events per day by line id, and of the continuum ("continuum") and escape peaks ("escape").
        public var ratePerDay: [String: Double]
        /// Intrinsic Gaussian FWHM (eV) of every line of the profile (single component).
        public var lineFWHM: [String: Double]
        /// Number of events generated (before saturation cut).
        public var events: Int

        /// The exact calibration at time t.
        public func calibration(at t: Double) -> EnergyCalibration {
            let (w, d) = walk(at: t)
            var r = exp(w)
            for s in steps where s.time <= t { r *= s.gainFactor }
            let b = base
            // r·E₀(a − δ) expanded in powers of a.
            return EnergyCalibration(p0: r * (b.p0 - b.p1 * d + b.p2 * d * d),
                                     p1: r * (b.p1 - 2 * b.p2 * d),
                                     p2: r * b.p2)
        }

        func walk(at t: Double) -> (Double, Double) {
            guard let first = knotTimes.first else { return (0, 0) }
            if t <= first { return (logGain[0], offset[0]) }
            if t >= knotTimes[knotTimes.count - 1] { return (logGain[knotTimes.count - 1], offset[knotTimes.count - 1]) }
            let step = knotTimes.count > 1 ? knotTimes[1] - knotTimes[0] : 1
            let i = min(knotTimes.count - 2, Int((t - first) / step))
            let f = (t - knotTimes[i]) / (knotTimes[i + 1] - knotTimes[i])
            return (logGain[i] + f * (logGain[i + 1] - logGain[i]), offset[i] + f * (offset[i + 1] - offset[i]))
        }
    }

    public var schema: String = SimulationTruth.schemaName
    public var version: Int = 1
    public var config: SimulationConfig
    /// Tabulated line energies used (eV), by line id (intensity-weighted Kα mean).
    public var lineEnergies: [String: Double]
    public var cells: [Cell]
    /// The generation id shared with the events file written together with this truth (`SimulationPair`).
    public var eventsGeneration: String?
    /// The faults planted by `config.faults` (nil when none were asked for), so a fault finder can be scored.
    public var faults: [PlantedFault]?

    /// The truth of one cell.
    public func cell(_ c: Int) -> Cell? { cells.first { $0.cell == c } }

    /// The exact calibration of a cell at a time.
    public func calibration(cell c: Int, time t: Double) -> EnergyCalibration? { cell(c)?.calibration(at: t) }

    /// The best constant calibration of each batch: the coefficients averaged over the batch window
    /// (exact for the mean event, which arrives uniformly in time). Method "truth".
    public func calibrationSet(for batched: BatchedEvents, source: String) -> CalibrationSet {
        var cellsOut: [CalibrationSet.Cell] = []
        var byCell: [Int: [CalibrationSet.Batch]] = [:]
        for b in batched.batches {
            guard let ct = cell(b.cell) else { continue }
            let n = 48
            var s0 = 0.0, s1 = 0.0, s2 = 0.0
            let lo = b.start, hi = b.end
            for k in 0..<n {
                let t = lo + (Double(k) + 0.5) / Double(n) * (hi - lo)
                let c = ct.calibration(at: t)
                s0 += c.p0; s1 += c.p1; s2 += c.p2
            }
            let cal = EnergyCalibration(p0: s0 / Double(n), p1: s1 / Double(n), p2: s2 / Double(n))
            byCell[b.cell, default: []].append(CalibrationSet.Batch(index: b.index, start: b.start, end: b.end,
                                                                    events: b.count, calibration: cal, status: .truth))
        }
        for (c, bs) in byCell { cellsOut.append(CalibrationSet.Cell(cell: c, batches: bs)) }
        return CalibrationSet(profile: config.profileName, batch: batched.spec.description, method: "truth",
                              source: source, cells: cellsOut)
    }

    /// Loads a truth file, naming the file and field on error.
    public static func load(_ path: String) throws -> SimulationTruth {
        let t = try JSONFileDecoding.decode(SimulationTruth.self, from: JSONFileDecoding.bytes(path), file: path, what: "a truth file")
        guard t.schema == schemaName else { throw SDDError.badField(file: path, field: "schema", message: "\(InputQuote.quoted(Array(t.schema.utf8))) is not \(schemaName)") }
        guard t.version == 1 else { throw SDDError.badField(file: path, field: "version", message: "unsupported version \(t.version)") }
        if let e = t.validationError(file: path) { throw e }
        return t
    }
}
