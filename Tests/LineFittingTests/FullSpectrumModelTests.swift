import XCTest
import SDDCore
@testable import LineFitting

final class FullSpectrumModelTests: XCTestCase {
    func testJacobianAgainstFiniteDifferences() {
        let m = FullSpectrumModel(profile: .vip2, lowerEdge: 4000, binWidth: 20, bins: 300)
        var p = m.initialParameters(counts: [Double](repeating: 50, count: 300))
        p["area_TiKa"] = 3e4; p["area_MnKa"] = 5e4; p["area_CuKa"] = 600
        p["shift"] = 3; p["scale"] = 1.001; p["enc"] = 12.5; p["fano"] = 0.12; p["tail_fraction"] = 0.04
        p["escape_fraction"] = 0.01; p["bg_c1"] = -0.3; p["bg_c2"] = 0.02
        let theta = p.values
        let j = m.jacobian(theta)
        for k in 0..<m.parameterCount {
            let fd = centralDifference({ m.expected($0) }, at: theta, parameter: k)
            for i in stride(from: 0, to: m.binCount, by: 3) {
                XCTAssertEqual(j[k * m.binCount + i], fd[i], accuracy: 1e-5 * Swift.max(1, abs(fd[i])), "\(m.parameterNames[k]) bin \(i)")
            }
        }
    }

    /// On one simulated cell with the true calibration, the fitted ENC/F reproduce the cell's intrinsic
    /// Cu Kα width and the Kβ/Kα ratios its yields.
    func testRecoversResolutionAndRatios() throws {
        let (h, truth) = try trueCalibrationSpectrum(cells: 1, days: 20, seed: 77, range: 4000...10000, binWidth: 10)
        let r = FullSpectrumFit.fit(h)
        XCTAssertEqual(r.fit.status, .converged)
        let cell = truth.cells[0]
        let (f, fe) = r.fwhm(at: SpectralLine(id: "CuKa")!.energy)
        print(String(format: "full spectrum: ENC %.2f ± %.2f (truth %.2f), F %.4f ± %.4f (truth %.3f), Cu FWHM %.1f ± %.1f (truth %.1f), χ²/ndf %.3f",
                     r.enc, r.encError, cell.response.enc, r.fano, r.fanoError, cell.response.fano, f, fe, cell.lineFWHM["CuKa"]!, r.fit.chi2PerNDF))
        XCTAssertEqual(f, cell.lineFWHM["CuKa"]!, accuracy: 3 * fe + 0.5, "Cu FWHM \(f) ± \(fe)")
        for el in ["Ti", "Mn"] {
            let (q, qe) = r.kBetaRatio(el)!
            let t = cell.ratePerDay[el + "Kb"]! / cell.ratePerDay[el + "Ka"]!
            XCTAssertEqual(q, t, accuracy: 4 * qe + 0.002, "\(el) Kβ/Kα")
        }
        XCTAssertEqual(r.fit.value("shift") + (r.fit.value("scale") - 1) * 6000, 0, accuracy: 2)
        XCTAssertLessThan(r.fit.chi2PerNDF, 1.3)
    }
}
