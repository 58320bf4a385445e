import Foundation
import PeakFinding
import SDDCore
import XCTest

/// Cases computed by SciPy (scripts/compare_find_peaks.py): find_peaks with random parameters,
/// standalone peak_prominences / peak_widths, gaussian_filter1d, and calls SciPy refuses.
struct SciPyCaseFile: Decodable {
    struct Params: Decodable {
        var height, threshold, prominence, width, plateau_size: [Double?]?
        var distance, wlen: Double?
        var rel_height: Double

        var options: PeakSearchOptions {
            func c(_ a: [Double?]?) -> PeakCondition? { a.map { PeakCondition(min: $0[0], max: $0.count > 1 ? $0[1] : nil) } }
            return PeakSearchOptions(height: c(height), threshold: c(threshold), distance: distance,
                                     prominence: c(prominence), width: c(width), wlen: wlen,
                                     relHeight: rel_height, plateauSize: c(plateau_size))
        }
    }
    struct FindPeaks: Decodable {
        var id: Int
        var kind: String
        var x: [Double]
        var params: Params
        var peaks: [Int]
        var properties: [String: [Double]]
    }
    struct Prominences: Decodable {
        var id: Int
        var x: [Double]
        var peaks: [Int]
        var wlen: Double?
        var prominences: [Double]
        var left_bases, right_bases: [Int]
    }
    struct Widths: Decodable {
        var id: Int
        var x: [Double]
        var peaks: [Int]
        var wlen: Double?
        var rel_height: Double
        var widths, width_heights, left_ips, right_ips: [Double]
    }
    struct Smoothing: Decodable {
        var id: Int
        var x: [Double]
        var sigma, truncate: Double
        var y: [Double]
    }
    struct Refused: Decodable {
        var id: Int
        var x: [Double]
        var params: Params
        var parameter: String
    }
    var find_peaks: [FindPeaks]
    var peak_prominences: [Prominences]
    var peak_widths: [Widths]
    var gaussian_filter1d: [Smoothing]
    var errors: [Refused]

    static func load(_ url: URL) throws -> SciPyCaseFile {
        try JSONDecoder().decode(SciPyCaseFile.self, from: Data(contentsOf: url))
    }
}

/// Checks one case file against PeakFinding and returns the mismatch descriptions.
enum SciPyAgreement {
    static func close(_ a: Double, _ b: Double, rel: Double = 1e-9, abs floor: Double = 0) -> Bool {
        a == b || Swift.abs(a - b) <= Swift.max(rel * Swift.max(Swift.abs(a), Swift.abs(b)), floor)
    }

    static func compare(_ name: String, _ mine: [Double]?, _ ref: [Double]?, floor: Double = 0) -> String? {
        switch (mine, ref) {
        case (nil, nil): return nil
        case (nil, _?): return "\(name) missing"
        case (_?, nil): return "\(name) present but SciPy has none"
        case let (m?, r?):
            guard m.count == r.count else { return "\(name): \(m.count) values, SciPy \(r.count)" }
            for i in m.indices where !close(m[i], r[i], abs: floor) { return "\(name)[\(i)] = \(m[i]), SciPy \(r[i])" }
            return nil
        }
    }

    static func check(_ file: SciPyCaseFile) -> (checked: Int, failures: [String]) {
        var failures: [String] = []
        var checked = 0
        for c in file.find_peaks {
            checked += 1
            do {
                let r = try PeakFinder.findPeaks(c.x, options: c.params.options)
                if r.peaks != c.peaks {
                    failures.append("find_peaks #\(c.id) (\(c.kind)): peaks \(r.peaks), SciPy \(c.peaks)"); continue
                }
                let p = r.properties
                func d(_ a: [Int]?) -> [Double]? { a.map { $0.map(Double.init) } }
                let pairs: [(String, [Double]?)] = [
                    ("peak_heights", p.peakHeights), ("left_thresholds", p.leftThresholds),
                    ("right_thresholds", p.rightThresholds), ("prominences", p.prominences),
                    ("left_bases", d(p.leftBases)), ("right_bases", d(p.rightBases)), ("widths", p.widths),
                    ("width_heights", p.widthHeights), ("left_ips", p.leftIPs), ("right_ips", p.rightIPs),
                    ("plateau_sizes", d(p.plateauSizes)), ("left_edges", d(p.leftEdges)), ("right_edges", d(p.rightEdges)),
                ]
                let known = Set(pairs.map(\.0))
                for k in c.properties.keys where !known.contains(k) { failures.append("find_peaks #\(c.id): unknown SciPy property \(k)") }
                for (k, v) in pairs {
                    if let m = compare(k, v, c.properties[k]) { failures.append("find_peaks #\(c.id) (\(c.kind)): \(m)") }
                }
            } catch {
                failures.append("find_peaks #\(c.id): threw \(error)")
            }
        }
        for c in file.peak_prominences {
            checked += 1
            do {
                let r = try PeakFinder.peakProminences(c.x, peaks: c.peaks, wlen: c.wlen)
                if r.leftBases != c.left_bases || r.rightBases != c.right_bases {
                    failures.append("peak_prominences #\(c.id): bases \(r.leftBases) \(r.rightBases), SciPy \(c.left_bases) \(c.right_bases)")
                }
                if let m = compare("prominences", r.prominences, c.prominences) { failures.append("peak_prominences #\(c.id): \(m)") }
            } catch {
                failures.append("peak_prominences #\(c.id): threw \(error)")
            }
        }
        for c in file.peak_widths {
            checked += 1
            do {
                let r = try PeakFinder.peakWidths(c.x, peaks: c.peaks, relHeight: c.rel_height, wlen: c.wlen)
                for (k, a, b) in [("widths", r.widths, c.widths), ("width_heights", r.widthHeights, c.width_heights),
                                  ("left_ips", r.leftIPs, c.left_ips), ("right_ips", r.rightIPs, c.right_ips)] {
                    if let m = compare(k, a, b) { failures.append("peak_widths #\(c.id): \(m)") }
                }
            } catch {
                failures.append("peak_widths #\(c.id): threw \(error)")
            }
        }
        for c in file.gaussian_filter1d {
            checked += 1
            do {
                let y = try GaussianSmoothing(sigma: c.sigma, truncate: c.truncate).apply(c.x)
                // Sums in another order: relative 1e-9 of the signal's scale.
                let scale = c.x.map(Swift.abs).max() ?? 0
                if let m = compare("y", y, c.y, floor: 1e-9 * scale) { failures.append("gaussian_filter1d #\(c.id): \(m)") }
            } catch {
                failures.append("gaussian_filter1d #\(c.id): threw \(error)")
            }
        }
        for c in file.errors {
            checked += 1
            do {
                _ = try PeakFinder.findPeaks(c.x, options: c.params.options)
                failures.append("refused call #\(c.id) (\(c.parameter)) did not throw")
            } catch let e as SDDError {
                if case let .invalidArgument(name, _) = e, name == c.parameter { continue }
                failures.append("refused call #\(c.id): wrong error \(e)")
            } catch {
                failures.append("refused call #\(c.id): unexpected error \(error)")
            }
        }
        return (checked, failures)
    }
}

final class SciPyAgreementTests: XCTestCase {
    func run(_ url: URL, label: String, minimumCases: Int) throws {
        let file = try SciPyCaseFile.load(url)
        XCTAssertGreaterThanOrEqual(file.find_peaks.count, minimumCases)
        XCTAssertFalse(file.peak_prominences.isEmpty)
        XCTAssertFalse(file.peak_widths.isEmpty)
        XCTAssertFalse(file.gaussian_filter1d.isEmpty)
        XCTAssertFalse(file.errors.isEmpty)
        // The fixture must exercise peaks, not only empty results.
        XCTAssertGreaterThan(file.find_peaks.filter { !$0.peaks.isEmpty }.count, file.find_peaks.count / 3)
        let (checked, failures) = SciPyAgreement.check(file)
        for f in failures.prefix(30) { XCTFail(f) }
        print("scipy agreement (\(label)): \(checked) cases, \(failures.count) mismatches")
    }

    /// The committed fixtures: CI checks agreement with SciPy without Python.
    func testCommittedFixtures() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "scipy_peak_cases", withExtension: "json", subdirectory: "Fixtures"))
        try run(url, label: "fixtures", minimumCases: 500)
    }

    /// The full random set of scripts/compare_find_peaks.py, when it points here.
    func testScriptCases() throws {
        guard let path = ProcessInfo.processInfo.environment["SDDCAL_SCIPY_CASES"] else {
            throw XCTSkip("set SDDCAL_SCIPY_CASES (scripts/compare_find_peaks.py does) to check a full case file")
        }
        try run(URL(fileURLWithPath: path), label: path, minimumCases: 1)
    }
}
