import XCTest
@testable import CentroidNetwork
import SDDCore

final class NetworkTests: XCTestCase {
    func testPaperArchitectureParameterCount() {
        let net = CentroidCNN(seed: 1)
        XCTAssertEqual(net.parameterCount, 1_078_825)
        XCTAssertEqual(net.parameters.map(\.count), [250, 5, 250, 5, 5, 5, 2105 * 500, 500, 500 * 50, 50, 50 * 5, 5])
        XCTAssertEqual(net.forward(Tensor(zeros: [2, 300]), training: false).shape, [2, 5])
    }

    func testSeededInitialisationIsReproducible() {
        let a = CentroidCNN(CentroidCNN.Architecture(inputLength: 80, outputs: 3), seed: 42)
        let b = CentroidCNN(CentroidCNN.Architecture(inputLength: 80, outputs: 3), seed: 42)
        let c = CentroidCNN(CentroidCNN.Architecture(inputLength: 80, outputs: 3), seed: 43)
        XCTAssertEqual(a.flatParameters, b.flatParameters)
        XCTAssertNotEqual(a.flatParameters, c.flatParameters)
        // Glorot-uniform bound of the first dense layer and zero biases.
        let limit = Float((6.0 / Double(a.dense1.inputs + 500)).squareRoot())
        XCTAssertLessThanOrEqual(a.dense1.kernel.value.map(abs).max()!, limit)
        XCTAssertGreaterThan(a.dense1.kernel.value.map(abs).max()!, limit * 0.99)
        XCTAssertTrue(a.dense1.bias.value.allSatisfy { $0 == 0 })
    }

    /// `predict` (branch B folded into the first dense layer) gives `forward(training: false)`'s
    /// outputs, batched and single, and follows the weights when they change (after an Adam step,
    /// after a direct edit of branch B's bias).
    func testPredictWithBranchBFoldedMatchesForward() {
        let net = CentroidCNN(seed: 11)
        for p in net.parameters where p.name.hasSuffix("bias") {
            for i in p.value.indices { p.value[i] = 0.05 * Float((i % 5) - 2) }
        }
        var rng = SeededGenerator(seed: 12)
        let x = Tensor(shape: [9, 300], storage: (0..<2700).map { _ in Float(rng.uniform(0, 1)) })
        func assertAgree(_ what: String) {
            let want = net.forward(x, training: false).storage
            let scale = Double(want.map(abs).max()!)
            XCTAssertGreaterThan(scale, 0)
            for (chunk, got) in [(256, net.predict(x)), (4, net.predict(x, chunk: 4))] {
                for (a, b) in zip(got.storage, want) {
                    XCTAssertEqual(Double(a), Double(b), accuracy: 1e-5 * scale, "\(what), chunk \(chunk)")
                }
            }
            let single = net.predict(x.rows(3..<4)).storage
            for j in 0..<5 { XCTAssertEqual(Double(single[j]), Double(want[15 + j]), accuracy: 1e-5 * scale, what) }
        }
        assertAgree("initial weights")
        let adam = AdamOptimizer(parameters: net.parameters, learningRate: 1e-2)
        net.trainStep(inputs: x, targets: GradientCheck.randomTensor([9, 5], seed: 13), optimizer: adam)
        assertAgree("after an Adam step")
        net.convB.bias.value[2] += 0.5
        assertAgree("after editing branch B's bias")
    }

    /// End-to-end backward pass of the whole two-branch network against finite differences,
    /// on parameters of every layer (no dropout, so the function is deterministic).
    func testWholeNetworkGradients() {
        let net = CentroidCNN(CentroidCNN.Architecture(inputLength: 70, outputs: 3, dropoutRate: 0), seed: 7)
        // Non-zero biases so that ReLUs are in a generic state.
        for p in net.parameters where p.name.hasSuffix("bias") {
            for i in p.value.indices { p.value[i] = 0.05 * Float((i % 5) - 2) }
        }
        var rng = SeededGenerator(seed: 8)
        let x = Tensor(shape: [2, 70], storage: (0..<140).map { _ in Float(rng.uniform(0, 1)) })
        let w = GradientCheck.randomTensor([2, 3], seed: 9)
        net.zeroGradients()
        _ = net.forward(x, training: true)
        net.backward(w)
        for p in net.parameters {
            let analytic = p.gradient
            let idx = Array(stride(from: 0, to: p.count, by: max(1, p.count / 6)))
            let original = p.value
            let num = GradientCheck.numeric(original, indices: idx, h: 5e-4) { v in
                p.value = v
                return GradientCheck.dot(net.forward(x, training: true), w)
            }
            p.value = original
            GradientCheck.assertClose(idx.map { Double(analytic[$0]) }, num, tolerance: 2e-2, p.name)
        }
    }

    func testAdamFirstStepMovesEachWeightByLearningRate() {
        let p = Parameter(name: "p", shape: [3], value: [1, 2, 3])
        p.gradient = [0.5, -2, 0]
        let adam = AdamOptimizer(parameters: [p], learningRate: 0.1)
        adam.update()
        // Bias-corrected first step: Δ = −lr·g/(|g| + ε) = ∓lr, and 0 for a zero gradient.
        XCTAssertEqual(p.value[0], 0.9, accuracy: 1e-5)
        XCTAssertEqual(p.value[1], 2.1, accuracy: 1e-5)
        XCTAssertEqual(p.value[2], 3, accuracy: 1e-6)
    }

    func testTrainingReducesLossOnALearnableProblem() {
        // Targets are a fixed linear map of the input: the network must fit them.
        let arch = CentroidCNN.Architecture(inputLength: 64, outputs: 2, dropoutRate: 0.1)
        let net = CentroidCNN(arch, seed: 3)
        let adam = AdamOptimizer(parameters: net.parameters, learningRate: 1e-3)
        var rng = SeededGenerator(seed: 4)
        let n = 32
        var xs = [Float](), ys = [Float]()
        for _ in 0..<n {
            let c = rng.uniform(0.2, 0.8), s = rng.uniform(0.03, 0.08)
            let row = (0..<64).map { i in Float(exp(-0.5 * pow((Double(i) / 64 - c) / s, 2))) }
            xs += row
            ys += [Float(c), Float(s * 5)]
        }
        let x = Tensor(shape: [n, 64], storage: xs), y = Tensor(shape: [n, 2], storage: ys)
        let first = net.trainStep(inputs: x, targets: y, optimizer: adam)
        var last = first
        for _ in 0..<60 { last = net.trainStep(inputs: x, targets: y, optimizer: adam) }
        XCTAssertLessThan(last, first * 0.1, "loss \(first) → \(last)")
    }

}
