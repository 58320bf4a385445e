import SDDCore

/// Fully connected layer y = activation(x·W + b) on `[batch, inputs]`, with W stored `[inputs, units]`
/// (Keras order). Forward and backward passes are matrix products of the selected ``BLAS/kernel``;
/// bias and activation are applied to each thread's block of the output right after its product.
public final class Dense: Layer {
    /// How the products use the cores.
    public enum Threading: String, Sendable {
        /// One product per pass, threaded by the BLAS library itself (OpenBLAS, Accelerate; the Swift
        /// kernel is single-threaded).
        case library
        /// The units (forward) or the inputs (both gradients) split over Dispatch threads, each
        /// running a single-threaded product on its own slice of the large operand (W, or x for
        /// the weight gradient), so that no piece packs what another packs too; no reduction.
        case dispatch
    }
    /// Threading of every Dense layer. Dispatch is the default: on the shared 2-core machine the
    /// `cnn` benchmark suite measured a training step at 132 ms with it vs 182 ms with OpenBLAS's
    /// threads (which spin while waiting for each other when the cores are busy).
    public static var threading: Threading = .dispatch {
        didSet { applyThreading() }
    }

    /// Sets the BLAS library's thread count for the current threading (call after changing `ParallelWork.threads`).
    public static func applyThreading() {
        BLAS.threads = threading == .dispatch ? 1 : ParallelWork.threads
        // Threads the library started for earlier threaded products would spin next to ours.
        if threading == .dispatch { BLAS.releaseIdleThreads() }
    }

    private static let initialThreading: Void = applyThreading()

    public let inputs: Int
    public let units: Int
    public let kernel: Parameter
    public let bias: Parameter
    private var input = Tensor(zeros: [0])
    private var output = Tensor(zeros: [0])
    private var inputGradient = Tensor(zeros: [0])
    /// The output gradient times the activation's derivative (ReLU only).
    private var activeGradient = Tensor(zeros: [0])
    /// Whether `backward` computes the input gradient (not needed for a network's first layer).
    public var computesInputGradient = true
    /// Applied to the outputs (ReLU in the paper's hidden layers).
    public let activation: Activation

    public init(inputs: Int, units: Int, activation: Activation = .linear, name: String = "dense") {
        _ = Self.initialThreading
        self.inputs = inputs
        self.units = units
        self.activation = activation
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
        let relu = activation == .relu
        output.storage.withUnsafeMutableBufferPointer { y in
            bias.value.withUnsafeBufferPointer { bv in
                x.storage.withUnsafeBufferPointer { xp in
                    kernel.value.withUnsafeBufferPointer { w in
                        let (xa, wa, ya, ba) = (xp.baseAddress!, w.baseAddress!, y.baseAddress!, bv.baseAddress!)
                        if b == 1 {
                            // One spectrum: a matrix-vector product reads W once; sgemm would first copy it.
                            ya.update(from: ba, count: n)
                            BLAS.rowVectorTimesMatrix(rows: k, cols: n, a: wa, x: xa, beta: 1, y: ya)
                            if relu { for j in 0..<n { ya[j] = Swift.max(0, ya[j]) } }
                            return
                        }
                        // Split by units: each piece packs its own columns of W (the big operand) once;
                        // split by rows, every piece would pack all of W.
                        let parts = Self.parts(n)
                        ParallelWork.forEach(parts) { c in
                            let u0 = n * c / parts, u1 = n * (c + 1) / parts
                            // The bias broadcast, then x·W accumulated on top of it (beta = 1).
                            for r in 0..<b { (ya + r * n + u0).update(from: ba + u0, count: u1 - u0) }
                            BLAS.gemm(m: b, n: u1 - u0, k: k, a: xa, lda: k, b: wa + u0, ldb: n,
                                      beta: 1, c: ya + u0, ldc: n)
                            guard relu else { return }
                            for r in 0..<b {
                                let row = ya + r * n
                                for j in u0..<u1 { row[j] = Swift.max(0, row[j]) }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Drops the input kept for `backward` (after inference), so that the layer before can reuse
    /// its output buffer in place.
    func releaseInput() { input = Tensor(zeros: [0]) }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let b = outputGradient.batch, inputShape = input.shape
        let (n, k) = (units, inputs)
        var dy = outputGradient
        if activation == .relu {
            // ReLU's derivative, from the kept output: 1 where it is positive, else 0.
            activeGradient.resize(outputGradient.shape)
            output.storage.withUnsafeBufferPointer { y in
                outputGradient.storage.withUnsafeBufferPointer { g in
                    activeGradient.storage.withUnsafeMutableBufferPointer { a in
                        for i in a.indices { a[i] = y[i] > 0 ? g[i] : 0 }
                    }
                }
            }
            dy = activeGradient
        }
        defer {
            // The layer before may now reuse its output buffer in place (it is no longer shared).
            releaseInput()
        }
        dy.storage.withUnsafeBufferPointer { g in
            // dW += xᵀ·dy
            input.storage.withUnsafeBufferPointer { xp in
                kernel.gradient.withUnsafeMutableBufferPointer { dw in
                    let (xa, ga, dwa) = (xp.baseAddress!, g.baseAddress!, dw.baseAddress!)
                    // Split by inputs (rows of dW): each piece packs its own columns of x once.
                    let parts = Self.parts(k)
                    ParallelWork.forEach(parts) { c in
                        let i0 = k * c / parts, i1 = k * (c + 1) / parts
                        BLAS.gemm(transA: true, m: i1 - i0, n: n, k: b, a: xa + i0, lda: k, b: ga, ldb: n,
                                  beta: 1, c: dwa + i0 * n, ldc: n)
                    }
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
                        let (ga, wa, dxa) = (g.baseAddress!, w.baseAddress!, dx.baseAddress!)
                        // Split by inputs (columns of dx): each piece packs its own rows of W once.
                        let parts = Self.parts(k)
                        ParallelWork.forEach(parts) { c in
                            let i0 = k * c / parts, i1 = k * (c + 1) / parts
                            BLAS.gemm(transB: true, m: b, n: i1 - i0, k: n, a: ga, lda: n, b: wa + i0 * n, ldb: n,
                                      c: dxa + i0, ldc: k)
                        }
                    }
                }
            }
        }
        return computesInputGradient ? inputGradient.reshaped(inputShape) : Tensor(zeros: [0])
    }

    /// Pieces a dimension of size `size` is split into: one with the library's threading (or when small).
    private static func parts(_ size: Int) -> Int {
        threading == .dispatch && size >= 32 ? Swift.min(ParallelWork.threads, size / 16) : 1
    }
}
