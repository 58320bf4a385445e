import Foundation

/// Whether a spectral line is a Kα doublet or a Kβ line.
public enum LineKind: String, Sendable, Codable, Hashable {
    case kAlpha = "Ka"
    case kBeta = "Kb"
}

/// One observable line of a spectrum (e.g. Cu Kα, the Kα1/Kα2 doublet), made of one or two components.
public struct SpectralLine: Sendable, Hashable, Codable {
    /// One emission component: energy in eV and intensity relative to the strongest component.
    public struct Component: Sendable, Hashable, Codable {
        public let energy: Double
        public let relativeIntensity: Double
        public init(energy: Double, relativeIntensity: Double) {
            self.energy = energy
            self.relativeIntensity = relativeIntensity
        }
    }

    /// Element symbol, e.g. "Cu".
    public let element: String
    public let kind: LineKind
    /// Components (Kα: Kα1 then Kα2; Kβ: one).
    public let components: [Component]

    /// Short identifier used in files and on the command line, e.g. "CuKa", "TiKb".
    public var id: String { element + kind.rawValue }
    /// Human label, e.g. "Cu Kα".
    public var label: String { element + (kind == .kAlpha ? " Kα" : " Kβ") }
    /// Intensity-weighted mean energy in eV: the energy a centroid of this line calibrates to.
    public var energy: Double {
        let w = components.reduce(0) { $0 + $1.relativeIntensity }
        return components.reduce(0) { $0 + $1.energy * $1.relativeIntensity } / w
    }

    /// Uncertainty (eV) of `energy` as the energy a fitted centroid calibrates to (docs/physics.md §11):
    /// for a Kα, the Kα2/Kα1 ratio known to ±0.02 ([S] against measurements) moves the doublet's mean by
    /// splitting·0.02/(1 + r)², and the asymmetric natural line shape (satellites) by ~0.5 eV; a Kβ1,3 is
    /// a blend with its Kβ′ satellite, ~1 eV. The tabulated peak energies' own errors ([D], ≤ 0.1 eV)
    /// are negligible next to these.
    public var energyUncertainty: Double {
        switch kind {
        case .kBeta: return 1.0
        case .kAlpha:
            guard components.count == 2 else { return 0.5 }
            let r = components[1].relativeIntensity / components[0].relativeIntensity
            let ratio = abs(components[0].energy - components[1].energy) * 0.02 / ((1 + r) * (1 + r))
            return (ratio * ratio + 0.25).squareRoot()
        }
    }

    public init(element: String, kind: LineKind, components: [Component]) {
        self.element = element
        self.kind = kind
        self.components = components
    }

    /// The Kα doublet or Kβ line of a tabulated element.
    public init?(element symbol: String, kind: LineKind) {
        guard let e = XRayLineTable.element(symbol) else { return nil }
        switch kind {
        case .kAlpha:
            self.init(element: e.symbol, kind: .kAlpha, components: [
                Component(energy: e.kAlpha1, relativeIntensity: 1),
                Component(energy: e.kAlpha2, relativeIntensity: e.kAlpha2Ratio),
            ])
        case .kBeta:
            self.init(element: e.symbol, kind: .kBeta, components: [Component(energy: e.kBeta, relativeIntensity: 1)])
        }
    }

    /// Parses "CuKa", "Cu Kα", "cukb", "MnKb".
    public init?(id: String) {
        // Ids as the profiles write them ("TiKa": ASCII, no space) need none of the replacements,
        // which cost more than the rest (views look labels up by id on every frame).
        let plain = id.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: " ") }
        let s = plain ? id : id.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "α", with: "a")
            .replacingOccurrences(of: "β", with: "b")
        guard s.count >= 3 else { return nil }
        let suffix = s.suffix(2).lowercased()
        let symbol = String(s.dropLast(2))
        let kind: LineKind
        switch suffix {
        case "ka": kind = .kAlpha
        case "kb": kind = .kBeta
        default: return nil
        }
        self.init(element: symbol, kind: kind)
    }
}
