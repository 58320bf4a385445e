import Foundation
import LineFitting
import SDDCore

/// A line centroid found in a spectrum (by the CNN or the SciPy-style finder), in ADC units.
public struct CentroidMark: Equatable, Sendable {
    /// The identified line (e.g. "MnKa"), or nil when the peak is unidentified.
    public var lineID: String?
    public var adc: Double
    public var error: Double?
    public init(lineID: String?, adc: Double, error: Double? = nil) {
        self.lineID = lineID; self.adc = adc; self.error = error
    }
}

/// How well a cell looks calibrated, from line residuals, pulls and failed fits.
public enum CellFlag: Int, Comparable, Sendable {
    case unknown, ok, warn, bad
    public static func < (a: CellFlag, b: CellFlag) -> Bool { a.rawValue < b.rawValue }
    /// The flag of a calibration-quality level (check shows as warn).
    public init(_ level: CalibrationQuality.Level) {
        switch level { case .ok: self = .ok; case .check: self = .warn; case .bad: self = .bad }
    }
    public var role: ColorRole {
        switch self { case .unknown: return .dim; case .ok: return .good; case .warn: return .warn; case .bad: return .bad }
    }
}

/// Per-cell figures for the overview grid.
public struct CellSummary: Equatable, Sendable {
    /// Cu Kα FWHM (eV) of the cell's events under its calibration, if measured.
    public var cuKaFWHM: Double?
    /// The FWHM at Cu Kα the detector's noise allows (from the Mn Kα width via the Fano/ENC model).
    public var hardwareFWHM: Double?
    /// The fit error of `cuKaFWHM` (eV), when the fit gives one.
    public var cuKaFWHMError: Double?
    /// The cell's hardware limit at Cu Kα with its error (``HardwareLimit``: ENC and Fano fitted to the
    /// strong lines' widths in the standard calibration), the figure `fit` and `report` check against.
    public var hardwareLimit: HardwareLimit?
    public var flag: CellFlag
    /// The quality rules that fired, with what they measured.
    public var findings: [CalibrationQuality.Finding] = []
    /// Why the flag is set, in words ("Cu Kα fit failed; residual 31 eV").
    public var note: String
    public init(cuKaFWHM: Double? = nil, hardwareFWHM: Double? = nil, flag: CellFlag = .unknown, note: String = "") {
        self.cuKaFWHM = cuKaFWHM; self.hardwareFWHM = hardwareFWHM; self.flag = flag; self.note = note
    }
}

extension CellSummary {
    /// How many standard errors the Cu Kα FWHM lies below the hardware limit when more than 2 (issue
    /// 11: narrower than the detector allows, so the calibration fitted the noise of these events); else nil.
    public var sigmasBelowHardwareLimit: Double? {
        HardwareLimitCheck.sigmasBelow(hardwareLimit, fwhm: cuKaFWHM, error: cuKaFWHMError)
    }
}

/// One time batch of a cell.
public struct BatchInfo: Equatable, Sendable {
    public var index: Int
    public var start: Double
    public var end: Double
    public var events: Int
    /// Positions of the batch's events in the dataset's sorted event table (nil for histogram input).
    public var range: Range<Int>?
    /// Histogram of the batch when the input was histograms (nil for events: built on demand).
    public var histogram: Histogram?
    public init(index: Int, start: Double, end: Double, events: Int, range: Range<Int>? = nil, histogram: Histogram? = nil) {
        self.index = index; self.start = start; self.end = end; self.events = events; self.range = range; self.histogram = histogram
    }
}

/// One cell (SDD) of the dataset.
public struct CellInfo: Equatable, Sendable {
    public var cell: Int
    public var events: Int
    public var batches: [BatchInfo]
    /// The cell's whole ADC spectrum (one channel per bin).
    public var spectrum: Histogram
    public var summary: CellSummary
    /// The cell's name in a histogram file (`CellLabel`: ROOT key, CSV column, file name), if any.
    public var label: String?
    public init(cell: Int, events: Int, batches: [BatchInfo], spectrum: Histogram, summary: CellSummary = CellSummary(),
                label: String? = nil) {
        self.cell = cell; self.events = events; self.batches = batches; self.spectrum = spectrum; self.summary = summary
        self.label = label
    }
}

/// What the inspector has open: cells with their spectra and batches, the events behind them (when
/// the input was an event file) and the calibrations known so far.
public struct Dataset: Sendable {
    public var name: String
    public var profile: LineProfile
    public var cells: [CellInfo]
    /// Events sorted by (cell, time), when the input was an event file.
    public var events: EventTable?
    public var batchSpec: String
    /// The standard (or loaded) calibration.
    public var calibration: CalibrationSet?
    /// An optimized calibration waiting to be accepted or discarded, or accepted.
    public var optimized: CalibrationSet?
    /// Batch length of the before/after view's reference: the standard calibration in long batches
    /// (the paper's 30 d), computed when the view first asks for it.
    public var referenceBatch = "30d"
    public var referenceCalibration: CalibrationSet?
    /// The simulator's true calibration (`inspect --truth`), a before/after reference.
    public var truth: SimulationTruth?

    public init(name: String, profile: LineProfile, cells: [CellInfo], events: EventTable? = nil,
                batchSpec: String = "all", calibration: CalibrationSet? = nil, optimized: CalibrationSet? = nil) {
        self.name = name; self.profile = profile; self.cells = cells; self.events = events
        self.batchSpec = batchSpec; self.calibration = calibration; self.optimized = optimized
    }

    /// Number of ADC channels histogrammed per cell (covers the 13-bit ADC range of the SDD readout).
    public static let adcChannels = 8192

    /// A dataset from events: cells, batches and ADC spectra.
    public init(name: String, events table: EventTable, profile: LineProfile, batch: BatchSpec) {
        let batched = BatchedEvents(table, spec: batch)
        var cells: [CellInfo] = []
        var byCell: [Int: [BatchInfo]] = [:]
        var order: [Int] = []
        for b in batched.batches {
            if byCell[b.cell] == nil { order.append(b.cell) }
            byCell[b.cell, default: []].append(BatchInfo(index: b.index, start: b.start, end: b.end, events: b.count, range: b.range))
        }
        for c in order {
            let bs = byCell[c]!
            let lo = bs.first!.range!.lowerBound, hi = bs.last!.range!.upperBound
            let h = Histogram.adc(batched.events.adc[lo..<hi], firstChannel: 0, channelsPerBin: 1, bins: Dataset.adcChannels)
            cells.append(CellInfo(cell: c, events: hi - lo, batches: bs, spectrum: h))
        }
        self.init(name: name, profile: profile, cells: cells, events: batched.events, batchSpec: batch.description)
    }

    /// Whether the long-batch reference differs from the calibration in the inspector's batches:
    /// events (histograms are one batch each) in batches shorter than the reference's.
    public var offersLongBatchReference: Bool {
        guard events != nil, let ref = try? BatchSpec(parsing: referenceBatch), case .duration(let r) = ref else { return false }
        guard let own = try? BatchSpec(parsing: batchSpec) else { return true }
        switch own {
        case .duration(let b): return b < r
        case .count: return true
        case .all: return false
        }
    }

    /// Index of a cell number in `cells`.
    public func index(ofCell c: Int) -> Int? { cells.firstIndex { $0.cell == c } }

    /// Index of the cell a typed name stands for: a cell number, else a label equal to it (case
    /// ignored), else the first label that starts with it, else the first that contains it.
    public func index(ofCellNamed text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        if let n = Int(t), let i = index(ofCell: n) { return i }
        let lower = t.lowercased()
        let labels = cells.map { $0.label?.lowercased() }
        return labels.firstIndex { $0 == lower } ?? labels.firstIndex { $0?.hasPrefix(lower) == true }
            ?? labels.firstIndex { $0?.contains(lower) == true }
    }

    /// The ADC histogram of one batch of a cell (nil batch: the whole cell).
    public func histogram(cell i: Int, batch: Int?) -> Histogram {
        let c = cells[i]
        guard let b = batch, b >= 0, b < c.batches.count else { return c.spectrum }
        let info = c.batches[b]
        if let h = info.histogram { return h }
        if let ev = events, let r = info.range {
            return Histogram.adc(ev.adc[r], firstChannel: 0, channelsPerBin: 1, bins: Dataset.adcChannels)
        }
        return c.spectrum
    }

    /// The calibration of a cell's batch from a calibration set (by batch index, else by time). A cell
    /// with a timeline (version 2) gives the timeline at the batch's mid-time, or at the middle of its
    /// batches for the whole cell; energy spectra use each event's own time (`Analysis.energyHistogram`).
    public static func calibration(_ set: CalibrationSet?, cell: CellInfo, batch: Int?) -> EnergyCalibration? {
        if let set, let tl = set.cell(cell.cell)?.timeline {
            if let b = batch, b >= 0, b < cell.batches.count { return tl.calibration(at: (cell.batches[b].start + cell.batches[b].end) / 2) }
            let span = cell.batches.isEmpty ? tl.knots[0]...tl.knots[tl.knotCount - 1]
                : cell.batches.map(\.start).min()!...cell.batches.map(\.end).max()!
            return tl.calibration(at: (span.lowerBound + span.upperBound) / 2)
        }
        guard let set, let bs = set.batches(ofCell: cell.cell), !bs.isEmpty else { return nil }
        if let b = batch, b < cell.batches.count {
            if let m = bs.first(where: { $0.index == cell.batches[b].index }) { return m.calibration }
            return set.calibration(cell: cell.cell, time: (cell.batches[b].start + cell.batches[b].end) / 2)
        }
        // Whole cell: the batch with most events stands for it.
        return bs.max { $0.events < $1.events }?.calibration
    }

    /// Calibration line results of a cell's batch in a calibration set.
    public static func lineResults(_ set: CalibrationSet?, cell: CellInfo, batch: Int?) -> [CalibrationSet.LineResult] {
        guard let set, let bs = set.batches(ofCell: cell.cell), !bs.isEmpty else { return [] }
        let idx = batch.flatMap { $0 < cell.batches.count ? cell.batches[$0].index : nil }
        let b = idx.flatMap { i in bs.first { $0.index == i } } ?? bs.max { $0.events < $1.events }
        return b?.lines ?? []
    }
}
