/// `condition ? a : b` computed with a mask instead of a jump.
///
/// In the walks over noisy spectra the condition (is this sample lower?) is a coin toss, so a jump
/// would be mispredicted half the time; the compiler turns a plain `?:` whose operand is a load into
/// such a jump, but not this arithmetic.
@inline(__always)
func branchFreeSelect(_ condition: Bool, _ a: Int, _ b: Int) -> Int {
    let mask = 0 &- Int(unsafeBitCast(condition, to: UInt8.self))
    return b ^ ((a ^ b) & mask)
}

/// `condition ? a : b` for doubles, as `branchFreeSelect` for integers.
@inline(__always)
func branchFreeSelect(_ condition: Bool, _ a: Double, _ b: Double) -> Double {
    let mask = 0 &- UInt64(unsafeBitCast(condition, to: UInt8.self))
    return Double(bitPattern: b.bitPattern ^ ((a.bitPattern ^ b.bitPattern) & mask))
}
