import XCTest
import SDDCore
@testable import Inspector

/// FixedDecimal gives printf's text (String(format:) is the truth) for random values at every
/// scale, exact ties (round half to even), products that round onto a tie from either side,
/// negative values that round to zero, -0.0, and the values it hands back to String(format:).
final class FixedDecimalTests: XCTestCase {
    private func check(_ v: Double, _ n: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(FixedDecimal.format(v, decimals: n), String(format: "%.\(n)f", v), "\(v) %.\(n)f", file: file, line: line)
        XCTAssertEqual(FixedDecimal.format(v, decimals: n, plusSign: true), String(format: "%+.\(n)f", v), "\(v) %+.\(n)f", file: file, line: line)
    }

    func testRandomValuesAtEveryScale() {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...9, using: &rng)
            let magnitude = pow(10, Double.random(in: -12...17, using: &rng))
            let v = Double.random(in: -1...1, using: &rng) * magnitude
            check(v, n)
        }
    }

    func testTiesAndNearTies() {
        // Exact binary ties: k/2, k/4, k/8 … at the last printed digit.
        for k in -400...400 {
            for n in 0...3 {
                let unit = pow(10.0, -Double(n))
                check((Double(k) + 0.5) * unit, n)           // not exact for n > 0: the side decides
                check(Double(k) / 8, n)
                check(Double(k) / 64, n)
            }
        }
        // Decimal ties that are not binary ties (1.005, 2.675, 0.145, …): the exact value lies off
        // the tie, on either side; and doubles next to each tie.
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...6, using: &rng)
            let k = Double(Int.random(in: -10_000_000...10_000_000, using: &rng))
            let t = (k + 0.5) / pow(10.0, Double(n))
            check(t, n); check(t.nextUp, n); check(t.nextDown, n)
        }
    }

    func testSignsZerosAndFallbacks() {
        for v in [0.0, -0.0, -0.4, -0.5, -0.6, -1e-300, 1e-300, 0.5, 1.5, 2.5, -2.5, 9.5, 99.95, 999_999.5,
                  4503599627370495.5, 9007199254740991, 9007199254740993, 1e16, -1e22, 1.7976931348623157e308] {
            for n in 0...9 { check(v, n) }
        }
        XCTAssertEqual(FixedDecimal.format(.nan, decimals: 1), String(format: "%.1f", Double.nan))
        XCTAssertEqual(FixedDecimal.format(-.infinity, decimals: 2), String(format: "%.2f", -Double.infinity))
        XCTAssertEqual(FixedDecimal.format(3.25, decimals: 12), String(format: "%.12f", 3.25))
    }
}
