import SDDCore

/// A trainable array of weights with the gradient accumulated for it by the backward pass.
public final class Parameter {
    /// Name for model files and diagnostics, e.g. "dense_500.kernel".
    public let name: String
    public let shape: [Int]
    public var value: [Float] { didSet { version &+= 1 } }
    /// Changes whenever `value` does (caches of values derived from the weights compare it).
    public private(set) var version: UInt64 = 0
    public var gradient: [Float]

    public init(name: String, shape: [Int], value: [Float]) {
        precondition(shape.reduce(1, *) == value.count, "parameter \(name): values do not match shape \(shape)")
        self.name = name
        self.shape = shape
        self.value = value
        gradient = [Float](repeating: 0, count: value.count)
    }

    public convenience init(name: String, zeros shape: [Int]) {
        self.init(name: name, shape: shape, value: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public var count: Int { value.count }

    /// Sets the gradient to zero before a new backward pass.
    public func zeroGradient() {
        gradient.withUnsafeMutableBufferPointer { g in
            for i in g.indices { g[i] = 0 }
        }
    }

    /// Glorot (Xavier) uniform initialisation, Keras's default for Dense and Conv1D kernels:
    /// U(−l, l) with l = sqrt(6 / (fanIn + fanOut)).
    public func glorotUniform(fanIn: Int, fanOut: Int, using rng: inout SeededGenerator) {
        let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
        for i in value.indices { value[i] = Float(rng.uniform(-limit, limit)) }
    }
}
