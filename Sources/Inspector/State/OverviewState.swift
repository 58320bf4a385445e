/// The overview's axis: every cell in energy under its calibration (lines on the marks when the
/// calibration is right), or in raw ADC.
public enum OverviewAxis: Equatable, Sendable {
    case energy, adc
}

/// The overview: its axis, the precomputed mini-spectra and the jump-to-cell prompt.
public struct OverviewState: Equatable, Sendable {
    public var axis: OverviewAxis = .energy
    /// The mini-spectra, once computed for the current calibration (or an older one while the
    /// new ones are computed).
    public var spectra: MiniSpectra?
    /// Bumped on every change of the calibration in use; results of older requests are dropped.
    public var generation = 0
    public var pending = false
    /// The digits typed after `j` (jump to a cell), while the prompt is open.
    public var jump: String?
    public init() {}
}
