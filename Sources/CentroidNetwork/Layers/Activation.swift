/// An element-wise function a layer applies to its own output, so that it costs no separate pass
/// over memory and no buffer of its own (the paper's hidden layers use ReLU). The backward pass
/// multiplies the output gradient by the derivative, read off the layer's kept output.
public enum Activation: String, Codable, Sendable {
    /// The identity.
    case linear
    /// max(0, x); its derivative at exactly 0 is taken as 0, as in Keras (and the `ReLU` layer).
    case relu
}
