/// Max pooling over positions of `[batch, length, channels]` with window = stride = `poolSize` and
/// `valid` padding (Keras defaults): output length ⌊length / poolSize⌋. Ties go to the first position.
public final class MaxPool1D: Layer {
    public let poolSize: Int
    private var inputShape: [Int] = []
    private var argmax: [Int32] = []
    private var output = Tensor(zeros: [0])

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
        let b = x.shape[0], length = x.shape[1], c = x.shape[2]
        let outLength = length / poolSize
        output.resize([b, outLength, c])
        if argmax.count != output.count { argmax = [Int32](repeating: 0, count: output.count) }
        x.storage.withUnsafeBufferPointer { xp in
            output.storage.withUnsafeMutableBufferPointer { y in
                argmax.withUnsafeMutableBufferPointer { am in
                    for s in 0..<b {
                        for t in 0..<outLength {
                            for ch in 0..<c {
                                var best = s * length * c + (t * poolSize) * c + ch
                                for p in 1..<Swift.max(1, poolSize) {
                                    let i = s * length * c + (t * poolSize + p) * c + ch
                                    if xp[i] > xp[best] { best = i }
                                }
                                let o = (s * outLength + t) * c + ch
                                y[o] = xp[best]
                                am[o] = Int32(best)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        var dx = Tensor(zeros: inputShape)
        dy.storage.withUnsafeBufferPointer { g in
            argmax.withUnsafeBufferPointer { am in
                dx.storage.withUnsafeMutableBufferPointer { d in
                    for o in g.indices { d[Int(am[o])] += g[o] }
                }
            }
        }
        return dx
    }
}
