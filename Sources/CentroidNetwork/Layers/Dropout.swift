import SDDCore

/// Inverted dropout: in training, each element is zeroed with probability `rate` and the rest are
/// scaled by 1/(1 − rate), so inference is the identity. The mask comes from a seeded generator,
/// so a training run is reproducible.
public final class Dropout: Layer {
    public let rate: Double
    public var generator: SeededGenerator
    private var mask: [Float] = []
    private var applied = false
    private var output = Tensor(zeros: [0])
    private var inputGradient = Tensor(zeros: [0])

    public init(rate: Double, seed: UInt64 = 0) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        self.rate = rate
        generator = SeededGenerator(seed: seed)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        applied = training && rate > 0
        guard applied else { return x }
        let keep = Float(1 / (1 - rate))
        if mask.count != x.count { mask = [Float](repeating: 0, count: x.count) }
        // Four 16-bit uniforms per 64-bit draw: the rate is resolved to 1/65536, plenty for a mask.
        let threshold = UInt64((rate * 65536).rounded())
        output.resize(x.shape)
        mask.withUnsafeMutableBufferPointer { m in
            let n = m.count
            var i = 0
            while i < n {
                var r = generator.next()
                for _ in 0..<Swift.min(4, n - i) {
                    m[i] = (r & 0xFFFF) < threshold ? 0 : keep
                    r >>= 16
                    i += 1
                }
            }
            x.storage.withUnsafeBufferPointer { xp in
                output.storage.withUnsafeMutableBufferPointer { y in
                    for j in 0..<n { y[j] = xp[j] * m[j] }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard applied else { return dy }
        inputGradient.resize(dy.shape)
        dy.storage.withUnsafeBufferPointer { g in
            mask.withUnsafeBufferPointer { m in
                inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                    for i in dx.indices { dx[i] = g[i] * m[i] }
                }
            }
        }
        return inputGradient
    }
}
