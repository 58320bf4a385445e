/// A dense float32 array with a shape, stored row-major. Sequences are channels-last,
/// `[batch, length, channels]`, as in Keras, so a Conv1D patch of `k` positions is one
/// contiguous run of `k·channels` values.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var storage: [Float]

    public init(shape: [Int], storage: [Float]) {
        precondition(shape.reduce(1, *) == storage.count, "tensor storage does not match shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Number of elements.
    public var count: Int { storage.count }
    /// First dimension (the mini-batch size).
    public var batch: Int { shape[0] }
    /// Elements per batch row.
    public var rowSize: Int { shape.count > 1 ? shape.dropFirst().reduce(1, *) : 1 }

    /// The same values under another shape of equal size.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, storage: storage) }

    /// Resizes in place to `newShape`, keeping the buffer when its size already fits
    /// (layers reuse their output buffers across mini-batches of the same size).
    @inlinable public mutating func resize(_ newShape: [Int]) {
        let n = newShape.reduce(1, *)
        if storage.count != n { storage = [Float](repeating: 0, count: n) }
        shape = newShape
    }

    /// Rows `range` of the batch as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        let r = rowSize
        return Tensor(shape: [range.count] + shape.dropFirst(),
                      storage: Array(storage[(range.lowerBound * r)..<(range.upperBound * r)]))
    }
}
