import NetworkKernels
import SDDCore

/// One-dimensional convolution (cross-correlation, as in Keras), stride 1, `valid` padding, on
/// channels-last input `[batch, length, channels]` → `[batch, length − kernelSize + 1, filters]`.
///
/// The product is the im2col one, patches[outLength, k·c] · W[k·c, filters], but computed without
/// materialising the patch matrix: each sample is transposed to channel-major order, so the patch
/// entries of eight consecutive output positions are one SIMD load, multiplied by a broadcast weight.
/// With the paper's 5 filters this is far faster than an explicit im2col + OpenBLAS sgemm, whose
/// kernels are built for wide matrices (measured with the `cnn` benchmark suite on a 256-spectrum
/// batch, forward + backward of Conv1D(5, k50): 20 ms with im2col + sgemm, 6 ms with per-position
/// SIMD dot products, less with this layout). The loops are C (`NetworkKernels`) so that AVX2 + FMA
/// can be chosen at run time without CPU-specific build flags. Samples of a mini-batch are spread over the cores; each
/// thread keeps its own weight-gradient sums, added at the end.
public final class Conv1D: Layer {
    public let inputChannels: Int
    public let filters: Int
    public let kernelSize: Int
    /// Kernel `[kernelSize, inputChannels, filters]` (Keras order).
    public let kernel: Parameter
    public let bias: Parameter
    /// Whether `backward` computes the input gradient (not needed for a network's first layer).
    public var computesInputGradient = true
    private var input = Tensor(zeros: [0])
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

    /// Splits `batch` samples into contiguous chunks, one per thread.
    private static func chunks(_ batch: Int) -> Int { Swift.min(batch, batch >= 8 ? ParallelWork.threads : 1) }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let outShape = outputShape(for: Array(x.shape.dropFirst()))
        input = x
        let b = x.batch, length = x.shape[1], outLength = outShape[0]
        let f = filters, cin = inputChannels, kw = kernelSize
        output.resize([b, outLength, f])
        let chunks = Self.chunks(b)
        x.storage.withUnsafeBufferPointer { xb in
            output.storage.withUnsafeMutableBufferPointer { yb in
                kernel.value.withUnsafeBufferPointer { wb in
                    bias.value.withUnsafeBufferPointer { bb in
                        let (xp, yp, wp, bp) = (xb.baseAddress!, yb.baseAddress!, wb.baseAddress!, bb.baseAddress!)
                        ParallelWork.forEach(chunks) { c in
                            // Channel-major copy of one sample, so eight consecutive positions are one load.
                            var scratch = [Float](repeating: 0, count: cin * length)
                            scratch.withUnsafeMutableBufferPointer { sb in
                                let xt = sb.baseAddress!
                                for s in (b * c / chunks)..<(b * (c + 1) / chunks) {
                                    Self.transpose(xp + s * length * cin, rows: length, cols: cin, into: xt)
                                    Self.forwardSample(xt, length: length, cin: cin, kw: kw, f: f, w: wp, bias: bp,
                                                       out: yp + s * outLength * f, outLength: outLength)
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// One sample: y[t, k] = bias[k] + Σ_{j, c} W[j, c, k]·xᵀ[c, t + j], eight positions per SIMD
    /// lane group, five independent multiply-add chains for the paper's 5 filters. In C
    /// (`NetworkKernels`): AVX2 + FMA when the processor has it, chosen at run time.
    @inline(__always)
    private static func forwardSample(_ xt: UnsafePointer<Float>, length: Int, cin: Int, kw: Int, f: Int,
                                      w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                      out: UnsafeMutablePointer<Float>, outLength: Int) {
        sdd_conv1d_forward_sample(xt, length, cin, kw, f, w, bias, out, outLength)
    }

    /// out[c·rows + r] = src[r·cols + c].
    @inline(__always)
    static func transpose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        if cols == 1 { out.update(from: src, count: rows); return }
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = src[r * cols + c] } }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let b = input.batch, length = input.shape[1]
        let outLength = length - kernelSize + 1
        let f = filters, cin = inputChannels, kw = kernelSize
        let wCount = kw * cin * f
        let chunks = Self.chunks(b)
        // Per-thread sums of dW [kw, cin, f] and db [f].
        var partial = [Float](repeating: 0, count: chunks * (wCount + f))
        let wantInput = computesInputGradient
        if wantInput { inputGradient.resize(input.shape) }
        input.storage.withUnsafeBufferPointer { xb in
            dy.storage.withUnsafeBufferPointer { gb in
                partial.withUnsafeMutableBufferPointer { pb in
                    kernel.value.withUnsafeBufferPointer { wb in
                        inputGradient.storage.withUnsafeMutableBufferPointer { dxb in
                            let (xp, gp, pp, wp) = (xb.baseAddress!, gb.baseAddress!, pb.baseAddress!, wb.baseAddress!)
                            let dxp = dxb.baseAddress
                            ParallelWork.forEach(chunks) { c in
                                let dw = pp + c * (wCount + f), db = dw + wCount
                                var scratch = [Float](repeating: 0, count: 2 * cin * length + f * outLength)
                                scratch.withUnsafeMutableBufferPointer { sb in
                                    let xt = sb.baseAddress!, dxt = xt + cin * length, gt = dxt + cin * length
                                    for s in (b * c / chunks)..<(b * (c + 1) / chunks) {
                                        Self.transpose(xp + s * length * cin, rows: length, cols: cin, into: xt)
                                        Self.transpose(gp + s * outLength * f, rows: outLength, cols: f, into: gt)
                                        for k in 0..<f {
                                            var sum: Float = 0
                                            for t in 0..<outLength { sum += gt[k * outLength + t] }
                                            db[k] += sum
                                        }
                                        // dW[j, c, k] += Σ_t xᵀ[c, t + j]·dyᵀ[k, t]
                                        for j in 0..<kw {
                                            for ch in 0..<cin {
                                                let xrow = xt + ch * length + j
                                                for k in 0..<f {
                                                    dw[(j * cin + ch) * f + k] += Self.dot(xrow, gt + k * outLength, outLength)
                                                }
                                            }
                                        }
                                        guard wantInput, let dxp else { continue }
                                        // dxᵀ[c, t + j] += Σ_k W[j, c, k]·dyᵀ[k, t]
                                        for i in 0..<(cin * length) { dxt[i] = 0 }
                                        for j in 0..<kw {
                                            for ch in 0..<cin {
                                                let row = dxt + ch * length + j
                                                for k in 0..<f { Self.axpy(wp[(j * cin + ch) * f + k], gt + k * outLength, row, outLength) }
                                            }
                                        }
                                        let dxs = dxp + s * length * cin
                                        for l in 0..<length { for ch in 0..<cin { dxs[l * cin + ch] = dxt[ch * length + l] } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for c in 0..<chunks {
            let o = c * (wCount + f)
            for i in 0..<wCount { kernel.gradient[i] += partial[o + i] }
            for k in 0..<f { bias.gradient[k] += partial[o + wCount + k] }
        }
        return wantInput ? inputGradient : Tensor(zeros: [0])
    }

    /// Σ a[i]·b[i] for i < n, eight lanes at a time (`NetworkKernels`).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        sdd_dot(a, b, n)
    }

    /// y[i] += alpha·x[i] for i < n, eight lanes at a time (`NetworkKernels`).
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        sdd_axpy(alpha, x, y, n)
    }
}
