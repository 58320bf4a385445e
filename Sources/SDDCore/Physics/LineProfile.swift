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
    /// Typical relative yields (per line id, relative to the strongest) used by the simulator.
    public let typicalYields: [String: Double]

    public init(name: String, lines: [SpectralLine], calibrationLineIDs: [String],
                adcWindow: ClosedRange<Double>, typicalYields: [String: Double]) {
        self.name = name
        self.lines = lines.sorted { $0.energy < $1.energy }
        self.calibrationLineIDs = calibrationLineIDs
        self.adcWindow = adcWindow
        self.typicalYields = typicalYields
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
                            "CuKa": 0.01, "CuKb": 0.01 * 0.134])
    }()

    /// SIDDHARTA-2 style calibration set-up: Ti, Fe, Cu and Sr Kα (with their Kβ lines present).
    public static let siddharta2: LineProfile = {
        let ids = ["TiKa", "TiKb", "FeKa", "FeKb", "CuKa", "CuKb", "SrKa", "SrKb"]
        return LineProfile(
            name: "siddharta2",
            lines: ids.compactMap { SpectralLine(id: $0) },
            calibrationLineIDs: ["TiKa", "FeKa", "CuKa", "SrKa"],
            adcWindow: 1500...6500,
            typicalYields: ["TiKa": 0.5, "TiKb": 0.065, "FeKa": 1.0, "FeKb": 0.134,
                            "CuKa": 0.4, "CuKb": 0.054, "SrKa": 0.3, "SrKb": 0.047])
    }()

    /// Profiles known by name.
    public static let builtIn: [LineProfile] = [.vip2, .siddharta2]

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
        // Window from the nominal VIP-2 gain (~3.1 eV/ADC, zero near ADC 600) with a margin.
        let energies = lines.map(\.energy)
        let lo = 600 + (energies.min()! * 0.85) / 3.1, hi = 600 + (energies.max()! * 1.15) / 3.1
        let w = (hi - lo) / 300
        let step = Swift.max(1, (w).rounded(.up))
        var yields: [String: Double] = [:]
        for l in all { yields[l.id] = l.kind == .kAlpha ? 1.0 : 0.13 }
        return LineProfile(name: name, lines: all, calibrationLineIDs: lines.sorted { $0.energy < $1.energy }.map(\.id),
                           adcWindow: lo.rounded(.down)...(lo.rounded(.down) + 300 * step), typicalYields: yields)
    }
}
