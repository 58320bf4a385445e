import CentroidNetwork
import Foundation
import SDDCore

/// The CNN's speed: training throughput (forward + backward + Adam on a prepared mini-batch, as
/// Keras's `train_on_batch` is timed by scripts/bench_cnn_keras.py), inference per spectrum
/// (batched and single), and synthesis of training spectra.
///
/// For scripts/compare: with SDDCAL_CNN_AGREEMENT_INPUTS=FILE (raw float32 spectra, `inputLength`
/// values each) and SDDCAL_CNN_AGREEMENT_OUTPUTS=FILE, the model SDDCAL_CNN_MODEL (default: the
/// shipped Assets/cnn-vip2.sddnn) is first run on those spectra and its raw outputs written as JSON,
/// so that Keras can be checked on the same weights and inputs.
func cnnBenchmarks() -> [Benchmark] {
    let env = ProcessInfo.processInfo.environment
    if let inputs = env["SDDCAL_CNN_AGREEMENT_INPUTS"], let outputs = env["SDDCAL_CNN_AGREEMENT_OUTPUTS"] {
        let path = env["SDDCAL_CNN_MODEL"] ?? "Assets/cnn-vip2.sddnn"
        guard let model = try? ModelFile.read(path) else {
            FileHandle.standardError.write(Data("sddcal-bench: cannot read the model \(path)\n".utf8))
            exit(2)
        }
        let x = readRawArray(inputs, of: Float.self)
        let length = model.network.architecture.inputLength
        let y = model.network.predict(Tensor(shape: [x.count / length, length, 1], storage: Array(x.prefix(x.count / length * length))))
        writeAnswers(outputs, y.storage.map(Double.init))
    }
    let synth = TrainingSpectrumSynthesizer(profile: .vip2)
    let net = CentroidCNN(seed: 1)
    let adam = AdamOptimizer(parameters: net.parameters)
    let scaling = synth.outputScaling(seed: 1)
    let train = synth.batch(seed: 1, stream: 1, first: 0, count: 256, scaling: scaling)
    let infer = synth.batch(seed: 1, stream: 2, first: 0, count: 1024, scaling: scaling)
    let single = infer.inputs.rows(0..<1)
    return [
        // Per-spectrum figures: each call handles one mini-batch, so divide by its size.
        Benchmark(name: "cnn train step, batch 256 (per batch)", inner: 3) {
            if Dense.threading != .library { Dense.threading = .library }
            return net.trainStep(inputs: train.inputs, targets: train.targets, optimizer: adam)
        },
        Benchmark(name: "cnn train step, batch 256, Dense split by Dispatch (per batch)", inner: 3) {
            if Dense.threading != .dispatch { Dense.threading = .dispatch }
            return net.trainStep(inputs: train.inputs, targets: train.targets, optimizer: adam)
        },
        Benchmark(name: "cnn inference, batch 1024 (per batch)", inner: 3) {
            if Dense.threading != .library { Dense.threading = .library }
            return Double(net.predict(infer.inputs, chunk: 1024).storage[0])
        },
        Benchmark(name: "cnn inference, batch 1024, Dense split by Dispatch (per batch)", inner: 3) {
            if Dense.threading != .dispatch { Dense.threading = .dispatch }
            return Double(net.predict(infer.inputs, chunk: 1024).storage[0])
        },
        Benchmark(name: "cnn inference, single spectrum", inner: 200) {
            if Dense.threading != .dispatch { Dense.threading = .dispatch }
            return Double(net.predict(single).storage[0])
        },
        Benchmark(name: "synthesize training batch 256 (per batch)", inner: 3) {
            Double(synth.batch(seed: 3, stream: 1, first: 0, count: 256, scaling: scaling).targets.storage[0])
        },
        // Layer by layer, batch 256: where a training step's time goes.
        layerBenchmark("Dense 2105→500", Dense(inputs: 2105, units: 500), input: [256, 2105]),
        layerBenchmark("Conv1D k50 1→5 on 300", Conv1D(inputChannels: 1, filters: 5, kernelSize: 50), input: [256, 300, 1]),
        layerBenchmark("Conv1D k10 5→5 on 251", Conv1D(inputChannels: 5, filters: 5, kernelSize: 10), input: [256, 251, 5]),
        layerBenchmark("MaxPool1D 2 on 242×5", MaxPool1D(poolSize: 2), input: [256, 242, 5]),
    ] + BLAS.Kernel.available.map(gemmBenchmark)
}

/// One single-threaded product of the Dense forward pass's shape (half a batch of 256, as each
/// Dispatch piece computes) with each kernel the machine has.
private func gemmBenchmark(_ kernel: BLAS.Kernel) -> Benchmark {
    let (m, n, k) = (128, 500, 2105)
    var rng = SeededGenerator(seed: 5)
    let a = (0..<(m * k)).map { _ in Float(rng.uniform(-1, 1)) }
    let b = (0..<(k * n)).map { _ in Float(rng.uniform(-1, 1)) }
    var c = [Float](repeating: 0, count: m * n)
    return Benchmark(name: "sgemm \(m)×\(k)·\(k)×\(n), 1 thread, \(kernel.kind.rawValue)", inner: 3) {
        let saved = kernel.threads
        kernel.threads = 1
        defer { kernel.threads = saved }
        kernel.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n)
        return Double(c[0])
    }
}

/// Forward + backward of one layer on a random batch.
private func layerBenchmark(_ name: String, _ layer: Layer, input shape: [Int]) -> Benchmark {
    var rng = SeededGenerator(seed: 9)
    let x = Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(-1, 1)) })
    let y = layer.forward(x, training: true)
    let g = Tensor(shape: y.shape, storage: (0..<y.count).map { _ in Float(rng.uniform(-1, 1)) })
    return Benchmark(name: "\(name) fwd+bwd, batch 256", inner: 5) {
        let out = layer.forward(x, training: true)
        let dx = layer.backward(g)
        return Double(out.storage[0]) + Double(dx.storage.first ?? 0)
    }
}
