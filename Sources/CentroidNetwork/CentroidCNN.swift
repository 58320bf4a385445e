import SDDCore

/// The paper's two-branch convolutional network (section 3.1, figure 3 left):
///
///     input [L, 1]
///     branch A: Conv1D(5 filters, kernel 50, ReLU) → Conv1D(5, kernel 10, ReLU) → MaxPool1D(2) → Flatten
///     branch B: Conv1D(5, kernel 1) → Dropout → Flatten
///     Concatenate → Dense(500, ReLU) → Dense(50, ReLU) → Dense(outputs)
///
/// For L = 300 and 5 outputs this has 1,078,825 parameters. The last layer is linear: its outputs
/// are normalised line positions, a regression target.
public final class CentroidCNN {
    /// Shape hyper-parameters; everything else is fixed by the paper.
    public struct Architecture: Codable, Hashable, Sendable {
        public var inputLength: Int
        public var outputs: Int
        public var dropoutRate: Double
        public init(inputLength: Int = 300, outputs: Int = 5, dropoutRate: Double = 0.2) {
            self.inputLength = inputLength
            self.outputs = outputs
            self.dropoutRate = dropoutRate
        }
    }

    public let architecture: Architecture
    // The ReLUs are applied by the layers they follow (`Activation`), in the same pass as their outputs.
    let convA1: Conv1D, convA2: Conv1D, poolA = MaxPool1D(poolSize: 2), flattenA = Flatten()
    let convB: Conv1D, dropoutB: Dropout, flattenB = Flatten()
    let concatenate = Concatenate()
    let dense1: Dense, dense2: Dense, dense3: Dense
    /// Inference only: branch B folded into dense1 (`BranchBFolding`), fed by branch A and the raw input.
    private let folding = BranchBFolding(), foldedConcatenate = Concatenate()

    /// A network with Glorot-uniform kernels and zero biases drawn from `seed` (Keras's defaults).
    public init(_ architecture: Architecture = Architecture(), seed: UInt64) {
        self.architecture = architecture
        let l = architecture.inputLength
        precondition(l >= 60, "input length must be at least 60 bins")
        convA1 = Conv1D(inputChannels: 1, filters: 5, kernelSize: 50, activation: .relu, name: "a.conv50")
        convA2 = Conv1D(inputChannels: 5, filters: 5, kernelSize: 10, activation: .relu, name: "a.conv10")
        convB = Conv1D(inputChannels: 1, filters: 5, kernelSize: 1, name: "b.conv1")
        dropoutB = Dropout(rate: architecture.dropoutRate, seed: seed ^ 0xD0)
        let aLength = (l - 50 + 1 - 10 + 1) / 2
        let concatenated = aLength * 5 + l * 5
        dense1 = Dense(inputs: concatenated, units: 500, activation: .relu, name: "dense500")
        dense2 = Dense(inputs: 500, units: 50, activation: .relu, name: "dense50")
        dense3 = Dense(inputs: 50, units: architecture.outputs, name: "dense_out")
        // The input needs no gradient: skip that work in the first layers of both branches.
        convA1.computesInputGradient = false
        convB.computesInputGradient = false
        var rng = SeededGenerator(seed: seed)
        convA1.initialize(using: &rng)
        convA2.initialize(using: &rng)
        convB.initialize(using: &rng)
        dense1.initialize(using: &rng)
        dense2.initialize(using: &rng)
        dense3.initialize(using: &rng)
    }

    /// Every trainable parameter, in model-file order.
    public var parameters: [Parameter] {
        [convA1, convA2, convB].flatMap(\.parameters) + [dense1, dense2, dense3].flatMap(\.parameters)
    }

    /// Total number of trainable scalars (1,078,825 for the paper's 300 → 5 network).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Forward pass on `[batch, inputLength]` (or `[batch, inputLength, 1]`) → `[batch, outputs]`.
    /// `training` enables dropout.
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let x = input.reshaped([input.batch, architecture.inputLength, 1])
        var a = convA1.forward(x, training: training)
        a = convA2.forward(a, training: training)
        a = poolA.forward(a, training: training)
        a = flattenA.forward(a, training: training)
        var b = convB.forward(x, training: training)
        b = dropoutB.forward(b, training: training)
        b = flattenB.forward(b, training: training)
        var h = concatenate.forward(a, b)
        h = dense1.forward(h, training: training)
        h = dense2.forward(h, training: training)
        return dense3.forward(h, training: training)
    }

    /// Backward pass from the loss gradient of the outputs; adds into every parameter's gradient.
    public func backward(_ outputGradient: Tensor) {
        var g = dense3.backward(outputGradient)
        g = dense2.backward(g)
        g = dense1.backward(g)
        let (ga, gb) = concatenate.backward(g)
        var a = flattenA.backward(ga)
        a = poolA.backward(a)
        a = convA2.backward(a)
        _ = convA1.backward(a)
        var b = flattenB.backward(gb)
        b = dropoutB.backward(b)
        _ = convB.backward(b)
    }

    /// Zeroes every parameter gradient.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// One mini-batch step of MSE regression with `optimizer`; returns the batch loss.
    @discardableResult
    public func trainStep(inputs: Tensor, targets: Tensor, optimizer: AdamOptimizer) -> Double {
        zeroGradients()
        let y = forward(inputs, training: true)
        let (loss, grad) = MeanSquaredError.lossAndGradient(prediction: y, target: targets)
        backward(grad)
        optimizer.update()
        return loss
    }

    /// The forward pass at inference (dropout off) with branch B folded into the first dense layer
    /// (`BranchBFolding`): the same outputs as `forward(_:training: false)` up to float rounding,
    /// with 905 instead of 2,105 inputs to the largest product. Leaves nothing for `backward`.
    func inferenceForward(_ input: Tensor) -> Tensor {
        let l = architecture.inputLength, b = input.batch
        let x = input.reshaped([b, l, 1])
        var a = convA1.forward(x, training: false)
        a = convA2.forward(a, training: false)
        a = poolA.forward(a, training: false)
        a = flattenA.forward(a, training: false)
        let folded = folding.folded(convB: convB, dense1: dense1, branchAWidth: a.rowSize)
        var h = foldedConcatenate.forward(a, input.reshaped([b, l]))
        h = folded.forward(h, training: false)
        h = dense2.forward(h, training: false)
        let y = dense3.forward(h, training: false)
        // Nothing is differentiated: the layers' buffers need not stay shared until the next call.
        for layer in [convA1, convA2] { layer.releaseInput() }
        for layer in [folded, dense2, dense3] { layer.releaseInput() }
        return y
    }

    /// Inference on `[batch, inputLength]`, in chunks of at most `chunk` rows (`inferenceForward`).
    public func predict(_ inputs: Tensor, chunk: Int = 256) -> Tensor {
        let n = inputs.batch
        if n <= chunk { return inferenceForward(inputs) }
        var out = Tensor(zeros: [n, architecture.outputs])
        var start = 0
        while start < n {
            let end = Swift.min(n, start + chunk)
            let y = inferenceForward(inputs.rows(start..<end))
            out.storage.replaceSubrange((start * architecture.outputs)..<(end * architecture.outputs), with: y.storage)
            start = end
        }
        return out
    }

    /// All parameter values, concatenated in model-file order.
    public var flatParameters: [Float] {
        get { parameters.flatMap(\.value) }
        set {
            precondition(newValue.count == parameterCount, "expected \(parameterCount) parameters, got \(newValue.count)")
            var o = 0
            for p in parameters {
                p.value = Array(newValue[o..<(o + p.count)])
                o += p.count
            }
        }
    }
}
