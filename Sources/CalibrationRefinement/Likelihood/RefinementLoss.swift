import SDDCore

/// Which likelihood the optimizer maximises for one batch.
///
/// - `windowDensity` (the default): the events of the fixed ADC window are distributed with the
///   density f(x) = η·S(E(x))·E′(x)/N + (1 − η)·b(x): the line shape S in energy times the Jacobian
///   dE/dADC (a density in ADC must carry it), normalised over the window (N is the line's
///   probability inside it, from its CDF), a linear background b and the tail. Plus a Gaussian
///   prior that ties E(centroid) of every other fitted line (Ti Kα, Ti Kβ, Mn Kα, Mn Kβ) to its
///   tabulated energy within the centroid's error: one weak Cu line cannot fix three parameters,
///   the strong lines must. This is a proper likelihood, bounded, with its maximum at the truth
///   for unbiased inputs.
/// - `paperEq3`: eq. 3 of the paper as printed, −Σ log[G(E−μ1, σ) + G(E−μ2, σ)] over the window's
///   events with fixed σ, no Jacobian, no normalisation, no background and no anchor. It is kept for
///   comparison: it is ill-posed, since a gain that squeezes all events onto μ only increases it
///   (docs/physics.md §8; shown in the tests).
public enum LossKind: String, Sendable, Codable, CaseIterable {
    case windowDensity = "density"
    case paperEq3 = "paper"
}

/// A calibration line other than Cu Kα whose centroid anchors the calibration: E(centroid) should be
/// the tabulated energy within σ (the centroid error propagated by the slope).
public struct AnchorLine: Sendable, Hashable, Codable {
    public var line: String
    /// t coordinate of the fitted centroid.
    public var t: Double
    public var energy: Double
    public var sigma: Double
    public init(line: String, t: Double, energy: Double, sigma: Double) {
        self.line = line; self.t = t; self.energy = energy; self.sigma = sigma
    }
}

/// The negative log-likelihood of one batch as a function of its scaled calibration q (see
/// ``CalibrationCoordinates``), with nuisance parameters held fixed.
public struct BatchLoss: Sendable {
    public var kind: LossKind
    public var coordinates: CalibrationCoordinates
    public var counts: ChannelCounts
    /// The Cu Kα shape in energy (for `paperEq3` only its component energies and σ are used).
    public var shape: LineShape
    /// Fraction of window events in the line (η) and background slope s: b(x) ∝ 1 + s·u, u ∈ [−1, 1].
    public var signalFraction: Double
    public var backgroundSlope: Double
    public var anchors: [AnchorLine]

    public init(kind: LossKind, coordinates: CalibrationCoordinates, counts: ChannelCounts, shape: LineShape,
                signalFraction: Double, backgroundSlope: Double, anchors: [AnchorLine]) {
        self.kind = kind; self.coordinates = coordinates; self.counts = counts; self.shape = shape
        self.signalFraction = signalFraction; self.backgroundSlope = backgroundSlope; self.anchors = anchors
    }

    /// The paper's Cu Kα1/Kα2 energies (eq. 3: 8047.8 and 8027.8 eV, [B]/[D] rounded).
    @inlinable public static var paperMu1: Double { 8047.8 }
    @inlinable public static var paperMu2: Double { 8027.8 }

    /// Loss (negative log-likelihood) at q; +∞ where the calibration is not increasing over the window.
    @inlinable public func loss<T: RealScalar>(_ q0: T, _ q1: T, _ q2: T) -> T {
        switch kind {
        case .windowDensity: return densityLoss(q0, q1, q2, eta: T(signalFraction), slope: T(backgroundSlope))
        case .paperEq3: return paperLoss(q0, q1, q2)
        }
    }

    /// The default loss, generic in the nuisance parameters too (so the same code fits them).
    @inlinable public func densityLoss<T: RealScalar>(_ q0: T, _ q1: T, _ q2: T, eta: T, slope: T) -> T {
        let h = coordinates.span
        let edges = counts.edges
        let tLo = coordinates.t(edges.lowerBound), tHi = coordinates.t(edges.upperBound)
        // The calibration must increase across the window (E′ > 0 at both ends suffices for a parabola).
        let jLo = q1 + q2 * (2 * tLo), jHi = q1 + q2 * (2 * tHi)
        if jLo.value <= 0 || jHi.value <= 0 { return T(.infinity) }
        let eLo = q0 + q1 * tLo + q2 * (tLo * tLo)
        let eHi = q0 + q1 * tHi + q2 * (tHi * tHi)
        // Probability of a line event inside the window (change of variables: ∫ S(E(x))E′(x)dx = ΔCDF).
        let inside = shape.cdf(eHi) - shape.cdf(eLo)
        let signalScale = eta / (inside * h)           // η / N, and E′ = (q1 + 2 q2 t)/h
        let width = edges.upperBound - edges.lowerBound
        let mid = 0.5 * (edges.lowerBound + edges.upperBound)
        let bgScale = (1 - eta) * (1 / width)
        var sum = T(0)
        let xs = counts.occupied, ns = counts.counts
        for k in xs.indices {
            let t = coordinates.t(xs[k])
            let e = q0 + q1 * t + q2 * (t * t)
            let jac = q1 + q2 * (2 * t)
            let u = (xs[k] - mid) * (2 / width)
            let f = shape.density(e) * jac * signalScale + bgScale * (slope * u + 1)
            sum += T.log(f) * ns[k]
        }
        return anchorPenalty(q0, q1, q2) - sum
    }

    /// Per occupied channel k at q, the two parts of the window density f_k = η·line[k] +
    /// (1 − η)·backgroundScale·(1 + s·position[k]): the line's normalised density in ADC and the
    /// channel's position u ∈ [−1, 1] in the window. The same expressions as ``densityLoss``; nil
    /// where the calibration does not increase across the window. Used to fit η and s at fixed q.
    public func windowTerms(_ q: SIMD3<Double>) -> (line: [Double], position: [Double], backgroundScale: Double)? {
        let (q0, q1, q2) = (q[0], q[1], q[2])
        let h = coordinates.span
        let edges = counts.edges
        let tLo = coordinates.t(edges.lowerBound), tHi = coordinates.t(edges.upperBound)
        let jLo = q1 + q2 * (2 * tLo), jHi = q1 + q2 * (2 * tHi)
        if jLo <= 0 || jHi <= 0 { return nil }
        let eLo = q0 + q1 * tLo + q2 * (tLo * tLo)
        let eHi = q0 + q1 * tHi + q2 * (tHi * tHi)
        let scale = 1 / ((shape.cdf(eHi) - shape.cdf(eLo)) * h)
        let width = edges.upperBound - edges.lowerBound
        let mid = 0.5 * (edges.lowerBound + edges.upperBound)
        var line = [Double](repeating: 0, count: counts.occupied.count), position = line
        for (k, x) in counts.occupied.enumerated() {
            let t = coordinates.t(x)
            line[k] = shape.density(q0 + q1 * t + q2 * (t * t)) * (q1 + q2 * (2 * t)) * scale
            position[k] = (x - mid) * (2 / width)
        }
        return (line, position, 1 / width)
    }

    /// Eq. 3 of the paper as printed (negative log).
    @inlinable public func paperLoss<T: RealScalar>(_ q0: T, _ q1: T, _ q2: T) -> T {
        let s = shape.sigma
        let norm = LineShape.invSqrt2Pi / s
        var sum = T(0)
        let xs = counts.occupied, ns = counts.counts
        for k in xs.indices {
            let t = coordinates.t(xs[k])
            let e = q0 + q1 * t + q2 * (t * t)
            let d1 = (e - Self.paperMu1) * (1 / s), d2 = (e - Self.paperMu2) * (1 / s)
            let g = (T.exp(d1 * d1 * -0.5) + T.exp(d2 * d2 * -0.5)) * norm
            sum += T.log(g) * ns[k]
        }
        return -sum
    }

    /// ½ Σ ((E(c_l) − E_l)/σ_l)² over the anchor lines.
    @inlinable public func anchorPenalty<T: RealScalar>(_ q0: T, _ q1: T, _ q2: T) -> T {
        var p = T(0)
        for a in anchors {
            let r = (q0 + q1 * a.t + q2 * (a.t * a.t) - a.energy) * (1 / a.sigma)
            p += r * r * 0.5
        }
        return p
    }

    // Non-generic entry points: the generic code is specialised here, inside the module.

    /// Loss at q.
    public func value(_ q: SIMD3<Double>) -> Double { loss(q[0], q[1], q[2]) }

    /// Loss and gradient at q (forward mode, ``Dual3``).
    public func valueAndGradient(_ q: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>) {
        let r = loss(Dual3.variable(q[0], index: 0), Dual3.variable(q[1], index: 1), Dual3.variable(q[2], index: 2))
        return (r.value, SIMD3(r.gradient[0], r.gradient[1], r.gradient[2]))
    }

    /// Loss, gradient and Hessian (row-major 3×3) at q (``Jet3``).
    public func valueGradientHessian(_ q: SIMD3<Double>) -> (value: Double, gradient: SIMD3<Double>, hessian: [Double]) {
        let r = loss(Jet3.variable(q[0], index: 0), Jet3.variable(q[1], index: 1), Jet3.variable(q[2], index: 2))
        return (r.value, SIMD3(r.gradient[0], r.gradient[1], r.gradient[2]), r.hessian)
    }
}
