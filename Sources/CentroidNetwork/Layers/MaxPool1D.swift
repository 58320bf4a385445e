/// Max pooling over positions of `[batch, length, channels]` with window = stride = `poolSize` and
/// `valid` padding (Keras defaults): output length ⌊length / poolSize⌋. Ties go to the first position.
///
/// One pass over the input keeps, per output, the winning offset inside its window; the backward
/// pass writes every input gradient once (the output gradient at the winner, zero elsewhere), so
/// its buffer need not be cleared first and is reused across mini-batches.
public final class MaxPool1D: Layer {
    public let poolSize: Int
    private var inputShape: [Int] = []
    /// Offset (0 ..< poolSize) of each output's maximum inside its window.
    private var winner: [Int32] = []
    private var output = Tensor(zeros: [0])
    private var inputGradient = Tensor(zeros: [0])

    public init(poolSize: Int = 2) {
        precondition(poolSize >= 1)
        self.poolSize = poolSize
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 2, "MaxPool1D expects [length, channels], got \(inputShape)")
        return [inputShape[0] / poolSize, inputShape[1]]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        let b = x.shape[0], length = x.shape[1], c = x.shape[2], pool = poolSize
        let outLength = length / pool
        output.resize([b, outLength, c])
        if winner.count != output.count { winner = [Int32](repeating: 0, count: output.count) }
        x.storage.withUnsafeBufferPointer { xb in
            output.storage.withUnsafeMutableBufferPointer { yb in
                winner.withUnsafeMutableBufferPointer { wb in
                    guard let xp = xb.baseAddress, let yp = yb.baseAddress, let wp = wb.baseAddress else { return }
                    for s in 0..<b {
                        for t in 0..<outLength {
                            // The window's first position, then each later one that is strictly larger.
                            let window = xp + (s * length + t * pool) * c
                            let o = (s * outLength + t) * c
                            for ch in 0..<c {
                                var best = window[ch], at: Int32 = 0
                                for p in 1..<pool where window[p * c + ch] > best {
                                    best = window[p * c + ch]
                                    at = Int32(truncatingIfNeeded: p)
                                }
                                yp[o + ch] = best
                                wp[o + ch] = at
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let b = inputShape[0], length = inputShape[1], c = inputShape[2], pool = poolSize
        let outLength = length / pool
        inputGradient.resize(inputShape)
        dy.storage.withUnsafeBufferPointer { gb in
            winner.withUnsafeBufferPointer { wb in
                inputGradient.storage.withUnsafeMutableBufferPointer { db in
                    guard let gp = gb.baseAddress, let wp = wb.baseAddress, let dp = db.baseAddress else { return }
                    for s in 0..<b {
                        for t in 0..<outLength {
                            let window = dp + (s * length + t * pool) * c
                            let o = (s * outLength + t) * c
                            for p in 0..<pool {
                                for ch in 0..<c { window[p * c + ch] = wp[o + ch] == Int32(truncatingIfNeeded: p) ? gp[o + ch] : 0 }
                            }
                        }
                        // Positions past the last whole window get no gradient.
                        let tail = (s * length + outLength * pool) * c
                        (dp + tail).update(repeating: 0, count: (length - outLength * pool) * c)
                    }
                }
            }
        }
        return inputGradient
    }
}
