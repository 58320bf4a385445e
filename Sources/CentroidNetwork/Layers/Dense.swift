import SDDCore

/// Fully connected layer y = x·W + b on `[batch, inputs]`, with W stored `[inputs, units]` (Keras order).
/// Forward and backward passes are OpenBLAS matrix products.
public final class Dense: Layer {
    public let inputs: Int
    public let units: Int
    public let kernel: Parameter
    public let bias: Parameter
    private var input = Tensor(zeros: [0])
    private var output = Tensor(zeros: [0])
    private var inputGradient = Tensor(zeros: [0])
    /// Whether `backward` computes the input gradient (not needed for a network's first layer).
    public var computesInputGradient = true

    public init(inputs: Int, units: Int, name: String = "dense") {
        self.inputs = inputs
        self.units = units
        kernel = Parameter(name: "\(name).kernel", zeros: [inputs, units])
        bias = Parameter(name: "\(name).bias", zeros: [units])
    }

    public func initialize(using rng: inout SeededGenerator) {
        kernel.glorotUniform(fanIn: inputs, fanOut: units, using: &rng)
        for i in bias.value.indices { bias.value[i] = 0 }
    }

    public var parameters: [Parameter] { [kernel, bias] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape == [inputs], "Dense(\(units)) expects [\(inputs)] inputs, got \(inputShape)")
        return [units]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rowSize == inputs, "Dense(\(units)) expects \(inputs) inputs per row, got \(x.rowSize)")
        input = x
        let b = x.batch
        output.resize([b, units])
        let (n, k) = (units, inputs)
        output.storage.withUnsafeMutableBufferPointer { y in
            // Broadcast the bias, then accumulate x·W on top of it (beta = 1).
            bias.value.withUnsafeBufferPointer { bv in
                for r in 0..<b { for j in 0..<n { y[r * n + j] = bv[j] } }
            }
            x.storage.withUnsafeBufferPointer { xp in
                kernel.value.withUnsafeBufferPointer { w in
                    BLAS.gemm(m: b, n: n, k: k, a: xp.baseAddress!, lda: k, b: w.baseAddress!, ldb: n,
                              beta: 1, c: y.baseAddress!, ldc: n)
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let b = dy.batch
        let (n, k) = (units, inputs)
        dy.storage.withUnsafeBufferPointer { g in
            // dW += xᵀ·dy
            input.storage.withUnsafeBufferPointer { xp in
                kernel.gradient.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(transA: true, m: k, n: n, k: b, a: xp.baseAddress!, lda: k, b: g.baseAddress!, ldb: n,
                              beta: 1, c: dw.baseAddress!, ldc: n)
                }
            }
            // db += column sums of dy
            bias.gradient.withUnsafeMutableBufferPointer { db in
                for r in 0..<b { for j in 0..<n { db[j] += g[r * n + j] } }
            }
            if computesInputGradient {
                inputGradient.resize([b, k])
                // dx = dy·Wᵀ
                kernel.value.withUnsafeBufferPointer { w in
                    inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                        BLAS.gemm(transB: true, m: b, n: k, k: n, a: g.baseAddress!, lda: n, b: w.baseAddress!, ldb: n,
                                  c: dx.baseAddress!, ldc: k)
                    }
                }
            }
        }
        return computesInputGradient ? inputGradient.reshaped(input.shape) : Tensor(zeros: [0])
    }
}
