import Foundation
import LineFitting
import SDDCore

/// Seeds from another seeder, with the seeds of a seeds file (hand-set in the inspector) in place
/// of its own line by line: what `calibrate --seeds-file` and `inspect --seeds` replay.
struct SeedsFileSeeder: CentroidSeeder {
    let base: any CentroidSeeder
    let file: SeedsFile
    var name: String { base.name + " + seeds file" }

    func seeds(for histogram: Histogram, profile: LineProfile, cell: Int, batch: Int) -> [String: Double] {
        var s = base.seeds(for: histogram, profile: profile, cell: cell, batch: batch)
        s.merge(file.seeds(cell: cell, batch: batch)) { _, hand in hand }
        return s
    }

    /// Loads a seeds file for a run with this profile and batch length; entries for batches are
    /// only meaningful under the batch length they were made with, so another one is an error.
    static func load(_ path: String, profile: LineProfile, batch: BatchSpec) throws -> SeedsFile {
        let f = try SeedsFile.load(path)
        guard f.profile == profile.name else {
            throw SDDError.badField(file: path, field: "profile", message: "seeds for profile \(f.profile), this run uses \(profile.name)")
        }
        if f.hasBatchEntries && f.batch != batch.description {
            throw SDDError.badField(file: path, field: "batch", message: "seeds for batches of \(f.batch), this run uses --batch \(batch.description)")
        }
        return f
    }
}
