/// One-dimensional convolution (cross-correlation, as in Keras), stride 1, `valid` padding, on
/// channels-last input `[batch, length, channels]` → `[batch, length − kernelSize + 1, filters]`.
///
/// Computed by im2col: every output position's receptive field (`kernelSize·channels` values, one
/// contiguous run in channels-last layout) becomes a row of a patch matrix, so the whole mini-batch
/// is one OpenBLAS product `patches[batch·outLength, k·c] · W[k·c, filters]`.
public final class Conv1D: Layer {
    public let inputChannels: Int
    public let filters: Int
    public let kernelSize: Int
    /// Kernel `[kernelSize, inputChannels, filters]` (Keras order).
    public let kernel: Parameter
    public let bias: Parameter
    /// Whether `backward` computes the input gradient (not needed for a network's first layer).
    public var computesInputGradient = true
    private var inputShape: [Int] = []
    private var patches: [Float] = []
    private var patchGradient: [Float] = []
    private var output = Tensor(zeros: [0])
    private var inputGradient = Tensor(zeros: [0])

    public init(inputChannels: Int, filters: Int, kernelSize: Int, name: String = "conv1d") {
        precondition(kernelSize >= 1 && filters >= 1 && inputChannels >= 1)
        self.inputChannels = inputChannels
        self.filters = filters
        self.kernelSize = kernelSize
        kernel = Parameter(name: "\(name).kernel", zeros: [kernelSize, inputChannels, filters])
        bias = Parameter(name: "\(name).bias", zeros: [filters])
    }

    public func initialize(using rng: inout SeededGenerator) {
        kernel.glorotUniform(fanIn: kernelSize * inputChannels, fanOut: kernelSize * filters, using: &rng)
        for i in bias.value.indices { bias.value[i] = 0 }
    }

    public var parameters: [Parameter] { [kernel, bias] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 2 && inputShape[1] == inputChannels,
                     "Conv1D expects [length, \(inputChannels)], got \(inputShape)")
        precondition(inputShape[0] >= kernelSize, "Conv1D: input length \(inputShape[0]) < kernel \(kernelSize)")
        return [inputShape[0] - kernelSize + 1, filters]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let outShape = outputShape(for: Array(x.shape.dropFirst()))
        inputShape = x.shape
        let b = x.batch, length = x.shape[1], outLength = outShape[0]
        let patchSize = kernelSize * inputChannels
        let rows = b * outLength
        if patches.count != rows * patchSize { patches = [Float](repeating: 0, count: rows * patchSize) }
        x.storage.withUnsafeBufferPointer { xp in
            patches.withUnsafeMutableBufferPointer { p in
                for s in 0..<b {
                    let src = xp.baseAddress! + s * length * inputChannels
                    let dst = p.baseAddress! + s * outLength * patchSize
                    for t in 0..<outLength {
                        (dst + t * patchSize).update(from: src + t * inputChannels, count: patchSize)
                    }
                }
            }
        }
        output.resize([b, outLength, filters])
        let f = filters
        output.storage.withUnsafeMutableBufferPointer { y in
            bias.value.withUnsafeBufferPointer { bv in
                for r in 0..<rows { for j in 0..<f { y[r * f + j] = bv[j] } }
            }
            patches.withUnsafeBufferPointer { p in
                kernel.value.withUnsafeBufferPointer { w in
                    BLAS.gemm(m: rows, n: f, k: patchSize, a: p.baseAddress!, lda: patchSize,
                              b: w.baseAddress!, ldb: f, beta: 1, c: y.baseAddress!, ldc: f)
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let b = inputShape[0], length = inputShape[1]
        let outLength = length - kernelSize + 1
        let patchSize = kernelSize * inputChannels
        let rows = b * outLength, f = filters
        dy.storage.withUnsafeBufferPointer { g in
            // dW += patchesᵀ·dy ; db += column sums of dy
            patches.withUnsafeBufferPointer { p in
                kernel.gradient.withUnsafeMutableBufferPointer { dw in
                    BLAS.gemm(transA: true, m: patchSize, n: f, k: rows, a: p.baseAddress!, lda: patchSize,
                              b: g.baseAddress!, ldb: f, beta: 1, c: dw.baseAddress!, ldc: f)
                }
            }
            bias.gradient.withUnsafeMutableBufferPointer { db in
                for r in 0..<rows { for j in 0..<f { db[j] += g[r * f + j] } }
            }
            guard computesInputGradient else { return }
            // d(patches) = dy·Wᵀ, then col2im: each patch row adds back onto its input run.
            if patchGradient.count != rows * patchSize { patchGradient = [Float](repeating: 0, count: rows * patchSize) }
            patchGradient.withUnsafeMutableBufferPointer { dp in
                kernel.value.withUnsafeBufferPointer { w in
                    BLAS.gemm(transB: true, m: rows, n: patchSize, k: f, a: g.baseAddress!, lda: f,
                              b: w.baseAddress!, ldb: f, c: dp.baseAddress!, ldc: patchSize)
                }
                inputGradient.resize(inputShape)
                inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                    for i in dx.indices { dx[i] = 0 }
                    for s in 0..<b {
                        let dst = dx.baseAddress! + s * length * inputChannels
                        let src = dp.baseAddress! + s * outLength * patchSize
                        for t in 0..<outLength {
                            let d = dst + t * inputChannels, q = src + t * patchSize
                            for i in 0..<patchSize { d[i] += q[i] }
                        }
                    }
                }
            }
        }
        return computesInputGradient ? inputGradient : Tensor(zeros: [0])
    }
}
