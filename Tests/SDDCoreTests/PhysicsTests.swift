import XCTest
@testable import SDDCore

final class PhysicsTests: XCTestCase {
    func testResolutionModelReproducesReferenceFigures() {
        // physics.md: Cu Kα FWHM 185 eV ⇔ ENC ≈ 13.6 e⁻ (Mn Kα 170, Ti Kα 160 eV); 176 ⇔ 11.9 (160, 149).
        let cu = SpectralLine(id: "CuKa")!.energy, mn = SpectralLine(id: "MnKa")!.energy, ti = SpectralLine(id: "TiKa")!.energy
        let r185 = DetectorResponse(enc: 13.6), r176 = DetectorResponse(enc: 11.9)
        XCTAssertEqual(r185.fwhm(at: cu), 185, accuracy: 1.5)
        XCTAssertEqual(r185.fwhm(at: mn), 170, accuracy: 1.5)
        XCTAssertEqual(r185.fwhm(at: ti), 160, accuracy: 1.5)
        XCTAssertEqual(r176.fwhm(at: cu), 176, accuracy: 1.5)
        XCTAssertEqual(r176.fwhm(at: mn), 160, accuracy: 1.5)
        XCTAssertEqual(r176.fwhm(at: ti), 149, accuracy: 1.5)
        // Fano-only floor: 121 eV at Mn Kα, 141 eV at Cu Kα.
        let fanoOnly = DetectorResponse(enc: 0)
        XCTAssertEqual(fanoOnly.fwhm(at: mn), 121, accuracy: 1)
        XCTAssertEqual(fanoOnly.fwhm(at: cu), 141, accuracy: 1)
        XCTAssertEqual(r176.enc(forFWHM: r176.fwhm(at: cu), at: cu), 11.9, accuracy: 1e-9)
    }

    func testTailIntegratesToOneAndHasEMGMean() {
        for beta in [0.8, 1.3, 1.5, 3.0] {
            let sigma = 70.0, mu = 8000.0
            var area = 0.0, first = 0.0
            let h = 0.25
            var x = mu - 60 * sigma
            while x < mu + 12 * sigma {
                let t = DetectorResponse.tail(x, mu: mu, sigma: sigma, beta: beta)
                XCTAssert(t.isFinite && t >= 0)
                area += t * h; first += t * x * h
                x += h
            }
            XCTAssertEqual(area, 1, accuracy: 1e-6, "β=\(beta)")
            // Exponentially modified Gaussian: mean μ − βσ.
            XCTAssertEqual(first / area, mu - beta * sigma, accuracy: 1e-3 * sigma)
        }
    }

    func testTailIsContinuousAcrossTheAsymptoticBranch() {
        // The branch switches at erfcx's cut-over (u = 10): both sides must agree.
        let sigma = 50.0, beta = 1.4
        let d = erfcxAsymptoticCut * 2.0.squareRoot() - 1 / beta          // u at the cut-over
        let below = DetectorResponse.tail(8000 + (d - 1e-9) * sigma, mu: 8000, sigma: sigma, beta: beta)
        let above = DetectorResponse.tail(8000 + (d + 1e-9) * sigma, mu: 8000, sigma: sigma, beta: beta)
        // Over Δd = 2e-9 the function itself changes by ~2.7e-8 relative (d ln τ/dd ≈ 1/β − √2·u).
        XCTAssertEqual(below, above, accuracy: 5e-8 * below)
        XCTAssertEqual(DetectorResponse.tail(8000 + 40 * sigma, mu: 8000, sigma: sigma, beta: beta), 0, accuracy: 1e-300)
    }

    func testLineTableAndProfiles() {
        let cu = SpectralLine(id: "Cu Kα")!
        XCTAssertEqual(cu.id, "CuKa")
        XCTAssertEqual(cu.components[0].energy, 8047.823)
        XCTAssertEqual(XRayLineTable.element("Cu")!.kAlphaSplitting, 19.981, accuracy: 1e-9)
        XCTAssertNil(SpectralLine(id: "XxKa"))
        XCTAssertEqual(LineProfile.vip2.lines.map(\.id), ["TiKa", "TiKb", "MnKa", "MnKb", "CuKa", "CuKb"])
        XCTAssertEqual(LineProfile.vip2.calibrationLines.count, 5)
        let custom = LineProfile.named("TiKa,FeKa,CuKa,SrKa")!
        XCTAssertEqual(custom.calibrationLineIDs, ["TiKa", "FeKa", "CuKa", "SrKa"])
        XCTAssertTrue(custom.lines.contains { $0.id == "SrKb" })
        XCTAssertNil(LineProfile.named("TiKa,Bogus"))
    }

    func testCalibrationInverseAndError() {
        let c = EnergyCalibration(p0: -1860, p1: 3.1, p2: 1.5e-6, covariance: [4, 0, 0, 0, 1e-6, 0, 0, 0, 0])
        for adc in [600.0, 2000, 3300, 7000] {
            XCTAssertEqual(c.adc(forEnergy: c.energy(adc))!, adc, accuracy: 1e-9)
        }
        XCTAssertEqual(c.energyError(1000)!, (4 + 1e-6 * 1e6).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(EnergyCalibration(p0: 1, p1: 2).adc(forEnergy: 5)!, 2)
    }
}
