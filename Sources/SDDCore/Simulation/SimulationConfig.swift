/// Settings of a VIP-2-like simulation. Defaults follow docs/physics.md §6–§7: gains 2.9–3.3 eV/ADC, zero
/// energy near ADC 600, Cu Kα ~100× weaker than Mn Kα, Cu Kα FWHM near the 176 eV hardware limit.
public struct SimulationConfig: Sendable, Hashable, Codable {
    public var cells: Int = 32
    public var days: Double = 30
    public var seed: UInt64 = 1
    public var profileName: String = "vip2"
    /// Mean number of recorded events per cell per day (32 cells × 30 days ≈ 10⁷ events).
    public var eventsPerCellPerDay: Double = 10_400
    /// Cu Kα yield relative to Mn Kα (nominal; each cell varies by ±30%).
    public var cuToMnKalpha: Double = 0.012
    /// Fraction of events in the continuum.
    public var continuumFraction: Double = 0.05
    /// Add silicon escape peaks (E − 1740 eV, 0.5% of each line).
    public var escapePeaks: Bool = true
    /// Range of the equivalent noise charge per cell (e⁻): 11.9 e⁻ gives 176 eV at Cu Kα.
    public var encRange: ClosedRange<Double> = 11.4...12.4
    /// Range of the tail area fraction and slope per cell (docs/physics.md §4: 0.02–0.05, 1.3–1.5).
    public var tailFractionRange: ClosedRange<Double> = 0.02...0.05
    public var tailSlopeRange: ClosedRange<Double> = 1.3...1.5
    /// Range of gains p1 (eV/ADC) and of the zero-energy ADC per cell.
    public var gainRange: ClosedRange<Double> = 2.9...3.3
    public var zeroADCRange: ClosedRange<Double> = 570...630
    /// Range of the quadratic term p2 (eV/ADC²).
    public var quadraticRange: ClosedRange<Double> = -2e-6...2e-6
    /// Random-walk step of the relative gain per √day (knots every `walkInterval`, linear in between;
    /// each knot's step is scaled by √(interval/day), so the drift per day does not depend on the spacing).
    public var gainWalk: Double = 1.5e-3
    /// Random-walk step of the ADC offset per √day.
    public var offsetWalk: Double = 0.5
    /// Spacing (s) of the random walk's knots; nil = daily (what version-1 truth files without the
    /// field were made with). A finer spacing (e.g. hourly) keeps a calibration method from being
    /// tuned to daily knots.
    public var walkStepSeconds: Double?
    /// The knot spacing in effect (s).
    public var walkInterval: Double { walkStepSeconds ?? 86400 }
    /// Number of sudden gain steps planted in random cells at random times.
    public var steps: Int = 0
    /// Range of the relative size of a planted gain step (sign random).
    public var stepSize: ClosedRange<Double> = 0.004...0.008
    /// Highest ADC value recorded (saturation, docs/physics.md §6: ≈ 7900).
    public var saturationADC: Int = 7900
    /// Miscalibrations to plant (nil: none; the run and its truth file are then as without the field).
    public var faults: FaultPlan?

    public init() {}

    /// The default with `steps` scaled to the number of cells (one per 8 cells).
    public static func vip2(cells: Int = 32, days: Double = 30, seed: UInt64 = 1) -> SimulationConfig {
        var c = SimulationConfig()
        c.cells = cells; c.days = days; c.seed = seed
        c.steps = (cells + 7) / 8
        return c
    }
}
