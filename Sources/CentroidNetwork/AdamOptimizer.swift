import Foundation
import NetworkKernels

/// Adam (Kingma & Ba 2015) with Keras's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7), bias-corrected.
public final class AdamOptimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    /// Steps taken so far.
    public private(set) var step = 0
    private var firstMoments: [[Float]]
    private var secondMoments: [[Float]]
    private let parameters: [Parameter]

    public init(parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-7) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
        secondMoments = parameters.map { [Float](repeating: 0, count: $0.count) }
    }

    /// Applies one update from the parameters' current gradients.
    public func update() {
        step += 1
        let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
        let lr = Float(learningRate * c2.squareRoot() / c1)
        let epsHat = eps * Float(c2.squareRoot())
        // Large tensors are split across threads; each slice is independent.
        for (k, p) in parameters.enumerated() {
            let n = p.count
            p.value.withUnsafeMutableBufferPointer { w in
                p.gradient.withUnsafeBufferPointer { g in
                    firstMoments[k].withUnsafeMutableBufferPointer { m in
                        secondMoments[k].withUnsafeMutableBufferPointer { v in
                            let (wp, gp, mp, vp) = (w.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!)
                            let chunks = n > 65_536 ? ParallelWork.threads : 1
                            ParallelWork.forEach(chunks) { c in
                                let lo = n * c / chunks, hi = n * (c + 1) / chunks
                                // m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², w ← w − lr·m/(√v + ε̂),
                                // eight lanes at a time (`NetworkKernels`).
                                sdd_adam_update(wp + lo, gp + lo, mp + lo, vp + lo, hi - lo, b1, b2, lr, epsHat)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Moment buffers and step count, for checkpoints.
    public var state: (step: Int, first: [[Float]], second: [[Float]]) { (step, firstMoments, secondMoments) }
}
