import LikelihoodKernels

/// A smooth function of one variable tabulated on a uniform grid, interpolated by cubic Hermite
/// polynomials through the exact values and first derivatives at the nodes.
///
/// The smooth refinement evaluates the line shapes at every event and every Newton iteration; the
/// shapes (Gaussian + tail, erfc) are costly, a table lookup is not. With nodes every 2 eV and line
/// widths σ ≥ 40 eV the interpolation error is ~(h/σ)⁴/384 ≈ 10⁻⁸ relative: far below anything the
/// data can see. Value, first and second derivative come from the same cubic, so the derivatives
/// are exact derivatives of the interpolant (Newton and finite-difference checks see one function).
/// Outside the grid the function continues linearly from the end node (value and slope).
public struct HermiteTable: Sendable {
    /// First node and node spacing.
    public let start: Double
    public let step: Double
    /// Per interval the coefficients c0…c3 of c0 + c1·u + c2·u² + c3·u³, u ∈ [0, 1].
    let coefficients: [SIMD4<Double>]
    let endValue: (Double, Double, Double, Double)

    /// Tabulates from node values `value[i]` and derivatives `derivative[i]` at start + i·step.
    public init(start: Double, step: Double, value: [Double], derivative: [Double]) {
        precondition(value.count == derivative.count && value.count >= 2 && step > 0)
        self.start = start
        self.step = step
        var c: [SIMD4<Double>] = []
        c.reserveCapacity(value.count - 1)
        for i in 0..<(value.count - 1) {
            let y0 = value[i], y1 = value[i + 1], m0 = derivative[i] * step, m1 = derivative[i + 1] * step
            c.append(SIMD4(y0, m0, 3 * (y1 - y0) - 2 * m0 - m1, 2 * (y0 - y1) + m0 + m1))
        }
        coefficients = c
        endValue = (value[0], derivative[0], value[value.count - 1], derivative[value.count - 1])
    }

    /// Tabulates `f` (returning value and derivative) on [lower, upper] with spacing about `step`.
    public init(lower: Double, upper: Double, step: Double, _ f: (Double) -> (Double, Double)) {
        let n = max(2, Int(((upper - lower) / step).rounded(.up)) + 1)
        let h = (upper - lower) / Double(n - 1)
        var v = [Double](repeating: 0, count: n), d = v
        for i in 0..<n { (v[i], d[i]) = f(lower + Double(i) * h) }
        self.init(start: lower, step: h, value: v, derivative: d)
    }

    /// Last node.
    public var end: Double { start + Double(coefficients.count) * step }

    /// Value, first and second derivative at x.
    public func evaluate(_ x: Double) -> (value: Double, d1: Double, d2: Double) { withKernel { $0.evaluate(x) } }

    /// Value only.
    public func value(_ x: Double) -> Double { withKernel { $0.value(x) } }

    /// The table read through an unchecked buffer: the one copy of the interpolation arithmetic, used by
    /// ``evaluate(_:)`` and ``value(_:)`` and, hoisted out of the loops, by the per-event loops of the
    /// smooth likelihood. Safe: an index is used only after 0 ≤ i < count is checked, and the buffer
    /// lives for the closure.
    struct Kernel {
        let start: Double, step: Double, inverseStep: Double, end: Double
        let endValue: (Double, Double, Double, Double)
        let coefficients: UnsafeBufferPointer<SIMD4<Double>>

        @inline(__always) func evaluate(_ x: Double) -> (value: Double, d1: Double, d2: Double) {
            let s = (x - start) / step
            if s < 0 { return (endValue.0 + endValue.1 * (x - start), endValue.1, 0) }
            let i = Int(s)
            if i >= coefficients.count { return (endValue.2 + endValue.3 * (x - end), endValue.3, 0) }
            let u = s - Double(i), c = coefficients[i]
            let inv = inverseStep
            let v = c[0] + u * (c[1] + u * (c[2] + u * c[3]))
            let d1 = (c[1] + u * (2 * c[2] + 3 * u * c[3])) * inv
            let d2 = (2 * c[2] + 6 * u * c[3]) * inv * inv
            return (v, d1, d2)
        }

        /// Value only (inlined, the derivatives' arithmetic is dropped).
        @inline(__always) func value(_ x: Double) -> Double { evaluate(x).value }
    }

    /// Runs `body` with the table's ``Kernel``.
    func withKernel<R>(_ body: (Kernel) throws -> R) rethrows -> R {
        try coefficients.withUnsafeBufferPointer { c in
            try body(Kernel(start: start, step: step, inverseStep: 1 / step, end: end, endValue: endValue, coefficients: c))
        }
    }

    /// Runs `body` with the table as the C kernels of the smooth likelihood read it (the same
    /// coefficients, end values and arithmetic as ``Kernel``); the pointer lives for the closure.
    func withKernelTable<R>(_ body: (UnsafePointer<sdd_hermite_table>) -> R) -> R {
        coefficients.withUnsafeBufferPointer { c in
            var t = sdd_hermite_table(start: start, step: step, inverse_step: 1 / step, end: end,
                                      low_value: endValue.0, low_slope: endValue.1, high_value: endValue.2, high_slope: endValue.3,
                                      coefficients: UnsafeRawPointer(c.baseAddress)?.assumingMemoryBound(to: Double.self),
                                      count: c.count)
            return withUnsafePointer(to: &t) { body($0) }
        }
    }
}
