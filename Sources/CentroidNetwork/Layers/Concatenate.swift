/// Joins two `[batch, n₁]` and `[batch, n₂]` tensors into `[batch, n₁ + n₂]` (features of the
/// first, then of the second), and splits the gradient back. The three buffers are kept and reused
/// from one mini-batch to the next.
public final class Concatenate {
    private var widths = (0, 0)
    private var output = Tensor(zeros: [0])
    private var gradientA = Tensor(zeros: [0])
    private var gradientB = Tensor(zeros: [0])

    public init() {}

    public func forward(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.batch == b.batch, "Concatenate: batch sizes differ")
        let n1 = a.rowSize, n2 = b.rowSize, n = n1 + n2
        widths = (n1, n2)
        output.resize([a.batch, n])
        output.storage.withUnsafeMutableBufferPointer { yp in
            a.storage.withUnsafeBufferPointer { ap in
                b.storage.withUnsafeBufferPointer { bp in
                    for r in 0..<a.batch {
                        (yp.baseAddress! + r * n).update(from: ap.baseAddress! + r * n1, count: n1)
                        (yp.baseAddress! + r * n + n1).update(from: bp.baseAddress! + r * n2, count: n2)
                    }
                }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> (Tensor, Tensor) {
        let (n1, n2) = widths, n = n1 + n2, rows = dy.batch
        gradientA.resize([rows, n1])
        gradientB.resize([rows, n2])
        dy.storage.withUnsafeBufferPointer { g in
            gradientA.storage.withUnsafeMutableBufferPointer { a in
                gradientB.storage.withUnsafeMutableBufferPointer { b in
                    for r in 0..<rows {
                        (a.baseAddress! + r * n1).update(from: g.baseAddress! + r * n, count: n1)
                        (b.baseAddress! + r * n2).update(from: g.baseAddress! + r * n + n1, count: n2)
                    }
                }
            }
        }
        return (gradientA, gradientB)
    }
}
