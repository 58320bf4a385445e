import Foundation

/// Miscalibrations to plant in a simulated run, so that a fault finder can be scored against known
/// plants (`sddcal faults`). Each fault goes to its own randomly drawn cell (and, for batch faults, a
/// random batch of `batchSeconds` that is neither the first nor the last), drawn from a stream of the
/// seed that the rest of the simulation never uses: a run without a plan is unchanged.
///
/// Faults of the data (the simulator plants them in the events): a gain step inside a batch, a dead
/// cell, a noisy cell, a rate dropout that leaves a batch with too few counts. Faults of the
/// calibration (recorded by the simulator, applied to a calibration by ``FaultPlanting``): a batch
/// calibrated on wrongly identified peaks, and a batch whose offset is shifted.
public struct FaultPlan: Sendable, Hashable, Codable {
    /// Number of cells with a gain step inside one batch.
    public var gainSteps = 0
    /// Number of batches calibrated on wrongly identified peaks.
    public var wrongIdentifications = 0
    /// Number of dead cells (no X-rays, only rare noise triggers near the pedestal).
    public var deadCells = 0
    /// Number of noisy cells (`noiseFactor` times their ENC).
    public var noisyCells = 0
    /// Number of batches whose rate drops to `dropoutFraction` (a batch calibrated from too few counts).
    public var dropouts = 0
    /// Number of batches whose calibration offset is shifted by `offsetShift` eV (sign random).
    public var offsetShifts = 0
    /// Batch length (s) the batch faults are placed in: the batching the chain uses.
    public var batchSeconds = 172_800.0
    /// Relative size of a planted gain step (sign random): 1.5–3 % moves Mn Kα by 90–180 eV, a doubled line.
    public var gainStepSize: ClosedRange<Double> = 0.015...0.03
    /// Where in its batch the step falls (fraction of the batch).
    public var gainStepPosition: ClosedRange<Double> = 0.2...0.8
    /// ENC factor of a noisy cell.
    public var noiseFactor = 2.0
    /// Rate during a dropout, relative to the cell's normal rate.
    public var dropoutFraction: ClosedRange<Double> = 0.01...0.03
    /// Size (eV) of a shifted offset (sign random).
    public var offsetShift: ClosedRange<Double> = 40...100
    /// Rate of a dead cell's noise triggers, relative to a live cell's event rate.
    public var deadNoiseFraction = 0.002

    public init() {}

    /// One of each fault kind.
    public static let oneOfEach: FaultPlan = {
        var p = FaultPlan()
        p.gainSteps = 1; p.wrongIdentifications = 1; p.deadCells = 1; p.noisyCells = 1; p.dropouts = 1; p.offsetShifts = 1
        return p
    }()

    /// Total number of faults.
    public var count: Int { gainSteps + wrongIdentifications + deadCells + noisyCells + dropouts + offsetShifts }

    /// The kinds in planting order, each with its count.
    var counts: [(PlantedFault.Kind, Int)] {
        [(.gainStep, gainSteps), (.wrongIdentification, wrongIdentifications), (.deadCell, deadCells),
         (.noisyCell, noisyCells), (.fewCounts, dropouts), (.offsetShift, offsetShifts)]
    }

    /// Checks that the plan fits the run: one cell per fault, batch faults away from the first and last batch.
    public func check(cells: Int, days: Double) throws {
        let all = counts.map(\.1)
        guard all.allSatisfy({ $0 >= 0 }) else { throw SDDError.invalidArgument("--faults", "fault counts must be ≥ 0") }
        guard count <= cells else {
            throw SDDError.invalidArgument("--faults", "\(count) faults need \(count) cells (one each), the run has \(cells)")
        }
        guard batchSeconds.isFinite, batchSeconds >= 3600 else { throw SDDError.invalidArgument("--batch", "fault batches must be at least 1 h") }
        if count > deadCells + noisyCells, Int(days * 86400 / batchSeconds) < 3 {
            throw SDDError.invalidArgument("--days", "batch faults need at least 3 whole batches of \(batchSeconds / 3600) h")
        }
        for (name, r) in [("gain step size", gainStepSize), ("gain step position", gainStepPosition),
                          ("dropout fraction", dropoutFraction), ("offset shift", offsetShift)] {
            guard r.lowerBound.isFinite, r.upperBound.isFinite, r.lowerBound >= 0 else {
                throw SDDError.invalidArgument("--faults", "\(name) must be finite and ≥ 0")
            }
        }
        guard gainStepPosition.upperBound < 1, dropoutFraction.upperBound <= 1 else {
            throw SDDError.invalidArgument("--faults", "gain step position and dropout fraction must be below 1")
        }
        guard noiseFactor.isFinite, noiseFactor > 0, deadNoiseFraction.isFinite, deadNoiseFraction >= 0 else {
            throw SDDError.invalidArgument("--faults", "noise factor must be > 0 and dead-cell noise ≥ 0")
        }
    }

    /// Draws the faults: distinct cells, batches 1…n−2 of `batchSeconds`, sizes and signs.
    public func plant(cells: Int, days: Double, seed: UInt64) -> [PlantedFault] {
        var rng = SeededGenerator(seed: seed, stream: 0xFA_0175)
        var order = Array(0..<cells)
        for k in order.indices.dropLast() {
            let j = k + Int(rng.uniform() * Double(cells - k))
            order.swapAt(k, j)
        }
        let batches = Int(days * 86400 / batchSeconds)
        func draw(_ r: ClosedRange<Double>) -> Double { rng.uniform(r.lowerBound, r.upperBound) }
        func sign() -> Double { rng.uniform() < 0.5 ? -1 : 1 }
        var out: [PlantedFault] = []
        var next = 0
        for (kind, n) in counts {
            for _ in 0..<n {
                let cell = order[next]; next += 1
                var f = PlantedFault(kind: kind, cell: cell)
                if kind.isBatchFault {
                    let b = 1 + Int(rng.uniform() * Double(max(1, batches - 2)))
                    f.batch = b
                    f.start = Double(b) * batchSeconds
                    f.end = Double(b + 1) * batchSeconds
                }
                switch kind {
                case .gainStep:
                    f.time = f.start! + draw(gainStepPosition) * batchSeconds
                    f.size = 1 + sign() * draw(gainStepSize)
                case .wrongIdentification:
                    f.identification = PlantedFault.Identification.allCases[Int(rng.uniform() * 3) % 3]
                case .deadCell: f.size = deadNoiseFraction
                case .noisyCell: f.size = noiseFactor
                case .fewCounts: f.size = draw(dropoutFraction)
                case .offsetShift: f.size = sign() * draw(offsetShift)
                }
                out.append(f)
            }
        }
        return out.sorted { ($0.cell, $0.kind.rawValue) < ($1.cell, $1.kind.rawValue) }
    }
}

/// One fault planted in a simulated run, as recorded in the truth file (`faults`).
public struct PlantedFault: Sendable, Hashable, Codable {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        /// The gain jumps by `size` (a factor) at `time`, inside batch `batch`.
        case gainStep = "gain-step"
        /// Batch `batch` is calibrated on wrongly identified peaks (`identification`).
        case wrongIdentification = "wrong-identification"
        /// The cell records no X-rays, only noise triggers at `size` of a live cell's rate.
        case deadCell = "dead-cell"
        /// The cell's ENC is `size` times what it would be.
        case noisyCell = "noisy-cell"
        /// The rate drops to `size` of normal during batch `batch`: its calibration has too few counts.
        case fewCounts = "few-counts"
        /// Batch `batch`'s calibration offset is shifted by `size` eV.
        case offsetShift = "offset-shift"

        /// Whether the fault sits in one batch (else it concerns the whole cell).
        public var isBatchFault: Bool { self != .deadCell && self != .noisyCell }
        /// Whether the simulator plants it in the events (else it is applied to a calibration).
        public var isInData: Bool { self != .wrongIdentification && self != .offsetShift }
        public var description: String { rawValue }
    }

    /// How the peaks of a wrongly calibrated batch were misidentified.
    public enum Identification: String, Sendable, Hashable, Codable, CaseIterable {
        /// Each element's Kβ taken for its Kα (the Kβ peaks alone fit a plausible linear gain).
        case kBetaForKAlpha = "kb-for-ka"
        /// Each Kα taken for the next heavier element's Kα (Ti Kα taken for Mn Kα, Mn Kα for Cu Kα).
        case lighterForHeavier = "ti-for-mn"
        /// Each Kα taken for the next lighter element's Kα (Mn Kα taken for Ti Kα, Cu Kα for Mn Kα).
        case heavierForLighter = "mn-for-ti"
    }

    public var kind: Kind
    public var cell: Int
    /// Index of the batch (of the plan's `batchSeconds`) the fault sits in, and its window (s).
    public var batch: Int?
    public var start: Double?
    public var end: Double?
    /// Time of a gain step (s).
    public var time: Double?
    /// The fault's size: gain factor (step), ENC factor (noisy), rate fraction (dropout, dead), eV (offset).
    public var size: Double?
    /// The misidentification of a wrongly calibrated batch.
    public var identification: Identification?

    public init(kind: Kind, cell: Int, batch: Int? = nil, start: Double? = nil, end: Double? = nil, time: Double? = nil,
                size: Double? = nil, identification: Identification? = nil) {
        self.kind = kind; self.cell = cell; self.batch = batch; self.start = start; self.end = end
        self.time = time; self.size = size; self.identification = identification
    }
}
