/// The parameters of a fit: names, starting values, bounds, and which are fixed or tied to others.
///
/// A tied parameter follows another linearly, θ_k = scale·θ_source + offset (e.g. the Kβ width as a fixed
/// multiple of the Kα width); the minimizer sees only the free parameters.
public struct FitParameters: Sendable, Equatable {
    /// A linear tie θ_k = scale·θ_source + offset.
    public struct Tie: Sendable, Equatable {
        public var source: Int
        public var scale: Double
        public var offset: Double
    }

    public private(set) var names: [String]
    public var values: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var fixed: [Bool]
    /// Ties by parameter index; a source must itself be free or fixed (not tied).
    public var ties: [Int: Tie]

    public init(names: [String], values: [Double]) {
        precondition(names.count == values.count, "one value per parameter")
        self.names = names
        self.values = values
        lower = Array(repeating: -.infinity, count: names.count)
        upper = Array(repeating: .infinity, count: names.count)
        fixed = Array(repeating: false, count: names.count)
        ties = [:]
    }

    public var count: Int { names.count }

    /// Index of a parameter by name (traps on an unknown name: a programming error).
    public func index(_ name: String) -> Int {
        guard let i = names.firstIndex(of: name) else { preconditionFailure("unknown fit parameter '\(name)'") }
        return i
    }

    public subscript(_ name: String) -> Double {
        get { values[index(name)] }
        set { values[index(name)] = newValue }
    }

    /// Holds a parameter at its current (or the given) value.
    public mutating func fix(_ name: String, at value: Double? = nil) {
        let i = index(name)
        if let v = value { values[i] = v }
        fixed[i] = true
    }

    /// Releases a fixed or tied parameter.
    public mutating func release(_ name: String) {
        let i = index(name)
        fixed[i] = false
        ties[i] = nil
    }

    /// Sets bounds lower ≤ θ ≤ upper.
    public mutating func bound(_ name: String, _ lo: Double, _ hi: Double) {
        precondition(lo <= hi, "empty bounds for '\(name)'")
        let i = index(name)
        lower[i] = lo
        upper[i] = hi
    }

    /// Ties `name` to `source`: θ_name = scale·θ_source + offset.
    public mutating func tie(_ name: String, to source: String, scale: Double = 1, offset: Double = 0) {
        let i = index(name), s = index(source)
        precondition(i != s && ties[s] == nil, "a tie source must not itself be tied")
        ties[i] = Tie(source: s, scale: scale, offset: offset)
    }

    /// Indices the minimizer varies.
    public var freeIndices: [Int] { (0..<count).filter { !fixed[$0] && ties[$0] == nil } }

    /// Applies the ties to a full parameter vector.
    func resolved(_ theta: [Double]) -> [Double] {
        var t = theta
        for (k, tie) in ties { t[k] = tie.scale * t[tie.source] + tie.offset }
        return t
    }
}
