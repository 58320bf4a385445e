import SDDCore
@testable import CalibrationRefinement

/// A Cu Kα window with known truth, made from SDDCore's line table and detector response.
struct SyntheticProblem {
    static let truth = EnergyCalibration(p0: -1880, p1: 3.1, p2: 1.5e-6)
    static let response = DetectorResponse()
    static let cu = SpectralLine(id: "CuKa")!
    static var shape: LineShape {
        LineShape(line: cu, sigma: response.sigma(at: cu.energy), tailFraction: response.tailFraction,
                  tailSlope: response.tailSlope)
    }
    static var coordinates: CalibrationCoordinates {
        let c = truth.adc(forEnergy: cu.energy)!
        let ti = truth.adc(forEnergy: SpectralLine(id: "TiKa")!.energy)!
        return CalibrationCoordinates(center: c, span: c - ti)
    }
    /// Window channels: E(7000…8500 eV) under a calibration.
    static func window(_ c: EnergyCalibration = truth) -> ClosedRange<Int> {
        Int(c.adc(forEnergy: 7000)!.rounded(.up))...Int(c.adc(forEnergy: 8500)!.rounded(.down))
    }
    /// Ti/Mn anchors at the true centroids with a centroid error of `err` ADC.
    /// With a seed, each centroid is drawn around the truth with that error (as a real fit's would be).
    static func anchors(err: Double = 0.15, seed: UInt64? = nil) -> [AnchorLine] {
        var rng = SyntheticCuWindow.SplitMix(seed: seed ?? 0)
        return ["TiKa", "TiKb", "MnKa", "MnKb"].map { id in
            let l = SpectralLine(id: id)!
            let x = truth.adc(forEnergy: l.energy)! + (seed == nil ? 0 : err * rng.gaussian())
            return AnchorLine(line: id, t: coordinates.t(x), energy: l.energy, sigma: err * truth.slope(x))
        }
    }
    static func adc(line: Int, background: Int, seed: UInt64) -> [UInt16] {
        SyntheticCuWindow(calibration: truth, shape: shape).adcValues(lineEvents: line, backgroundEvents: background, seed: seed)
    }
    static func loss(_ kind: LossKind, line: Int = 3000, background: Int = 1000, seed: UInt64 = 1, noisyAnchors: Bool = false) -> BatchLoss {
        let values = adc(line: line, background: background, seed: seed)
        let counts = ChannelCounts(adc: values, channels: window())
        return BatchLoss(kind: kind, coordinates: coordinates, counts: counts, shape: shape,
                         signalFraction: Double(line) / Double(line + background), backgroundSlope: 0,
                         anchors: kind == .windowDensity ? anchors(seed: noisyAnchors ? seed : nil) : [])
    }
}
