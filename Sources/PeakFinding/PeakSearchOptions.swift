import SDDCore

/// The parameters of `scipy.signal.find_peaks`, with the same names and meanings.
///
/// A nil condition is not applied (and its properties are not computed), as `None` in SciPy.
/// Conditions are applied in SciPy's order — plateau size, height, threshold, distance,
/// prominence, width — each on the peaks the previous ones left, which changes results when
/// `distance` is combined with other conditions.
public struct PeakSearchOptions: Sendable, Hashable, Codable {
    /// Required peak height `x[peak]`.
    public var height: PeakCondition?
    /// Required vertical distance to both direct neighbours: the smaller of the two differences
    /// must reach the minimum, the larger must not exceed the maximum.
    public var threshold: PeakCondition?
    /// Required horizontal distance (≥ 1 samples, rounded up) between neighbouring peaks; lower
    /// peaks are removed first. Of two equal peaks the one further right is kept (SciPy leaves
    /// this tie order to NumPy's unstable argsort; a stable order is the one reproducible choice).
    public var distance: Double?
    /// Required prominence (`peak_prominences`).
    public var prominence: PeakCondition?
    /// Required width at `relHeight` (`peak_widths`), in samples.
    public var width: PeakCondition?
    /// Window length for prominences in samples (> 1, rounded up to an odd number, centred on the
    /// peak); nil uses the whole signal. Used only with `prominence` or `width`.
    public var wlen: Double?
    /// Relative height at which widths are measured (≥ 0; 0.5 = half prominence). Used with `width`.
    public var relHeight: Double
    /// Required number of samples of a flat peak top.
    public var plateauSize: PeakCondition?

    public init(height: PeakCondition? = nil, threshold: PeakCondition? = nil, distance: Double? = nil,
                prominence: PeakCondition? = nil, width: PeakCondition? = nil, wlen: Double? = nil,
                relHeight: Double = 0.5, plateauSize: PeakCondition? = nil) {
        self.height = height
        self.threshold = threshold
        self.distance = distance
        self.prominence = prominence
        self.width = width
        self.wlen = wlen
        self.relHeight = relHeight
        self.plateauSize = plateauSize
    }

    /// Checks every parameter, throwing a one-line error naming the bad one (SciPy's rules:
    /// distance ≥ 1, wlen > 1, rel_height ≥ 0; NaN in a condition is refused).
    public func validate() throws {
        try height?.validate("height")
        try threshold?.validate("threshold")
        try prominence?.validate("prominence")
        try width?.validate("width")
        try plateauSize?.validate("plateau_size")
        if let d = distance, !(d >= 1) || d.isInfinite {
            throw SDDError.invalidArgument("distance", "must be a finite number ≥ 1, was \(d)")
        }
        // As in SciPy, wlen and rel_height matter (and are checked) only where they are used.
        if prominence != nil || width != nil { _ = try PeakProminences.halfWindow(wlen) }
        if width != nil, !(relHeight >= 0) || relHeight.isInfinite {
            throw SDDError.invalidArgument("rel_height", "must be a finite number ≥ 0, was \(relHeight)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case height, threshold, distance, prominence, width, wlen
        case relHeight = "rel_height"
        case plateauSize = "plateau_size"
    }
}
