import Foundation

/// Hand-set centroid seeds (`sddcal.seeds`, version 1): what the inspector's seeds view saves
/// (`sddcal inspect --seeds FILE`) and `sddcal calibrate --seeds-file FILE` replays, so a fix made
/// by nudging a seed survives the session.
///
/// ```json
/// { "schema": "sddcal.seeds", "version": 1, "profile": "vip2", "batch": "48h", "source": "events.bin",
///   "entries": [ { "cell": 2, "batch": 1, "seeds": { "MnKa": 2601, "TiKa": 2128 } },
///                { "cell": 5, "seeds": { "CuKa": 3330 } } ] }
/// ```
/// `batch` is a batch's `index` under the file's batch length (as in the calibration file); without
/// it the entry holds for every batch of the cell (seeds nudged on the cell's summed spectrum). A
/// batch's seeds are its cell-wide entry overridden line by line by its own entry.
public struct SeedsFile: Codable, Equatable, Sendable, PrettyJSONFile {
    public static let schemaName = "sddcal.seeds"
    public static let currentVersion = 1

    /// Seeds (ADC, by line id) of one cell, for one batch or for all of them.
    public struct Entry: Codable, Equatable, Sendable {
        public var cell: Int
        /// The batch index, or nil for every batch of the cell.
        public var batch: Int?
        public var seeds: [String: Double]
        public init(cell: Int, batch: Int?, seeds: [String: Double]) { self.cell = cell; self.batch = batch; self.seeds = seeds }
    }

    public var schema: String
    public var version: Int
    /// Line profile the seeds belong to (line ids are the profile's).
    public var profile: String
    /// Batch length that the batch indices refer to (`BatchSpec` text, e.g. "48h").
    public var batch: String
    /// Free-form provenance (the event file).
    public var source: String
    public var entries: [Entry]

    public init(profile: String, batch: String, source: String, entries: [Entry]) {
        schema = Self.schemaName; version = Self.currentVersion
        self.profile = profile; self.batch = batch; self.source = source
        self.entries = entries.sorted { ($0.cell, $0.batch ?? -1) < ($1.cell, $1.batch ?? -1) }
    }

    /// The seeds of a cell's batch: the cell-wide entry, overridden by the batch's own (empty when
    /// neither exists). A nil batch gives the cell-wide entry only.
    public func seeds(cell: Int, batch: Int?) -> [String: Double] {
        var out = entries.first { $0.cell == cell && $0.batch == nil }?.seeds ?? [:]
        if let b = batch, let e = entries.first(where: { $0.cell == cell && $0.batch == b }) {
            out.merge(e.seeds) { _, new in new }
        }
        return out
    }

    /// Whether any entry names a batch (then the batch length must match the one in use).
    public var hasBatchEntries: Bool { entries.contains { $0.batch != nil } }

    /// Loads and validates a seeds file; errors name the file and the field.
    public static func load(_ path: String) throws -> SeedsFile {
        try decode(JSONFileDecoding.bytes(path), file: path)
    }

    static func decode(_ data: Data, file: String) throws -> SeedsFile {
        let f = try JSONFileDecoding.decode(SeedsFile.self, from: data, file: file, what: "a seeds file")
        guard f.schema == schemaName else {
            throw SDDError.badField(file: file, field: "schema", message: "\(InputQuote.quoted(Array(f.schema.utf8))) is not \(schemaName)")
        }
        guard f.version == currentVersion else {
            throw SDDError.badField(file: file, field: "version", message: "version \(f.version) not supported (this sddcal reads \(currentVersion))")
        }
        var seen = Set<[Int]>()
        for (i, e) in f.entries.enumerated() {
            guard e.cell >= 0 else { throw SDDError.badField(file: file, field: "entries[\(i)].cell", message: "negative cell \(e.cell)") }
            if let b = e.batch, b < 0 { throw SDDError.badField(file: file, field: "entries[\(i)].batch", message: "negative batch \(b)") }
            guard seen.insert([e.cell, e.batch ?? -1]).inserted else {
                throw SDDError.badField(file: file, field: "entries[\(i)]", message: "a second entry for cell \(e.cell) \(e.batch.map { "batch \($0)" } ?? "(all batches)")")
            }
            for (id, v) in e.seeds {
                guard SpectralLine(id: id) != nil else {
                    throw SDDError.badField(file: file, field: "entries[\(i)].seeds", message: "unknown line \(InputQuote.quoted(Array(id.utf8)))")
                }
                guard v.isFinite, v >= 0, v <= 1e6 else {
                    throw SDDError.badField(file: file, field: "entries[\(i)].seeds.\(id)", message: "seed \(v) is not an ADC value")
                }
            }
        }
        return f
    }
}
