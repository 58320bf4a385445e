/// Rectified linear unit, max(0, x), element-wise on any shape.
public final class ReLU: Layer {
    private var output = Tensor(zeros: [0])

    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.resize(input.shape)
        input.storage.withUnsafeBufferPointer { x in
            output.storage.withUnsafeMutableBufferPointer { y in
                for i in x.indices { y[i] = Swift.max(0, x[i]) }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        var dx = outputGradient
        output.storage.withUnsafeBufferPointer { y in
            dx.storage.withUnsafeMutableBufferPointer { g in
                // The derivative at exactly 0 is taken as 0, as in Keras.
                for i in g.indices where y[i] <= 0 { g[i] = 0 }
            }
        }
        return dx
    }
}
