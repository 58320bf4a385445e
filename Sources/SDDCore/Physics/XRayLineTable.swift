/// Tabulated K-shell X-ray energies and intensity ratios for the elements that SDD experiments use.
///
/// Energies from NIST SRD 128 [D] (Deslattes et al. 2003, as tabulated in usnistgov/mass), Zn Kβ from
/// Bearden [B]; ratios Kα2/Kα1 and Kβ/Kα from Scofield's radiative rates [S]. See docs/physics.md §1.
public struct ElementLines: Sendable, Hashable, Codable {
    /// Chemical symbol, e.g. "Cu".
    public let symbol: String
    /// Kα1 energy in eV [D].
    public let kAlpha1: Double
    /// Kα2 energy in eV [D].
    public let kAlpha2: Double
    /// Kβ1,3 energy in eV [D] ([B] for Zn).
    public let kBeta: Double
    /// Intensity ratio Kα2/Kα1 [S].
    public let kAlpha2Ratio: Double
    /// Intensity ratio Kβ/Kα (Kα = Kα1 + Kα2) [S]. Real spectra differ (detector efficiency): fit it free.
    public let kBetaRatio: Double

    /// Intensity-weighted mean energy of the Kα doublet, in eV.
    public var kAlphaMean: Double { (kAlpha1 + kAlpha2Ratio * kAlpha2) / (1 + kAlpha2Ratio) }
    /// Kα1 − Kα2 splitting in eV (20 eV for Cu, eq. 4 of the paper).
    public var kAlphaSplitting: Double { kAlpha1 - kAlpha2 }
}

/// The table of elements known to sddcal.
public enum XRayLineTable {
    /// All tabulated elements, by increasing Z.
    public static let elements: [ElementLines] = [
        ElementLines(symbol: "K", kAlpha1: 3313.948, kAlpha2: 3311.196, kBeta: 3589.63, kAlpha2Ratio: 0.506, kBetaRatio: 0.116),
        ElementLines(symbol: "Ca", kAlpha1: 3691.719, kAlpha2: 3688.128, kBeta: 4012.76, kAlpha2Ratio: 0.506, kBetaRatio: 0.126),
        ElementLines(symbol: "Ti", kAlpha1: 4510.899, kAlpha2: 4504.920, kBeta: 4931.827, kAlpha2Ratio: 0.508, kBetaRatio: 0.130),
        ElementLines(symbol: "Mn", kAlpha1: 5898.801, kAlpha2: 5887.686, kBeta: 6490.585, kAlpha2Ratio: 0.510, kBetaRatio: 0.134),
        ElementLines(symbol: "Fe", kAlpha1: 6404.006, kAlpha2: 6391.026, kBeta: 7058.175, kAlpha2Ratio: 0.511, kBetaRatio: 0.134),
        ElementLines(symbol: "Cu", kAlpha1: 8047.823, kAlpha2: 8027.842, kBeta: 8905.413, kAlpha2Ratio: 0.513, kBetaRatio: 0.134),
        ElementLines(symbol: "Zn", kAlpha1: 8638.906, kAlpha2: 8615.823, kBeta: 9572.0, kAlpha2Ratio: 0.514, kBetaRatio: 0.137),
        ElementLines(symbol: "Sr", kAlpha1: 14165.20, kAlpha2: 14098.03, kBeta: 15835.89, kAlpha2Ratio: 0.521, kBetaRatio: 0.158),
        ElementLines(symbol: "Zr", kAlpha1: 15774.914, kAlpha2: 15690.645, kBeta: 17666.578, kAlpha2Ratio: 0.522, kBetaRatio: 0.164),
    ]

    /// The element with the given symbol (case-insensitive), if tabulated.
    public static func element(_ symbol: String) -> ElementLines? {
        elements.first { $0.symbol.lowercased() == symbol.lowercased() }
    }

    /// Energy of the Pauli-forbidden Cu Kα transition searched for by VIP-2, in eV (docs/physics.md §2).
    public static let pauliForbiddenCuKalpha = 7746.73
    /// Energy lost to a silicon escape peak, in eV (docs/physics.md §5).
    public static let siliconEscapeEnergy = 1740.0
}
