/// Where an optimization stands (argmin's state): the point in whitened coordinates, its loss, gradient
/// and (for Newton, and at the start) Hessian, and the counters the termination rules read.
struct OptimizerState {
    /// Position in whitened coordinates (0 = the start point).
    var u = SIMD3<Double>.zero
    var value: Double
    /// Gradient with respect to u.
    var gradient: SIMD3<Double>
    /// Hessian with respect to x at u (row-major), when it was evaluated there.
    var hessian: [Double]?
    /// Steps taken (0 at the start).
    var iteration = 0
    /// The last accepted step (nil before the first).
    var lastStep: SIMD3<Double>?
    /// Consecutive steps that changed the loss by less than its tolerance.
    var smallLossChanges = 0
    /// Loss at the start and after each step.
    var history: [Double]

    init(value: Double, gradient: SIMD3<Double>, hessian: [Double]?) {
        self.value = value
        self.gradient = gradient
        self.hessian = hessian
        history = [value]
    }

    var gradientNorm: Double { (gradient * gradient).sum().squareRoot() }
}
