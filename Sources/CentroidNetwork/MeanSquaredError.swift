/// Mean squared error over every element of a `[batch, outputs]` prediction, as Keras's "mse".
public enum MeanSquaredError {
    /// Loss = mean((prediction − target)²) and its gradient 2·(prediction − target)/count.
    public static func lossAndGradient(prediction: Tensor, target: Tensor) -> (loss: Double, gradient: Tensor) {
        precondition(prediction.shape == target.shape, "MSE: shapes \(prediction.shape) and \(target.shape) differ")
        var grad = Tensor(zeros: prediction.shape)
        let scale = 2 / Float(prediction.count)
        var sum = 0.0
        prediction.storage.withUnsafeBufferPointer { p in
            target.storage.withUnsafeBufferPointer { t in
                grad.storage.withUnsafeMutableBufferPointer { g in
                    for i in p.indices {
                        let d = p[i] - t[i]
                        sum += Double(d * d)
                        g[i] = scale * d
                    }
                }
            }
        }
        return (sum / Double(prediction.count), grad)
    }
}
