import Foundation
import SDDCore

/// Synthetic events of the Cu Kα window with a known calibration, drawn from ``LineShape`` and
/// a flat continuum: independent truth for the tests and for the benchmarks (which must not wait
/// for the full simulator). Deterministic for a seed.
public struct SyntheticCuWindow: Sendable {
    public var calibration: EnergyCalibration
    public var shape: LineShape
    /// Energy range of the continuum (eV), flat in energy.
    public var continuum: ClosedRange<Double>

    public init(calibration: EnergyCalibration, shape: LineShape, continuum: ClosedRange<Double> = 7000...8500) {
        self.calibration = calibration
        self.shape = shape
        self.continuum = continuum
    }

    /// `lineEvents` line events and `backgroundEvents` continuum events as integer ADC values
    /// (an event at continuous ADC x is recorded in channel round(x): channel k is [k − ½, k + ½)).
    public func adcValues(lineEvents: Int, backgroundEvents: Int, seed: UInt64) -> [UInt16] {
        var rng = SplitMix(seed: seed)
        var out: [UInt16] = []
        out.reserveCapacity(lineEvents + backgroundEvents)
        let beta = shape.tailSlope, s = shape.sigma
        // Component choice by cumulative weight.
        var cum: [Double] = []
        var acc = 0.0
        for w in shape.weights { acc += w; cum.append(acc) }
        for _ in 0..<lineEvents {
            let r = rng.uniform()
            let c = cum.firstIndex { r < $0 } ?? (cum.count - 1)
            var e = shape.energies[c] + s * rng.gaussian()
            // Tail events: a Gaussian minus an exponential of mean βσ (its convolution is the tail shape).
            if rng.uniform() < shape.tailFraction { e -= beta * s * -Foundation.log(1 - rng.uniform()) }
            if let x = record(e) { out.append(x) }
        }
        for _ in 0..<backgroundEvents {
            let e = continuum.lowerBound + (continuum.upperBound - continuum.lowerBound) * rng.uniform()
            if let x = record(e) { out.append(x) }
        }
        return out
    }

    private func record(_ e: Double) -> UInt16? {
        guard let x = calibration.adc(forEnergy: e), x.isFinite else { return nil }
        let k = x.rounded()
        guard k >= 0, k <= Double(UInt16.max) else { return nil }
        return UInt16(k)
    }

    /// SplitMix64 (Steele, Lea, Flood 2014): small, fast, good enough for test data.
    public struct SplitMix: Sendable {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
        /// Standard normal (Box–Muller).
        public mutating func gaussian() -> Double {
            let u = 1 - uniform(), v = uniform()
            return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
        }
    }
}
