import Foundation

/// One cell's calibration as a continuous function of time: E(ADC, t) = p0(t) + p1(t)·ADC + p2(t)·ADC².
///
/// The coefficients are given at knot times t₀ < t₁ < … and interpolated linearly in
/// θ = (p0, ln p1, p2) between neighbouring knots: the offset and the quadratic term linearly, the gain
/// p1 geometrically (log-gain linear), matching a detector whose gain drifts multiplicatively. Before
/// the first and after the last knot the nearest knot's coefficients hold (no extrapolation).
///
/// Uncertainty: `covariance[k]` is the 3×3 covariance of (p0, p1, p2) at knot k. Between knots the
/// interpolated θ(t) = (1−w)·θₖ + w·θₖ₊₁ has covariance (1−w)²Cₖ + w²Cₖ₊₁ + w(1−w)(Xₖ + Xₖᵀ), with
/// Xₖ = Cov(θₖ, θₖ₊₁) from `intervalCovariance[k]` when given. Without it the variance is interpolated
/// linearly, (1−w)Cₖ + wCₖ₊₁, an upper bound whatever the correlation between the two knots
/// (Var(aX + bY) ≤ a·Var X + b·Var Y for a + b = 1). The ln p1 coordinate's covariance follows from
/// (p0, p1, p2)'s by the delta method (d ln p1 = dp1 / p1).
///
/// JSON (inside a cell of a version-2 calibration file; every array has one entry per knot, or per
/// interval for `interval_covariance`):
/// `{ "interpolation": "linear-p0,log-p1,linear-p2", "knots": [t…], "p0": […], "p1": […], "p2": […],
///    "covariance": [[9 numbers]…], "interval_covariance": [[9 numbers]…] }`, the last two optional.
/// The decoder rejects empty or unsorted knots, length mismatches, non-finite values and p1 ≤ 0,
/// naming the field and index.
public struct CalibrationTimeline: Sendable, Equatable, Codable {
    /// How coefficients are interpolated between knots (one scheme today; the field keeps files explicit).
    public enum Interpolation: String, Sendable, Codable {
        /// p0 and p2 linear in time, p1 linear in log (geometric).
        case linearP0LogP1LinearP2 = "linear-p0,log-p1,linear-p2"
    }

    public var interpolation: Interpolation
    /// Knot times (s), strictly increasing, at least one.
    public private(set) var knots: [Double]
    /// Coefficients at each knot; p1 > 0.
    public private(set) var p0: [Double]
    public private(set) var p1: [Double]
    public private(set) var p2: [Double]
    /// Row-major 3×3 covariance of (p0, p1, p2) at each knot, if known.
    public private(set) var covariance: [[Double]]?
    /// Row-major 3×3 Cov((p0, p1, p2) at knot k, (p0, p1, p2) at knot k+1), rows knot k, if known.
    public private(set) var intervalCovariance: [[Double]]?

    // ln p1 per knot, precomputed for evaluation (not encoded).
    private var logP1: [Double]

    /// A timeline from per-knot coefficients; throws `SDDError.invalidArgument` naming the field on
    /// inconsistent input (the same checks as decoding a file).
    public init(knots: [Double], p0: [Double], p1: [Double], p2: [Double],
                covariance: [[Double]]? = nil, intervalCovariance: [[Double]]? = nil,
                interpolation: Interpolation = .linearP0LogP1LinearP2) throws {
        if let problem = Self.problem(knots: knots, p0: p0, p1: p1, p2: p2, covariance: covariance,
                                      intervalCovariance: intervalCovariance) {
            throw SDDError.invalidArgument("timeline." + problem.field, problem.message)
        }
        self.interpolation = interpolation
        self.knots = knots; self.p0 = p0; self.p1 = p1; self.p2 = p2
        self.covariance = covariance; self.intervalCovariance = intervalCovariance
        self.logP1 = p1.map { Foundation.log($0) }
    }

    /// A timeline with one knot: the same calibration at every time.
    public init(constant c: EnergyCalibration, at time: Double = 0) throws {
        try self.init(knots: [time], p0: [c.p0], p1: [c.p1], p2: [c.p2],
                      covariance: c.covariance.map { [$0] })
    }

    public var knotCount: Int { knots.count }

    /// The coefficients (with covariance when known) at knot k.
    public func knot(_ k: Int) -> EnergyCalibration {
        EnergyCalibration(p0: p0[k], p1: p1[k], p2: p2[k], covariance: covariance?[k])
    }

    /// The interval [k, k+1] that contains t and the weight w ∈ [0, 1] of knot k+1; clamped outside.
    @inline(__always) func locate(_ t: Double) -> (k: Int, w: Double) {
        let n = knots.count
        if n == 1 || !(t > knots[0]) { return (0, 0) }   // also NaN: the first knot
        if t >= knots[n - 1] { return (n - 2, 1) }
        // Binary search for the last knot ≤ t.
        var lo = 0, hi = n - 1
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if knots[mid] <= t { lo = mid } else { hi = mid }
        }
        return (lo, (t - knots[lo]) / (knots[lo + 1] - knots[lo]))
    }

    /// The calibration at time t, with the covariance of its coefficients when the knots have one.
    public func calibration(at t: Double) -> EnergyCalibration {
        let (k, w) = locate(t)
        if knots.count == 1 { return knot(0) }
        var c = coefficients(k, w)
        if let cov = covariance {
            c.covariance = w == 0 ? cov[k] : w == 1 ? cov[k + 1] : interpolatedCovariance(k, w, cov, c.p1)
        }
        return c
    }

    /// Energy (eV) of an ADC value at time t.
    @inlinable public func energy(adc: Double, time t: Double) -> Double {
        calibration(at: t).energy(adc)
    }

    @inline(__always) func coefficients(_ k: Int, _ w: Double) -> EnergyCalibration {
        if knots.count == 1 { return EnergyCalibration(p0: p0[0], p1: p1[0], p2: p2[0]) }
        // Exactly the knot's coefficients at the knot (exp(ln p1) would round).
        if w == 0 { return EnergyCalibration(p0: p0[k], p1: p1[k], p2: p2[k]) }
        if w == 1 { return EnergyCalibration(p0: p0[k + 1], p1: p1[k + 1], p2: p2[k + 1]) }
        let v = 1 - w
        return EnergyCalibration(p0: v * p0[k] + w * p0[k + 1],
                                 p1: Foundation.exp(v * logP1[k] + w * logP1[k + 1]),
                                 p2: v * p2[k] + w * p2[k + 1])
    }

    /// Covariance of (p0, p1, p2) at weight w of interval k (see the type's documentation).
    func interpolatedCovariance(_ k: Int, _ w: Double, _ cov: [[Double]], _ p1t: Double) -> [Double] {
        // Work in θ = (p0, ln p1, p2): J = diag(1, 1/p1, 1) at each knot.
        func toTheta(_ c: [Double], _ sa: Double, _ sb: Double) -> [Double] {
            // scale row index 1 by sa and column index 1 by sb
            var r = c
            for i in 0..<3 { r[3 * 1 + i] *= sa; r[3 * i + 1] *= sb }
            return r
        }
        let v = 1 - w
        let a = toTheta(cov[k], 1 / p1[k], 1 / p1[k])
        let b = toTheta(cov[k + 1], 1 / p1[k + 1], 1 / p1[k + 1])
        var out = [Double](repeating: 0, count: 9)
        if let xs = intervalCovariance {
            let x = toTheta(xs[k], 1 / p1[k], 1 / p1[k + 1])
            for i in 0..<3 {
                for j in 0..<3 {
                    out[3 * i + j] = v * v * a[3 * i + j] + w * w * b[3 * i + j]
                        + v * w * (x[3 * i + j] + x[3 * j + i])
                }
            }
        } else {
            for i in 0..<9 { out[i] = v * a[i] + w * b[i] }
        }
        // Back to p1 = exp(ln p1): J = diag(1, p1(t), 1).
        return toTheta(out, p1t, p1t)
    }

    /// Evaluates the timeline at a time-ordered stream of times in amortised O(1) per call and without
    /// allocating: it remembers the current knot interval and walks forward (or searches when time jumps back).
    public struct Cursor: Sendable {
        public let timeline: CalibrationTimeline
        private var k = -1
        // The cached piece [lo, hi]: an interval's end values (interpolated per call), or a constant
        // (one knot, or clamped before the first / after the last knot). Empty at first.
        private var lo = Double.infinity, hi = -Double.infinity
        private var constant = false
        private var a0 = 0.0, b0 = 0.0, a1 = 0.0, b1 = 0.0, la = 0.0, lb = 0.0, a2 = 0.0, b2 = 0.0
        private var last = EnergyCalibration(p0: 0, p1: 1)

        public init(_ timeline: CalibrationTimeline) { self.timeline = timeline }

        /// The coefficients at time t (no covariance); bit-identical to `calibration(at:)`'s.
        public mutating func calibration(at t: Double) -> EnergyCalibration {
            if !(t >= lo && t <= hi) { enter(t) }
            if constant { return last }
            let w = (t - lo) / (hi - lo)
            // The same arithmetic as `coefficients(_:_:)`, from cached end values (no array access).
            if w == 0 { return EnergyCalibration(p0: a0, p1: a1, p2: a2) }
            if w == 1 { return EnergyCalibration(p0: b0, p1: b1, p2: b2) }
            let v = 1 - w
            return EnergyCalibration(p0: v * a0 + w * b0, p1: Foundation.exp(v * la + w * lb), p2: v * a2 + w * b2)
        }

        /// Caches the piece that holds t: the next interval in time order, else found by search.
        private mutating func enter(_ t: Double) {
            let knots = timeline.knots
            let n = knots.count
            if n == 1 || !(t > knots[0]) || t >= knots[n - 1] {
                let j = n == 1 || !(t > knots[0]) ? 0 : n - 1
                last = EnergyCalibration(p0: timeline.p0[j], p1: timeline.p1[j], p2: timeline.p2[j])
                constant = true
                if n == 1 { lo = -.infinity; hi = .infinity }
                else if j == 0 { lo = t.isNaN ? .infinity : -.infinity; hi = t.isNaN ? -.infinity : knots[0] }
                else { lo = knots[n - 1]; hi = .infinity }
                k = -1
                return
            }
            if k >= 0 && k + 2 < n && t > knots[k + 1] && t <= knots[k + 2] { k += 1 } else { k = timeline.locate(t).k }
            constant = false
            lo = knots[k]; hi = knots[k + 1]
            a0 = timeline.p0[k]; b0 = timeline.p0[k + 1]
            a1 = timeline.p1[k]; b1 = timeline.p1[k + 1]
            la = timeline.logP1[k]; lb = timeline.logP1[k + 1]
            a2 = timeline.p2[k]; b2 = timeline.p2[k + 1]
        }

        /// Energy (eV) of an ADC value at time t.
        @inline(__always) public mutating func energy(adc: Double, time t: Double) -> Double {
            calibration(at: t).energy(adc)
        }
    }

    // MARK: - Validation and coding

    /// The first inconsistency of the arrays, as (field path relative to the timeline, message).
    static func problem(knots: [Double], p0: [Double], p1: [Double], p2: [Double],
                        covariance: [[Double]]?, intervalCovariance: [[Double]]?) -> (field: String, message: String)? {
        let n = knots.count
        guard n >= 1 else { return ("knots", "needs at least one knot") }
        for (i, t) in knots.enumerated() {
            guard t.isFinite else { return ("knots[\(i)]", "not a finite number") }
            if i > 0 && !(t > knots[i - 1]) {
                return ("knots[\(i)]", "knots must be strictly increasing (\(t) after \(knots[i - 1]))")
            }
        }
        for (name, a) in [("p0", p0), ("p1", p1), ("p2", p2)] {
            guard a.count == n else { return (name, "\(a.count) values for \(n) knots") }
            if let i = a.firstIndex(where: { !$0.isFinite }) { return ("\(name)[\(i)]", "not a finite number") }
        }
        if let i = p1.firstIndex(where: { !($0 > 0) }) {
            return ("p1[\(i)]", "must be positive (the gain is interpolated in log)")
        }
        for (name, list, count) in [("covariance", covariance, n), ("interval_covariance", intervalCovariance, n - 1)] {
            guard let list else { continue }
            guard list.count == count else { return (name, "\(list.count) matrices for \(count) \(count == n ? "knots" : "intervals")") }
            for (i, m) in list.enumerated() {
                guard m.count == 9 else { return ("\(name)[\(i)]", "must hold 9 numbers (row-major 3×3), has \(m.count)") }
                if let j = m.firstIndex(where: { !$0.isFinite }) { return ("\(name)[\(i)][\(j)]", "not a finite number") }
            }
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case interpolation, knots, p0, p1, p2, covariance
        case intervalCovariance = "interval_covariance"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let interpolation = try c.decodeIfPresent(Interpolation.self, forKey: .interpolation) ?? .linearP0LogP1LinearP2
        let knots = try c.decode([Double].self, forKey: .knots)
        let p0 = try c.decode([Double].self, forKey: .p0)
        let p1 = try c.decode([Double].self, forKey: .p1)
        let p2 = try c.decode([Double].self, forKey: .p2)
        let cov = try c.decodeIfPresent([[Double]].self, forKey: .covariance)
        let xcov = try c.decodeIfPresent([[Double]].self, forKey: .intervalCovariance)
        if let problem = Self.problem(knots: knots, p0: p0, p1: p1, p2: p2, covariance: cov, intervalCovariance: xcov) {
            // The field path goes in a coding key so the file loader names it (cells[2].timeline.p1[3]).
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [FieldKey(problem.field)],
                                                    debugDescription: problem.message))
        }
        try self.init(knots: knots, p0: p0, p1: p1, p2: p2, covariance: cov, intervalCovariance: xcov,
                      interpolation: interpolation)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(interpolation, forKey: .interpolation)
        try c.encode(knots, forKey: .knots)
        try c.encode(p0, forKey: .p0)
        try c.encode(p1, forKey: .p1)
        try c.encode(p2, forKey: .p2)
        try c.encodeIfPresent(covariance, forKey: .covariance)
        try c.encodeIfPresent(intervalCovariance, forKey: .intervalCovariance)
    }

    public static func == (a: CalibrationTimeline, b: CalibrationTimeline) -> Bool {
        a.interpolation == b.interpolation && a.knots == b.knots && a.p0 == b.p0 && a.p1 == b.p1 && a.p2 == b.p2
            && a.covariance == b.covariance && a.intervalCovariance == b.intervalCovariance
    }

    /// A coding key carrying a ready-made field path (e.g. "p1[3]") for error messages.
    struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}
