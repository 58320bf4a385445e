import Foundation
import SDDCore

extension SeededGenerator {
    /// An independent generator for item `index` of a named stream (training, validation, test)
    /// under `seed`: the same triple always gives the same numbers, whatever thread makes the item.
    public init(seed: UInt64, stream: UInt64, index: UInt64) {
        self.init(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15), stream: index)
    }

    /// Log-uniform in [a, b) (a, b > 0).
    public mutating func logUniform(_ a: Double, _ b: Double) -> Double { exp(uniform(log(a), log(b))) }
}
