import SDDCore

/// Which spectrum a set of hand-set seeds belongs to: a cell's batch (its `BatchInfo.index`), or the
/// cell's summed spectrum (nil), which stands for every batch of the cell.
public struct SeedKey: Hashable, Sendable {
    public var cell: Int
    public var batch: Int?
    public init(cell: Int, batch: Int?) { self.cell = cell; self.batch = batch }
}

extension InspectorState {
    /// The key of the selected cell and batch.
    var seedKey: SeedKey? {
        guard let c = cell else { return nil }
        return SeedKey(cell: c.cell, batch: batch.flatMap { $0 < c.batches.count ? c.batches[$0].index : nil })
    }

    /// The hand-set seeds of the selected spectrum: its own, else (for a batch) the cell's.
    var handSeedsHere: [String: Double] {
        guard let k = seedKey else { return [:] }
        var out = k.batch == nil ? [:] : (handSeeds[SeedKey(cell: k.cell, batch: nil)] ?? [:])
        out.merge(handSeeds[k] ?? [:]) { _, own in own }
        return out
    }

    /// Records the seeds of the lines nudged by hand for the selected spectrum (the others keep
    /// coming from the seed method when replayed; undoing every nudge returns to what was hand-set
    /// when the spectrum was selected) and asks for the seeds file to be written when there is one.
    mutating func recordHandSeeds() -> [Effect] {
        guard let k = seedKey else { return [] }
        var hand = seeds.handAtStart ?? [:]
        for e in seeds.undo { hand[e.lineID] = seeds.seeds[e.lineID] }
        handSeeds[k] = seeds.undo.isEmpty ? seeds.handAtStart : hand
        guard services.saveSeeds, let d = dataset else { return [] }
        return [.saveSeeds(seedsFile(d))]
    }

    /// The hand-set seeds as a seeds file.
    func seedsFile(_ d: Dataset) -> SeedsFile {
        SeedsFile(profile: d.profile.name, batch: d.batchSpec, source: d.name,
                  entries: handSeeds.map { SeedsFile.Entry(cell: $0.key.cell, batch: $0.key.batch, seeds: $0.value) })
    }

    /// Takes the seeds of a seeds file as hand-set; entries for another profile, or for batches of
    /// another batch length, are left out with a message.
    mutating func loadHandSeeds(_ f: SeedsFile) {
        guard let d = dataset else { return }
        guard f.profile == d.profile.name else {
            message = "seeds file is for profile \(f.profile), not \(d.profile.name): not used"; return
        }
        let batchesMatch = f.batch == d.batchSpec
        var used = 0, skipped = 0
        for e in f.entries {
            if e.batch != nil && !batchesMatch { skipped += 1; continue }
            handSeeds[SeedKey(cell: e.cell, batch: e.batch)] = e.seeds
            used += 1
        }
        message = "\(used) hand-set seed entr\(used == 1 ? "y" : "ies") loaded"
            + (skipped > 0 ? "; \(skipped) for batches of \(f.batch) left out (batches here: \(d.batchSpec))" : "")
    }

    /// The seeds view shows its fits without a key press: when it is open and its seeds (still as
    /// initialised, not nudged) have not been fitted yet, it asks for a refit.
    mutating func autoRefit() -> [Effect] {
        guard view == .seeds, let c = cell, !seeds.seeds.isEmpty, !seeds.pending, seeds.autoFitted != seeds.seeds else { return [] }
        seeds.autoFitted = seeds.seeds
        seeds.pending = true
        return [.refitSeeds(cell: c.cell, batch: batch, seeds: seeds.seeds)]
    }
}
