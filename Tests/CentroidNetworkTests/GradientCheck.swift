import XCTest
@testable import CentroidNetwork
import SDDCore

/// Finite-difference checks of backward passes. The scalar probed is L = Σ wᵢ·yᵢ with fixed random
/// weights w, so the output gradient fed to `backward` is w itself.
enum GradientCheck {
    static func randomTensor(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(-scale, scale)) })
    }

    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.storage, b.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Central differences of `loss` with respect to `values[i]`, for each index.
    static func numeric(_ values: [Float], indices: [Int], h: Float, loss: ([Float]) -> Double) -> [Double] {
        indices.map { i in
            var v = values
            v[i] = values[i] + h
            let up = loss(v)
            v[i] = values[i] - h
            let down = loss(v)
            return (up - down) / Double(2 * h)
        }
    }

    /// Asserts analytic ≈ numeric within `tolerance` relative to the largest gradient magnitude.
    static func assertClose(_ analytic: [Double], _ numeric: [Double], tolerance: Double = 2e-3,
                            _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic.count, numeric.count, file: file, line: line)
        let scale = max(1e-3, numeric.map(abs).max() ?? 1)
        for (k, (a, n)) in zip(analytic, numeric).enumerated() {
            XCTAssertEqual(a, n, accuracy: tolerance * scale, "\(what)[\(k)]: analytic \(a) vs numeric \(n)",
                           file: file, line: line)
        }
    }

    /// Checks a layer's input gradient and every parameter gradient against finite differences.
    static func check(_ layer: Layer, input: Tensor, training: Bool = false, h: Float = 1e-2,
                      beforeForward: () -> Void = {}, tolerance: Double = 2e-3,
                      file: StaticString = #filePath, line: UInt = #line) {
        beforeForward()
        let y = layer.forward(input, training: training)
        let w = randomTensor(y.shape, seed: 99)
        for p in layer.parameters { p.zeroGradient() }
        let dx = layer.backward(w)
        let idx = Array(stride(from: 0, to: input.count, by: max(1, input.count / 40)))
        let num = numeric(input.storage, indices: idx, h: h) { v in
            beforeForward()
            return dot(layer.forward(Tensor(shape: input.shape, storage: v), training: training), w)
        }
        assertClose(idx.map { Double(dx.storage[$0]) }, num, tolerance: tolerance, "input gradient", file: file, line: line)
        for p in layer.parameters {
            let analytic = p.gradient
            let pIdx = Array(stride(from: 0, to: p.count, by: max(1, p.count / 40)))
            let original = p.value
            let pn = numeric(original, indices: pIdx, h: h) { v in
                p.value = v
                beforeForward()
                return dot(layer.forward(input, training: training), w)
            }
            p.value = original
            assertClose(pIdx.map { Double(analytic[$0]) }, pn, tolerance: tolerance, p.name, file: file, line: line)
        }
    }
}
