import Foundation

/// The calibration file: E = p0 + p1·ADC + p2·ADC² per cell and time batch, with covariance,
/// per-line centroids and residuals and a fit status. Every step after `calibrate` reads and writes it.
///
/// Schema `sddcal.calibration`, version 1 (documented in README.md, "Calibration file").
public struct CalibrationSet: Sendable, Equatable, Codable {
    public static let schemaName = "sddcal.calibration"
    public static let currentVersion = 1

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

    /// All batches of one cell, time-ordered.
    public struct Cell: Sendable, Equatable, Codable {
        public var cell: Int
        public var batches: [Batch]
        public init(cell: Int, batches: [Batch]) { self.cell = cell; self.batches = batches }
    }

    public var schema: String = CalibrationSet.schemaName
    public var version: Int = CalibrationSet.currentVersion
    /// Line profile name, e.g. "vip2".
    public var profile: String
    /// Batch specification the calibration was made with, e.g. "48h".
    public var batch: String
    /// How it was made: "standard", "optimized", "truth", ….
    public var method: String
    /// Free-form provenance (input file, command).
    public var source: String
    public var cells: [Cell]

    public init(profile: String, batch: String, method: String, source: String, cells: [Cell]) {
        self.profile = profile; self.batch = batch; self.method = method; self.source = source
        self.cells = cells.sorted { $0.cell < $1.cell }
    }

    /// The batches of a cell, or nil if the cell is not calibrated.
    public func batches(ofCell c: Int) -> [Batch]? { cells.first { $0.cell == c }?.batches }

    /// The calibration valid for a cell at a time: the batch whose window contains it, else the nearest.
    public func calibration(cell c: Int, time t: Double) -> EnergyCalibration? {
        guard let bs = batches(ofCell: c), !bs.isEmpty else { return nil }
        if let b = bs.first(where: { t >= $0.start && t < $0.end }) { return b.calibration }
        return bs.min { Swift.min(abs(t - $0.start), abs(t - $0.end)) < Swift.min(abs(t - $1.start), abs(t - $1.end)) }?.calibration
    }

    /// Loads and validates a calibration file; errors name the file and the offending field.
    public static func load(_ path: String) throws -> CalibrationSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SDDError.badFile(file: path, message: "cannot read file")
        }
        return try decode(data, file: path)
    }

    static func decode(_ data: Data, file: String) throws -> CalibrationSet {
        let set: CalibrationSet
        do {
            set = try JSONDecoder().decode(CalibrationSet.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw SDDError.badField(file: file, field: path(ctx.codingPath + [key]), message: "missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SDDError.badField(file: file, field: path(ctx.codingPath), message: ctx.debugDescription)
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw SDDError.badField(file: file, field: path(ctx.codingPath), message: "null")
        } catch let DecodingError.dataCorrupted(ctx) {
            // An empty path is a JSON syntax error; a field path is a value its type refused (e.g. a status).
            throw SDDError.badField(file: file, field: path(ctx.codingPath),
                                    message: ctx.codingPath.isEmpty ? "not valid JSON" : ctx.debugDescription)
        }
        guard set.schema == schemaName else {
            throw SDDError.badField(file: file, field: "schema", message: "'\(set.schema)' is not \(schemaName)")
        }
        guard set.version == currentVersion else {
            throw SDDError.badField(file: file, field: "version", message: "version \(set.version) not supported (this sddcal reads \(currentVersion))")
        }
        for (ci, c) in set.cells.enumerated() {
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

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            .replacingOccurrences(of: ".[", with: "[")
    }

    /// Pretty, key-sorted JSON.
    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }

    /// Writes the file atomically.
    public func save(_ path: String, overwrite: Bool) throws {
        try AtomicFile.write(encoded(), to: path, overwrite: overwrite)
    }
}
