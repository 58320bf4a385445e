/// Flattens `[batch, length, channels]` to `[batch, length·channels]` in row-major order
/// (position-major, channel-minor, as Keras's Flatten does for channels-last data).
public final class Flatten: Layer {
    private var inputShape: [Int] = []

    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape.reduce(1, *)] }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        return input.reshaped([input.batch, input.rowSize])
    }

    public func backward(_ outputGradient: Tensor) -> Tensor { outputGradient.reshaped(inputShape) }
}
