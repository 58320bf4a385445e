/// Assigns every event of a table to one of k folds by a seeded hash of its index.
///
/// Folds over events, not over time: each fold is a random ~1/k of every batch, so the calibration
/// fitted without a fold still covers every batch and every moment of the drift with (k − 1)/k of the
/// statistics, and the held-out events are calibrated by what the method learned at their own time.
/// Folds over time would make a per-batch calibration extrapolate into batches it never saw, which
/// measures extrapolation rather than the calibration the method delivers.
public struct FoldAssignment: Sendable, Hashable {
    public let folds: Int
    public let seed: UInt64

    /// `folds` ≥ 2.
    public init(folds: Int, seed: UInt64) {
        precondition(folds >= 2, "cross-fitting needs at least two folds")
        self.folds = folds
        self.seed = seed
    }

    /// The fold (0..<folds) of the event at `index`.
    @inlinable public func fold(ofEvent index: Int) -> Int {
        Int(Self.mix(UInt64(truncatingIfNeeded: index) &+ seed &* 0x9E37_79B9_7F4A_7C15) % UInt64(folds))
    }

    /// The folds of the first `count` events.
    public func folds(count: Int) -> [UInt8] {
        precondition(folds <= 256)
        return (0..<count).map { UInt8(fold(ofEvent: $0)) }
    }

    /// SplitMix64's finaliser: a bijective mix whose low bits are uniform for consecutive inputs.
    @inlinable static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
