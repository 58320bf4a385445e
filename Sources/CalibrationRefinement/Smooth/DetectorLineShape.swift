import SDDCore

/// The one place the smooth refinement gets the energy-space shape of a line for a detector
/// response: Gaussian core whose σ follows the ENC/Fano model at the line's energy, plus the
/// low-energy tail (``LineShape``). Repoint this function when the line shape moves into SDDCore.
public enum DetectorLineShape {
    /// Shape of `line` seen through `response`.
    public static func shape(_ line: SpectralLine, response: DetectorResponse) -> LineShape {
        LineShape(line: line, sigma: response.sigma(at: line.energy),
                  tailFraction: response.tailFraction, tailSlope: response.tailSlope)
    }
}
