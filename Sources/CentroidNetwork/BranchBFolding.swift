/// At inference, branch B of ``CentroidCNN`` is linear (Conv1D with kernel 1, dropout off), so it
/// folds into the first dense layer: with b[t, k] = w_k·x[t] + β_k feeding rows r(t, k) of W,
///
///     Σ_{t,k} b[t, k]·W[r(t, k), u] = Σ_t x[t]·V[t, u] + Σ_{t,k} β_k·W[r(t, k), u],  V[t, u] = Σ_k w_k·W[r(t, k), u]
///
/// so the layer reads the 300 raw inputs through V (300 rows) instead of branch B's 1,500 outputs
/// through their 1,500 rows of W: 905 instead of 2,105 inputs per output unit, the same outputs up
/// to float rounding. The folded layer is rebuilt when any of the four parameters involved changes.
final class BranchBFolding {
    /// The folded first dense layer: inputs [branch A's flattened features, the raw spectrum].
    private(set) var dense: Dense
    private var versions: [UInt64] = []

    init() { dense = Dense(inputs: 1, units: 1) }

    /// The folded layer for the current weights of `convB` (kernel [1, 1, filters]) and `dense1`,
    /// whose first `branchAWidth` inputs are branch A's and the rest branch B's, position-major.
    func folded(convB: Conv1D, dense1: Dense, branchAWidth: Int) -> Dense {
        let current = [convB.kernel.version, convB.bias.version, dense1.kernel.version, dense1.bias.version]
        if current == versions { return dense }
        precondition(convB.kernelSize == 1 && convB.inputChannels == 1, "branch B folds only for a kernel-1, 1-channel Conv1D")
        let f = convB.filters, units = dense1.units
        let length = (dense1.inputs - branchAWidth) / f
        precondition(branchAWidth + length * f == dense1.inputs, "dense inputs do not match branch B's outputs")
        let layer = Dense(inputs: branchAWidth + length, units: units, activation: dense1.activation,
                          name: "dense500.folded")
        let w = dense1.kernel.value, wB = convB.kernel.value, betaB = convB.bias.value
        var kernel = [Float](repeating: 0, count: (branchAWidth + length) * units)
        kernel.replaceSubrange(0..<(branchAWidth * units), with: w[0..<(branchAWidth * units)])
        // Sums in double: the bias collects 1,500 terms per unit.
        var bias = dense1.bias.value.map(Double.init)
        var row = [Double](repeating: 0, count: units)
        for t in 0..<length {
            for u in 0..<units { row[u] = 0 }
            for k in 0..<f {
                let source = (branchAWidth + t * f + k) * units
                let (wk, bk) = (Double(wB[k]), Double(betaB[k]))
                for u in 0..<units {
                    let v = Double(w[source + u])
                    row[u] += wk * v
                    bias[u] += bk * v
                }
            }
            let out = (branchAWidth + t) * units
            for u in 0..<units { kernel[out + u] = Float(row[u]) }
        }
        layer.kernel.value = kernel
        layer.bias.value = bias.map { Float($0) }
        dense = layer
        versions = current
        return layer
    }
}
