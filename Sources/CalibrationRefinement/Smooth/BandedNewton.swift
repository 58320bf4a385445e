import Foundation

/// Newton's method for a ``SmoothCellObjective``: exact Hessian, solved in O(K) through its
/// bordered block-tridiagonal structure; Marquardt damping when it is not positive definite;
/// backtracking (Armijo) line search on the value.
public struct BandedNewton: Sendable {
    public var maxIterations: Int = 30
    /// Stop when the Newton decrement ½·gᵀH⁻¹g (the expected loss decrease) is below this: 10⁻⁴ puts
    /// the fit within ~0.014σ of the optimum along the least certain direction.
    public var decrementTolerance: Double = 1e-4

    public init() {}

    /// The result of one minimisation.
    public struct Outcome: Sendable {
        public var x: [Double]
        public var value: Double
        public var iterations: Int
        public var reason: StopReason
        /// Likelihood part at x (value, gradient, Hessian) and the posterior Hessian's factorisation.
        public var dataValue: Double
        public var dataGradient: [Double]
        public var dataHessian: BorderedBlockTridiagonal
        public var factorization: BorderedBlockTridiagonal.Factorization?
        /// Loss after each iteration (index 0 = start).
        public var history: [Double]
    }

    /// Minimises from x0. `report(iteration, loss, decrement, x)` is called at the start and after
    /// every iteration; `cancel` is checked before each.
    public func minimize(_ f: SmoothCellObjective, from x0: [Double], cancel: CancellationFlag? = nil,
                         report: (Int, Double, Double, [Double]) -> Void = { _, _, _, _ in }) -> Outcome {
        var x = x0
        var cur = f.evaluate(x)
        var history = [cur.value]
        report(0, cur.value, .nan, x)
        var reason = StopReason.maxIterations
        var it = 0
        var factor: BorderedBlockTridiagonal.Factorization? = nil
        if !cur.value.isFinite { reason = .failed }
        else {
            while it < maxIterations {
                if cancel?.isCancelled == true { reason = .cancelled; break }
                // Damping only when the Hessian is not positive definite.
                var damping = 0.0
                var fac = cur.hessian.factorize()
                while fac == nil && damping < 1e8 {
                    damping = damping == 0 ? 1e-8 : damping * 10
                    fac = cur.hessian.factorize(damping: damping)
                }
                guard let fz = fac else { reason = .failed; break }
                if damping == 0 { factor = fz }
                let step = fz.solve(cur.gradient).map { -$0 }
                var slope = 0.0
                for i in step.indices { slope += step[i] * cur.gradient[i] }
                let decrement = -0.5 * slope
                if decrement < decrementTolerance && damping == 0 { reason = .gradient; break }
                it += 1
                // The full step usually succeeds: evaluate it with derivatives at once (the next
                // iteration needs them); halve with value-only passes when it does not.
                var t = 1.0, trial = x
                for i in x.indices { trial[i] = x[i] + step[i] }
                var next = f.evaluate(trial)
                var tv = next.value
                if !(tv.isFinite && tv <= cur.value + 1e-4 * slope) {
                    var accepted = false
                    for _ in 0..<40 {
                        t *= 0.5
                        for i in x.indices { trial[i] = x[i] + t * step[i] }
                        tv = f.value(trial)
                        if tv.isFinite && tv <= cur.value + 1e-4 * t * slope { accepted = true; break }
                    }
                    if !accepted {
                        // No descent possible along the Newton direction: at the optimum to rounding.
                        reason = .step; it -= 1; break
                    }
                    next = f.evaluate(trial)
                }
                x = trial
                let change = cur.value - tv
                cur = next
                factor = nil
                history.append(cur.value)
                report(it, cur.value, decrement, x)
                if change < 1e-10 * max(1, abs(cur.value)) { reason = .lossChange; break }
            }
        }
        if factor == nil && cur.value.isFinite { factor = cur.hessian.factorize() }
        return Outcome(x: x, value: cur.value, iterations: it, reason: reason, dataValue: cur.data.value,
                       dataGradient: cur.data.gradient, dataHessian: cur.data.hessian, factorization: factor, history: history)
    }
}
