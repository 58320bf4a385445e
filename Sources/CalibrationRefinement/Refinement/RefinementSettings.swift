import SDDCore

/// Everything `sddcal optimize` can choose.
public struct RefinementSettings: Sendable, Codable, Hashable {
    /// The likelihood (default: the well-posed window density with anchors).
    public var loss: LossKind = .windowDensity
    public var optimizer: OptimizerSettings = .defaults(for: .newton)
    /// The region of interest in eV, mapped to a fixed ADC window by each batch's starting calibration
    /// (7000–8500 eV: the VIP-2 ROI of the paper).
    public var energyWindow: ClosedRange<Double> = 7000...8500
    /// The line whose events are fitted unbinned.
    public var lineID: String = "CuKa"
    /// Tail of the line shape: area fraction and slope (β, in σ). With `tailFromData` they are measured
    /// per cell on its strongest other Kα line (Mn Kα for vip2, ~100× the Cu counts), and these values
    /// are the fallback when that fit fails: the middle of the typical ranges of docs/physics.md §4
    /// (f_T ≈ 0.02–0.05, β ≈ 1.3–1.5).
    public var tailFraction: Double = 0.035
    public var tailSlope: Double = 1.4
    public var tailFromData: Bool = true
    /// Resolution: FWHM (eV) at the line, or nil to derive it per cell from the widths (`sigma_adc`) of
    /// the other lines in the calibration file through the Fano/ENC model of ``DetectorResponse``.
    public var lineFWHM: Double?
    /// Fano factor and pair energy for that extrapolation (docs/physics.md §3: F = 0.119, w = 3.749 eV).
    public var fano: Double = 0.119
    public var pairEnergy: Double = 3.749
    /// Batches with fewer window events than this are left as they are (status says why).
    public var minimumWindowEvents: Int = 20

    public init() {}
}
