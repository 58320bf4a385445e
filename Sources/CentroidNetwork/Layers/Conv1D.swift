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
/// thread keeps its own weight-gradient sums, added at the end. The activation (ReLU in the paper's
/// branch A) is applied to each sample's outputs while they are in cache, and its derivative while
/// the output gradient is transposed for the backward kernels.
public final class Conv1D: Layer {
    public let inputChannels: Int
    public let filters: Int
    public let kernelSize: Int
    /// Kernel `[kernelSize, inputChannels, filters]` (Keras order).
    public let kernel: Parameter
    public let bias: Parameter
    /// Whether `backward` computes the input gradient (not needed for a network's first layer).
    public var computesInputGradient = true
    /// Applied to the outputs (ReLU in the paper's branch A).
    public let activation: Activation
    private var input = Tensor(zeros: [0])
    private var output = Tensor(zeros: [0])
    private var inputGradient = Tensor(zeros: [0])

    public init(inputChannels: Int, filters: Int, kernelSize: Int, activation: Activation = .linear,
                name: String = "conv1d") {
        precondition(kernelSize >= 1 && filters >= 1 && inputChannels >= 1)
        self.activation = activation
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
        let relu = activation == .relu
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
                                    let out = yp + s * outLength * f
                                    Self.forwardSample(xt, length: length, cin: cin, kw: kw, f: f, w: wp, bias: bp,
                                                       out: out, outLength: outLength)
                                    if relu { for i in 0..<(outLength * f) { out[i] = Swift.max(0, out[i]) } }
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
        transpose(src, rows: rows, cols: cols, into: out, stride: rows)
    }

    /// out[c·stride + r] = src[r·cols + c]: rows of a padded channel-major copy.
    @inline(__always)
    static func transpose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>,
                          stride: Int) {
        if cols == 1 { out.update(from: src, count: rows); return }
        for r in 0..<rows { for c in 0..<cols { out[c * stride + r] = src[r * cols + c] } }
    }

    /// Drops the input kept for `backward` (after inference), so that the layer before can reuse
    /// its output buffer in place.
    func releaseInput() { input = Tensor(zeros: [0]) }

    /// Weight and bias gradients from each sample's channel-major input and filter-major output
    /// gradient, eight positions per SIMD lane group, kept as lane-wise sums per thread and added
    /// at the end (`sdd_conv1d_weight_gradient_sample`). The input gradient is itself a `valid`
    /// convolution: the output gradient, padded with kernelSize − 1 zeros on both sides, correlated
    /// with the kernel reversed in position and with its channel and filter axes swapped, which
    /// the forward kernel computes straight into the channels-last layout.
    public func backward(_ dy: Tensor) -> Tensor {
        let b = input.batch, length = input.shape[1]
        let outLength = length - kernelSize + 1
        let f = filters, cin = inputChannels, kw = kernelSize
        let wCount = kw * cin * f
        let chunks = Self.chunks(b)
        let blocks = (outLength + 7) / 8
        let pad = kw - 1
        // Row strides of the scratch rows, with room for the zeros the kernels read past the data:
        // input rows up to 8·blocks + kw − 2 < length + 7; gradient rows pad + 8·blocks and
        // 2·pad + length − 1 (the input gradient's correlation).
        let xStride = length + 8, gStride = outLength + 2 * pad + 8
        // Per-thread lane-wise sums of dW [kw, cin, f] and db [f], 8 lanes each.
        var partial = [Float](repeating: 0, count: chunks * (wCount + f) * 8)
        let wantInput = computesInputGradient
        let relu = activation == .relu
        // The layer before may reuse its output buffer in place once this one lets go of it.
        defer { releaseInput() }
        var flippedKernel = [Float](), zeroBias = [Float](repeating: 0, count: cin)
        if wantInput {
            inputGradient.resize(input.shape)
            // flippedKernel[j', k, c] = W[kw − 1 − j', c, k]: a kernel of a convolution from f to cin channels.
            flippedKernel = [Float](repeating: 0, count: wCount)
            kernel.value.withUnsafeBufferPointer { w in
                for j in 0..<kw { for c in 0..<cin { for k in 0..<f {
                    flippedKernel[((kw - 1 - j) * f + k) * cin + c] = w[(j * cin + c) * f + k]
                } } }
            }
        }
        input.storage.withUnsafeBufferPointer { xb in
            output.storage.withUnsafeBufferPointer { yb in
                dy.storage.withUnsafeBufferPointer { gb in
                    partial.withUnsafeMutableBufferPointer { pb in
                        flippedKernel.withUnsafeBufferPointer { rb in
                            zeroBias.withUnsafeBufferPointer { zb in
                                inputGradient.storage.withUnsafeMutableBufferPointer { dxb in
                                    let (xp, yp, gp, pp) = (xb.baseAddress!, yb.baseAddress!, gb.baseAddress!, pb.baseAddress!)
                                    let (rp, zp, dxp) = (rb.baseAddress, zb.baseAddress!, dxb.baseAddress)
                                    ParallelWork.forEach(chunks) { c in
                                        let acc = pp + c * (wCount + f) * 8, biasAcc = acc + wCount * 8
                                        // Zero once: only the data parts of the rows are written per sample.
                                        var scratch = [Float](repeating: 0, count: cin * xStride + f * gStride)
                                        scratch.withUnsafeMutableBufferPointer { sb in
                                            let xt = sb.baseAddress!, gPadded = xt + cin * xStride, gt = gPadded + pad
                                            for s in (b * c / chunks)..<(b * (c + 1) / chunks) {
                                                Self.transpose(xp + s * length * cin, rows: length, cols: cin, into: xt,
                                                               stride: xStride)
                                                let gs = gp + s * outLength * f
                                                if relu {
                                                    // ReLU's derivative from the kept output: 1 where positive, else 0.
                                                    let ys = yp + s * outLength * f
                                                    for t in 0..<outLength {
                                                        for k in 0..<f { gt[k * gStride + t] = ys[t * f + k] > 0 ? gs[t * f + k] : 0 }
                                                    }
                                                } else {
                                                    Self.transpose(gs, rows: outLength, cols: f, into: gt, stride: gStride)
                                                }
                                                sdd_conv1d_weight_gradient_sample(xt, xStride, cin, kw, f, gt, gStride,
                                                                                  blocks, acc, biasAcc)
                                                guard wantInput, let rp, let dxp else { continue }
                                                // dx[p, c] = Σ_{j', k} flippedKernel[j', k, c]·gPadded[k, p + j'], p < length
                                                sdd_conv1d_forward_sample(gPadded, gStride, f, kw, cin, rp, zp,
                                                                          dxp + s * length * cin, length)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Lanes, then threads, in a fixed order.
        kernel.gradient.withUnsafeMutableBufferPointer { dw in
            bias.gradient.withUnsafeMutableBufferPointer { db in
                partial.withUnsafeBufferPointer { pb in
                    for c in 0..<chunks {
                        let acc = pb.baseAddress! + c * (wCount + f) * 8
                        for i in 0..<(wCount + f) {
                            let l = acc + i * 8
                            let sum = ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]))
                            if i < wCount { dw[i] += sum } else { db[i - wCount] += sum }
                        }
                    }
                }
            }
        }
        return wantInput ? inputGradient : Tensor(zeros: [0])
    }
}
