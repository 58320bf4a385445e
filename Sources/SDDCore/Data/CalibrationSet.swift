import Foundation

/// The calibration file: E = p0 + p1·ADC + p2·ADC² per cell and time batch, with covariance,
/// per-line centroids and residuals and a fit status, and optionally per cell a calibration continuous
/// in time (`Cell.timeline`). Every step after `calibrate` reads and writes it.
///
/// Schema `sddcal.calibration` (documented in README.md, "Calibration file"). Version 1: batches only,
/// the calibration piecewise constant in time. Version 2: cells may carry a `timeline`, which then
/// defines the calibration at every time; the batches stay for per-batch provenance and status.
/// A set is written as version 2 exactly when some cell has a timeline, so files without one stay
/// readable by older sddcal.
public struct CalibrationSet: Sendable, Equatable, Codable, PrettyJSONFile {
    public static let schemaName = "sddcal.calibration"
    /// The newest version this code reads and writes.
    public static let currentVersion = 2
    /// Versions `load` accepts.
    public static let supportedVersions = 1...2

    /// A fitted line of one batch.
    public struct LineResult: Sendable, Equatable, Codable {
        /// Line identifier, e.g. "CuKa".
        public var line: String
        /// Fitted centroid in ADC and its standard error.
        public var centroidADC: Double
        public var centroidError: Double
        /// Tabulated energy the centroid is calibrated to (eV).
        public var energy: Double
        /// Calibrated centroid minus tabulated energy (eV), after the polynomial fit.
        public var residual: Double?
        /// Fitted Gaussian width in ADC, if measured.
        public var sigmaADC: Double?
        /// Net counts in the line, if measured.
        public var counts: Double?

        public init(line: String, centroidADC: Double, centroidError: Double, energy: Double,
                    residual: Double? = nil, sigmaADC: Double? = nil, counts: Double? = nil) {
            self.line = line; self.centroidADC = centroidADC; self.centroidError = centroidError
            self.energy = energy; self.residual = residual; self.sigmaADC = sigmaADC; self.counts = counts
        }

        enum CodingKeys: String, CodingKey {
            case line, energy, residual, counts
            case centroidADC = "centroid_adc", centroidError = "centroid_err", sigmaADC = "sigma_adc"
        }
    }

    /// The calibration of one batch of one cell.
    public struct Batch: Sendable, Equatable, Codable {
        public var index: Int
        /// Time window (s) the calibration applies to: [start, end).
        public var start: Double
        public var end: Double
        /// Number of events the calibration was derived from.
        public var events: Int
        public var calibration: EnergyCalibration
        /// How the calibration was made and whether it is usable (stored as "ok", "partial: …", …).
        public var status: BatchStatus
        /// The lines used (those that failed are named in `missingLines` and the status).
        public var lines: [LineResult]
        /// Lines that could not be fitted, left out of the polynomial fit.
        public var missingLines: [String]

        public init(index: Int, start: Double, end: Double, events: Int, calibration: EnergyCalibration,
                    status: BatchStatus = .ok, lines: [LineResult] = [], missingLines: [String] = []) {
            self.index = index; self.start = start; self.end = end; self.events = events
            self.calibration = calibration; self.status = status; self.lines = lines; self.missingLines = missingLines
        }

        enum CodingKeys: String, CodingKey {
            case index, start, end, events, calibration, status, lines
            case missingLines = "missing_lines"
        }
    }

    /// All batches of one cell, time-ordered, and (version 2) its calibration as a function of time.
    public struct Cell: Sendable, Equatable, Codable {
        public var cell: Int
        public var batches: [Batch]
        /// When present, the calibration at any time (it takes precedence over the batches' constants).
        public var timeline: CalibrationTimeline?
        /// The cell's name in the input (`CellLabel`: a ROOT key, a CSV column, a file name), if it
        /// had one. Optional in the file (either version), so files without labels load unchanged.
        public var label: String?
        public init(cell: Int, batches: [Batch], timeline: CalibrationTimeline? = nil, label: String? = nil) {
            self.cell = cell; self.batches = batches; self.timeline = timeline; self.label = label
        }
    }

    public var schema: String = CalibrationSet.schemaName
    /// The file version this set is written as: 2 when some cell has a timeline, else 1.
    public var version: Int { cells.contains { $0.timeline != nil } ? 2 : 1 }
    /// Line profile name, e.g. "vip2".
    public var profile: String
    /// Batch specification the calibration was made with, e.g. "48h".
    public var batch: String
    /// How it was made: "standard", "optimized", "truth", ….
    public var method: String
    /// Free-form provenance (input file, command).
    public var source: String
    /// For a refined calibration: the method of the calibration the chain started from, e.g.
    /// "standard (seeds: cnn)", so the chain can be rerun (held-out figures). Nil for calibrations that are
    /// not refinements and in files written before the field existed (JSON `start_method`, optional).
    public var startMethod: String?
    public var cells: [Cell]
    /// The version field of the file this set was read from (the written version is `version`).
    public private(set) var readVersion: Int = CalibrationSet.currentVersion

    public init(profile: String, batch: String, method: String, source: String, cells: [Cell]) {
        self.profile = profile; self.batch = batch; self.method = method; self.source = source
        self.cells = cells.sorted { $0.cell < $1.cell }
    }

    /// Sets the label of every cell `labels` names (cells not calibrated are skipped).
    public mutating func setLabels(_ labels: [Int: String]) {
        for i in cells.indices { if let l = labels[cells[i].cell] { cells[i].label = l } }
    }

    /// The label of a cell, if the set has one.
    public func label(ofCell c: Int) -> String? { cell(c)?.label }

    /// The ``startMethod`` of a calibration refined from this one: this one's own start when it is itself
    /// a refinement, else its method.
    public var chainStartMethod: String { startMethod ?? method }

    /// The batches of a cell, or nil if the cell is not calibrated.
    public func batches(ofCell c: Int) -> [Batch]? { cells.first { $0.cell == c }?.batches }

    /// A cell's entry, or nil if the cell is not calibrated.
    public func cell(_ c: Int) -> Cell? { cells.first { $0.cell == c } }

    /// The calibration valid for a cell at a time: the cell's timeline at t when it has one (with the
    /// covariance interpolated), else the batch whose window contains t, else the nearest batch.
    public func calibration(cell c: Int, time t: Double) -> EnergyCalibration? {
        guard let entry = cell(c) else { return nil }
        if let tl = entry.timeline { return tl.calibration(at: t) }
        return Self.batchCalibration(entry.batches, time: t)
    }

    /// The calibration of a cell for histogram input, which has no times: the middle of the cell's
    /// timeline when it has one, else its batch at time 0 (histogram input calibrates one batch);
    /// nil if the cell is not calibrated.
    public func histogramCalibration(cell c: Int) -> EnergyCalibration? {
        guard let entry = cell(c) else { return nil }
        if let tl = entry.timeline { return tl.calibration(at: 0.5 * (tl.knots[0] + tl.knots[tl.knotCount - 1])) }
        return Self.batchCalibration(entry.batches, time: 0)
    }

    /// Energy (eV) of an ADC value of a cell at a time, or nil if the cell is not calibrated. For many
    /// events use `CellCalibrationCursor` (amortised O(1) per time-ordered event).
    public func energy(cell c: Int, adc: Double, time t: Double) -> Double? {
        calibration(cell: c, time: t)?.energy(adc)
    }

    /// A cursor that evaluates a cell's calibration at time-ordered event times, or nil if the cell
    /// is not calibrated.
    public func cursor(cell c: Int) -> CellCalibrationCursor? {
        guard let entry = cell(c), entry.timeline != nil || !entry.batches.isEmpty else { return nil }
        return CellCalibrationCursor(entry)
    }

    /// The piecewise-constant (version-1) view of this set: every cell's `Cell.piecewiseConstant()`.
    /// Per-batch methods (the paper's refinement) start from this.
    public func piecewiseConstant() -> CalibrationSet {
        var out = self
        for ci in out.cells.indices { out.cells[ci] = out.cells[ci].piecewiseConstant() }
        return out
    }

    /// Version-1 semantics: the batch whose window [start, end) contains t, else the nearest (distance
    /// to its start or end; the earlier on ties).
    static func batchCalibration(_ bs: [Batch], time t: Double) -> EnergyCalibration? {
        batchIndex(bs, time: t).map { bs[$0].calibration }
    }

    static func batchIndex(_ bs: [Batch], time t: Double) -> Int? {
        guard !bs.isEmpty else { return nil }
        if let i = bs.firstIndex(where: { t >= $0.start && t < $0.end }) { return i }
        return bs.indices.min { Swift.min(abs(t - bs[$0].start), abs(t - bs[$0].end)) < Swift.min(abs(t - bs[$1].start), abs(t - bs[$1].end)) }
    }

    /// Loads and validates a calibration file; errors name the file and the offending field.
    public static func load(_ path: String) throws -> CalibrationSet {
        try decode(JSONFileDecoding.bytes(path), file: path)
    }

    static func decode(_ data: Data, file: String) throws -> CalibrationSet {
        let set: CalibrationSet
        do {
            set = try JSONFileDecoding.decode(CalibrationSet.self, from: data, file: file, what: "a calibration file")
        } catch let e as UnsupportedVersion {
            throw SDDError.badField(file: file, field: "version",
                                    message: "version \(e.version) not supported (this sddcal reads \(supportedVersions.lowerBound)…\(supportedVersions.upperBound))")
        } catch let e as WrongSchema {
            throw SDDError.badField(file: file, field: "schema", message: "\(InputQuote.quoted(Array(e.schema.utf8))) is not \(schemaName)")
        }
        if let e = set.validationError(file: file) { throw e }
        for (ci, c) in set.cells.enumerated() {
            if c.timeline != nil && set.readVersion < 2 {
                throw SDDError.badField(file: file, field: "cells[\(ci)].timeline", message: "needs version 2 (the file says version \(set.readVersion))")
            }
            if let l = c.label, l.isEmpty || l.utf8.count > 4 * CellLabel.maxLength + 8 || !l.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) {
                throw SDDError.badField(file: file, field: "cells[\(ci)].label",
                                        message: "must be 1 to \(4 * CellLabel.maxLength + 8) printable ASCII characters, got '\(InputQuote.escape(l))'")
            }
            for (bi, b) in c.batches.enumerated() {
                let p = b.calibration
                guard p.p0.isFinite, p.p1.isFinite, p.p2.isFinite else {
                    throw SDDError.badField(file: file, field: "cells[\(ci)].batches[\(bi)].calibration", message: "non-finite coefficient")
                }
                if let cov = p.covariance, cov.count != 9 {
                    throw SDDError.badField(file: file, field: "cells[\(ci)].batches[\(bi)].calibration.covariance", message: "must hold 9 numbers")
                }
            }
        }
        return set
    }

    private struct UnsupportedVersion: Error { var version: Int }
    private struct WrongSchema: Error { var schema: String }

    enum CodingKeys: String, CodingKey { case schema, version, profile, batch, method, source, cells, startMethod = "start_method" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(String.self, forKey: .schema)
        // Schema and version are checked before the rest, so a foreign file is named as such.
        guard schema == Self.schemaName else { throw WrongSchema(schema: schema) }
        readVersion = try c.decode(Int.self, forKey: .version)
        guard Self.supportedVersions.contains(readVersion) else { throw UnsupportedVersion(version: readVersion) }
        profile = try c.decode(String.self, forKey: .profile)
        batch = try c.decode(String.self, forKey: .batch)
        method = try c.decode(String.self, forKey: .method)
        source = try c.decode(String.self, forKey: .source)
        startMethod = try c.decodeIfPresent(String.self, forKey: .startMethod)
        cells = try c.decode([Cell].self, forKey: .cells)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(version, forKey: .version)
        try c.encode(profile, forKey: .profile)
        try c.encode(batch, forKey: .batch)
        try c.encode(method, forKey: .method)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(startMethod, forKey: .startMethod)
        try c.encode(cells, forKey: .cells)
    }

    public static func == (a: CalibrationSet, b: CalibrationSet) -> Bool {
        a.schema == b.schema && a.profile == b.profile && a.batch == b.batch && a.method == b.method
            && a.source == b.source && a.startMethod == b.startMethod && a.cells == b.cells
    }
}
