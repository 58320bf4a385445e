/// A network layer with a forward pass and a backward pass over mini-batches.
///
/// `forward` keeps what `backward` needs (inputs, masks, argmax indices); `backward` takes the
/// loss gradient with respect to the layer's output, adds the gradients of its parameters into
/// `Parameter.gradient`, and returns the gradient with respect to its input.
public protocol Layer: AnyObject {
    /// Output shape (without the batch dimension) for an input shape (without the batch dimension).
    func outputShape(for inputShape: [Int]) -> [Int]
    func forward(_ input: Tensor, training: Bool) -> Tensor
    func backward(_ outputGradient: Tensor) -> Tensor
    /// Trainable parameters, in a fixed order (the order of the model file).
    var parameters: [Parameter] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}
