import XCTest
@testable import CentroidNetwork
import SDDCore

/// Every layer's backward pass against finite differences of its forward pass.
final class LayerGradientTests: XCTestCase {
    func testDenseGradients() {
        let layer = Dense(inputs: 7, units: 4)
        var rng = SeededGenerator(seed: 1)
        layer.initialize(using: &rng)
        for i in layer.bias.value.indices { layer.bias.value[i] = Float(i) * 0.1 }
        GradientCheck.check(layer, input: GradientCheck.randomTensor([3, 7], seed: 2))
    }

    /// Splitting the products over Dispatch threads gives the same numbers as OpenBLAS's own threads.
    func testDenseDispatchThreadingMatchesOpenBLASThreading() {
        let layer = Dense(inputs: 40, units: 64)
        var rng = SeededGenerator(seed: 31)
        layer.initialize(using: &rng)
        let x = GradientCheck.randomTensor([48, 40], seed: 32), g = GradientCheck.randomTensor([48, 64], seed: 33)
        func pass() -> ([Float], [Float], [Float]) {
            layer.kernel.zeroGradient()
            let y = layer.forward(x, training: true).storage
            let dx = layer.backward(g).storage
            return (y, dx, layer.kernel.gradient)
        }
        let saved = Dense.threading
        defer { Dense.threading = saved }
        Dense.threading = .library
        let a = pass()
        Dense.threading = .dispatch
        let b = pass()
        for (u, v) in zip(a.0 + a.1 + a.2, b.0 + b.1 + b.2) { XCTAssertEqual(u, v, accuracy: 1e-5) }
        GradientCheck.check(layer, input: x)
    }

    /// A single row (the matrix-vector path) gives the same outputs as the same row inside a batch.
    func testDenseSingleRowMatchesBatch() {
        let layer = Dense(inputs: 30, units: 20)
        var rng = SeededGenerator(seed: 41)
        layer.initialize(using: &rng)
        layer.bias.value = (0..<20).map { Float($0) * 0.01 }
        let x = GradientCheck.randomTensor([3, 30], seed: 42)
        let batch = layer.forward(x, training: false).storage
        let single = layer.forward(x.rows(1..<2), training: false).storage
        for j in 0..<20 { XCTAssertEqual(single[j], batch[20 + j], accuracy: 1e-5) }
    }

    func testConv1DGradients() {
        let layer = Conv1D(inputChannels: 2, filters: 3, kernelSize: 4)
        var rng = SeededGenerator(seed: 3)
        layer.initialize(using: &rng)
        for i in layer.bias.value.indices { layer.bias.value[i] = 0.2 - Float(i) * 0.1 }
        GradientCheck.check(layer, input: GradientCheck.randomTensor([2, 9, 2], seed: 4))
    }

    /// Outputs longer than one SIMD block (and not a multiple of it), in a batch split over threads,
    /// for the general filter count and the paper's 5 (a path of its own).
    func testConv1DLongInputGradientsAndValues() {
        for filters in [3, 5] {
            let layer = Conv1D(inputChannels: 2, filters: filters, kernelSize: 3)
            var rng = SeededGenerator(seed: 21)
            layer.initialize(using: &rng)
            layer.bias.value = (0..<filters).map { 0.1 * Float($0) - 0.2 }
            let x = GradientCheck.randomTensor([9, 21, 2], seed: 22)
            let y = layer.forward(x, training: false)
            XCTAssertEqual(y.shape, [9, 19, filters])
            for s in [0, 8] {
                for t in 0..<19 {
                    for f in 0..<filters {
                        var sum = Double(layer.bias.value[f])
                        for k in 0..<3 { for c in 0..<2 {
                            sum += Double(x.storage[s * 42 + (t + k) * 2 + c]) * Double(layer.kernel.value[(k * 2 + c) * filters + f])
                        } }
                        XCTAssertEqual(Double(y.storage[(s * 19 + t) * filters + f]), sum, accuracy: 1e-5, "filters \(filters)")
                    }
                }
            }
            GradientCheck.check(layer, input: x)
        }
    }

    func testConv1DKernelOneGradients() {
        let layer = Conv1D(inputChannels: 1, filters: 5, kernelSize: 1)
        var rng = SeededGenerator(seed: 5)
        layer.initialize(using: &rng)
        GradientCheck.check(layer, input: GradientCheck.randomTensor([2, 6, 1], seed: 6))
    }

    func testConv1DForwardMatchesDirectSum() {
        let layer = Conv1D(inputChannels: 2, filters: 2, kernelSize: 3)
        var rng = SeededGenerator(seed: 7)
        layer.initialize(using: &rng)
        layer.bias.value = [0.5, -0.25]
        let x = GradientCheck.randomTensor([1, 5, 2], seed: 8)
        let y = layer.forward(x, training: false)
        XCTAssertEqual(y.shape, [1, 3, 2])
        for t in 0..<3 {
            for f in 0..<2 {
                var s = Double(layer.bias.value[f])
                for k in 0..<3 { for c in 0..<2 {
                    s += Double(x.storage[(t + k) * 2 + c]) * Double(layer.kernel.value[(k * 2 + c) * 2 + f])
                } }
                XCTAssertEqual(Double(y.storage[t * 2 + f]), s, accuracy: 1e-5)
            }
        }
    }

    func testMaxPoolGradientsAndValues() {
        let layer = MaxPool1D(poolSize: 2)
        // Distinct values so the maximum is unique and stays put under small perturbations.
        let x = Tensor(shape: [2, 5, 2], storage: (0..<20).map { Float(($0 * 7) % 20) * 0.1 })
        let y = layer.forward(x, training: false)
        XCTAssertEqual(y.shape, [2, 2, 2])
        XCTAssertEqual(y.storage[0], max(x.storage[0], x.storage[2]))
        GradientCheck.check(layer, input: x, h: 1e-3)
    }

    func testReLUGradients() {
        // Values kept away from the kink at 0.
        let x = Tensor(shape: [2, 6], storage: (0..<12).map { Float($0 - 6) * 0.13 + 0.05 })
        let layer = ReLU()
        XCTAssertEqual(layer.forward(x, training: false).storage.filter { $0 == 0 }.count, 6)
        GradientCheck.check(layer, input: x, h: 1e-3)
    }

    func testDropoutGradientsInTrainingAndIdentityAtInference() {
        let layer = Dropout(rate: 0.4, seed: 11)
        let x = GradientCheck.randomTensor([3, 8], seed: 12)
        XCTAssertEqual(layer.forward(x, training: false), x)
        let saved = layer.generator
        let y = layer.forward(x, training: true)
        let zeros = y.storage.filter { $0 == 0 }.count
        XCTAssertGreaterThan(zeros, 0)
        XCTAssertLessThan(zeros, x.count)
        for (a, b) in zip(x.storage, y.storage) where b != 0 { XCTAssertEqual(b, a / 0.6, accuracy: 1e-6) }
        // Same mask for every evaluation of the finite differences.
        GradientCheck.check(layer, input: x, training: true, beforeForward: { layer.generator = saved })
    }

    func testDropoutKeepsExpectedFraction() {
        let layer = Dropout(rate: 0.25, seed: 13)
        let x = Tensor(shape: [1, 100_000], storage: [Float](repeating: 1, count: 100_000))
        let y = layer.forward(x, training: true)
        let kept = Double(y.storage.filter { $0 != 0 }.count) / 1e5
        XCTAssertEqual(kept, 0.75, accuracy: 0.01)
        XCTAssertEqual(y.storage.reduce(0, +) / 1e5, 1, accuracy: 0.02)
    }

    func testFlattenRoundTrip() {
        let layer = Flatten()
        let x = GradientCheck.randomTensor([2, 3, 4], seed: 14)
        let y = layer.forward(x, training: false)
        XCTAssertEqual(y.shape, [2, 12])
        XCTAssertEqual(y.storage, x.storage)
        GradientCheck.check(layer, input: x)
    }

    func testConcatenateGradients() {
        let layer = Concatenate()
        let a = GradientCheck.randomTensor([2, 3], seed: 15), b = GradientCheck.randomTensor([2, 4], seed: 16)
        let y = layer.forward(a, b)
        XCTAssertEqual(y.shape, [2, 7])
        XCTAssertEqual(Array(y.storage[3..<7]), Array(b.storage[0..<4]))
        let w = GradientCheck.randomTensor([2, 7], seed: 17)
        let (da, db) = layer.backward(w)
        let na = GradientCheck.numeric(a.storage, indices: Array(0..<6), h: 1e-2) {
            GradientCheck.dot(layer.forward(Tensor(shape: a.shape, storage: $0), b), w)
        }
        let nb = GradientCheck.numeric(b.storage, indices: Array(0..<8), h: 1e-2) {
            GradientCheck.dot(layer.forward(a, Tensor(shape: b.shape, storage: $0)), w)
        }
        GradientCheck.assertClose(da.storage.map(Double.init), na, "first input")
        GradientCheck.assertClose(db.storage.map(Double.init), nb, "second input")
    }

    func testMeanSquaredErrorGradient() {
        let p = GradientCheck.randomTensor([4, 5], seed: 18), t = GradientCheck.randomTensor([4, 5], seed: 19)
        let (loss, g) = MeanSquaredError.lossAndGradient(prediction: p, target: t)
        let direct = zip(p.storage, t.storage).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / 20
        XCTAssertEqual(loss, direct, accuracy: 1e-7)
        let num = GradientCheck.numeric(p.storage, indices: Array(0..<20), h: 1e-3) {
            MeanSquaredError.lossAndGradient(prediction: Tensor(shape: p.shape, storage: $0), target: t).loss
        }
        GradientCheck.assertClose(g.storage.map(Double.init), num, "mse")
    }
}
