import Foundation

/// A named set of lines that a detector sees and that calibrates it, with the subset that the
/// centroid predictors (CNN, peak finder) locate, and the ADC window they look at.
public struct LineProfile: Sendable, Hashable, Codable {
    public let name: String
    /// Every line present in the spectrum, by increasing energy.
    public let lines: [SpectralLine]
    /// Identifiers of the lines whose centroids are predicted (the CNN's outputs), by increasing energy.
    public let calibrationLineIDs: [String]
    /// Expected ADC window covering the calibration lines (lower, upper), used as CNN input range.
    public let adcWindow: ClosedRange<Double>
    /// Typical relative yields (per line id, relative to the strongest) used by the simulator and, as
    /// expected relative peak heights, by line identification.
    public let typicalYields: [String: Double]
    /// The usual gain (eV per ADC) of the set-up, when it has one (VIP-2, SIDDHARTA-2: 3.1): only a
    /// tie-breaker for identification, which searches any gain. nil for sources used on any MCA.
    public let nominalGain: Double?
    /// The usual ADC of zero energy, with `nominalGain`.
    public let nominalZeroADC: Double?

    public init(name: String, lines: [SpectralLine], calibrationLineIDs: [String],
                adcWindow: ClosedRange<Double>, typicalYields: [String: Double],
                nominalGain: Double? = nil, nominalZeroADC: Double? = nil) {
        self.name = name
        self.lines = lines.sorted { $0.energy < $1.energy }
        self.calibrationLineIDs = calibrationLineIDs
        self.adcWindow = adcWindow
        self.typicalYields = typicalYields
        self.nominalGain = nominalGain
        self.nominalZeroADC = nominalZeroADC
    }

    /// The Kα line of the same element as a Kβ line of the profile (nil for a Kα, or when absent): the
    /// pair whose intensity ratio (Kβ/Kα ≈ 0.12–0.16, docs/physics.md §1) tells a Kβ from a Kα.
    public func kAlphaPartner(of line: SpectralLine) -> SpectralLine? {
        guard line.kind == .kBeta else { return nil }
        return lines.first { $0.element == line.element && $0.kind == .kAlpha }
    }

    /// The expected Kβ/Kα intensity ratio of an element (Scofield [S], docs/physics.md §1).
    public static func kBetaRatio(element: String) -> Double {
        XRayLineTable.element(element)?.kBetaRatio ?? 0.13
    }

    /// The lines whose centroids are predicted, in output order.
    public var calibrationLines: [SpectralLine] {
        calibrationLineIDs.compactMap { id in lines.first { $0.id == id } }
    }

    /// The line with the given identifier, if part of the profile.
    public func line(_ id: String) -> SpectralLine? { lines.first { $0.id == id } }

    /// VIP-2: Ti and Mn fluorescence from the Fe-55 source, Cu from the target (~100× weaker than
    /// Mn Kα, docs/physics.md §7). A 300-bin window of 10 ADC per bin over ADC 1500–4500 covers Ti to Cu Kβ.
    public static let vip2: LineProfile = {
        let ids = ["TiKa", "TiKb", "MnKa", "MnKb", "CuKa", "CuKb"]
        return LineProfile(
            name: "vip2",
            lines: ids.compactMap { SpectralLine(id: $0) },
            calibrationLineIDs: ["TiKa", "TiKb", "MnKa", "MnKb", "CuKa"],
            adcWindow: 1500...4500,
            typicalYields: ["TiKa": 0.6, "TiKb": 0.6 * 0.13, "MnKa": 1.0, "MnKb": 0.134,
                            "CuKa": 0.01, "CuKb": 0.01 * 0.134],
            nominalGain: 3.1, nominalZeroADC: 600)
    }()

    /// SIDDHARTA-2: X-ray tubes on both sides of the target cell excite high-purity Ti and Cu strips on
    /// its walls (SIDDHARTA-2 calibration method, Sgaramella et al. 2022, docs/physics.md §10): Ti Kα/Kβ
    /// and Cu Kα/Kβ calibrate every SDD. Same SDD family as VIP-2: 2.92–3.25 eV/ADC, zero near ADC 600.
    public static let siddharta2: LineProfile = {
        let ids = ["TiKa", "TiKb", "CuKa", "CuKb"]
        return LineProfile(
            name: "siddharta2",
            lines: ids.compactMap { SpectralLine(id: $0) },
            calibrationLineIDs: ids,
            adcWindow: 1500...4500,
            typicalYields: ["TiKa": 0.7, "TiKb": 0.7 * 0.130, "CuKa": 1.0, "CuKb": 0.134],
            nominalGain: 3.1, nominalZeroADC: 600)
    }()

    /// An Fe-55 source (e.g. on an Amptek X-123): Mn Kα and Mn Kβ, both calibration lines. No gain prior:
    /// any MCA gain is found from the Kα/Kβ pattern.
    public static let fe55: LineProfile = elementPair("fe55", "Mn")

    /// A Zn-65 source: Cu Kα and Cu Kβ (electron capture to Cu), both calibration lines, no gain prior.
    public static let zn65: LineProfile = elementPair("zn65", "Cu")

    /// Kα and Kβ of one element as a two-line profile without a gain prior.
    static func elementPair(_ name: String, _ element: String) -> LineProfile {
        let a = SpectralLine(element: element, kind: .kAlpha)!, b = SpectralLine(element: element, kind: .kBeta)!
        let ratio = XRayLineTable.element(element)!.kBetaRatio
        return LineProfile(name: name, lines: [a, b], calibrationLineIDs: [a.id, b.id],
                           adcWindow: Self.window(energies: [a.energy, b.energy]),
                           typicalYields: [a.id: 1, b.id: ratio])
    }

    /// Profiles known by name.
    public static let builtIn: [LineProfile] = [.vip2, .siddharta2, .fe55, .zn65]

    /// A built-in profile by name, or a custom one from a comma-separated list of line ids
    /// ("TiKa,FeKa,CuKa,SrKa"): every listed Kα brings its Kβ into the spectrum.
    public static func named(_ name: String) -> LineProfile? {
        if let p = builtIn.first(where: { $0.name == name.lowercased() }) { return p }
        let ids = name.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let lines = ids.compactMap { SpectralLine(id: $0) }
        guard !lines.isEmpty, lines.count == ids.count else { return nil }
        var all = lines
        for l in lines where l.kind == .kAlpha {
            if let b = SpectralLine(element: l.element, kind: .kBeta), !all.contains(b) { all.append(b) }
        }
        var yields: [String: Double] = [:]
        for l in all { yields[l.id] = l.kind == .kAlpha ? 1.0 : kBetaRatio(element: l.element) }
        return LineProfile(name: name, lines: all, calibrationLineIDs: lines.sorted { $0.energy < $1.energy }.map(\.id),
                           adcWindow: window(energies: lines.map(\.energy)), typicalYields: yields)
    }

    /// A 300-bin CNN window from the nominal VIP-2 gain (~3.1 eV/ADC, zero near ADC 600) with a margin.
    static func window(energies: [Double]) -> ClosedRange<Double> {
        let lo = 600 + (energies.min()! * 0.85) / 3.1, hi = 600 + (energies.max()! * 1.15) / 3.1
        let step = Swift.max(1, ((hi - lo) / 300).rounded(.up))
        return lo.rounded(.down)...(lo.rounded(.down) + 300 * step)
    }
}
