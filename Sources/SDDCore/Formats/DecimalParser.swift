/// Parses decimal numbers straight from bytes, for the CSV and text readers: no String per field.
///
/// A number with at most 19 significant digits is m·10^e with m < 2^64. When |e| ≤ 22:
/// - m ≤ 2^53: one correctly rounded multiplication or division (Clinger's fast path, exact because
///   both m and 10^|e| are exact doubles);
/// - otherwise (the usual case for times written with 16–17 digits): 128-bit integer arithmetic
///   gives m·5^e, or the quotient of m·2^s by 5^|e| to 64 bits, with any lost bits folded into the
///   lowest bit ("sticky"), so the one conversion to Double rounds correctly; the power of two is
///   applied exactly afterwards.
/// All other syntactically valid numbers go to the standard library's correctly rounded parser.
/// So every result equals `Double(text)`.
public enum DecimalParser {
    static let powersOf5: [UInt64] = (0...22).map { k in (0..<k).reduce(UInt64(1)) { p, _ in p * 5 } }

    static let powersOf10: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// The value of the eight ASCII digits at `p` (the first one most significant), or nil if any
    /// byte is not a digit. One 64-bit load: the digits are checked together (every byte's high
    /// nibble is 3, and stays 3 after adding 6, only for '0'...'9'), then combined pairwise:
    /// neighbouring bytes into 2-digit numbers, those into 4-digit ones, those into the 8-digit one.
    @inline(__always) static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let v = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian
        let high: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard (v & high) | (((v &+ 0x0606_0606_0606_0606) & high) >> 4) == 0x3333_3333_3333_3333 else { return nil }
        var x = v & 0x0F0F_0F0F_0F0F_0F0F                                   // digit values, first in the lowest byte
        x = ((x &* 10) &+ (x >> 8)) & 0x00FF_00FF_00FF_00FF                 // bytes 0, 2, 4, 6: d0d1, d2d3, …
        x = ((x &* 100) &+ (x >> 16)) & 0x0000_FFFF_0000_FFFF               // 16-bit lanes 0 and 2: d0…d3, d4…d7
        return ((x &* 10_000) &+ (x >> 32)) & 0xFFFF_FFFF
    }

    /// The value of `[p, p+n)` as a decimal number (optional sign, digits, optional fraction,
    /// optional exponent, or nan/inf/infinity), or nil when the bytes are not exactly one number.
    public static func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n > 0 else { return nil }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") {
            negative = p[0] == UInt8(ascii: "-")
            i = 1
        }
        var m: UInt64 = 0
        var exp10 = 0
        var sawDigit = false
        var truncated = false
        let limit: UInt64 = (UInt64.max - 9) / 10
        // Eight digits at a time while the mantissa stays far from the limit (the same result as
        // the loop below, which takes the rest).
        while i + 8 <= n, m < 100_000_000_000, let d = eightDigits(p + i) {
            m = m &* 100_000_000 &+ d
            i += 8
            sawDigit = true
        }
        while i < n, isDigit(p[i]) {
            sawDigit = true
            if m <= limit { m = m &* 10 &+ UInt64(p[i] &- 48) } else { exp10 += 1; truncated = true }
            i += 1
        }
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            while i + 8 <= n, m < 100_000_000_000, let d = eightDigits(p + i) {
                m = m &* 100_000_000 &+ d
                exp10 -= 8
                i += 8
                sawDigit = true
            }
            while i < n, isDigit(p[i]) {
                sawDigit = true
                if m <= limit { m = m &* 10 &+ UInt64(p[i] &- 48); exp10 -= 1 } else { truncated = true }
                i += 1
            }
        }
        if !sawDigit { return special(p + i, n - i, negative: negative, hadSign: i > 0) }
        if i < n, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < n, isDigit(p[i]) else { return nil }
            var e = 0
            while i < n, isDigit(p[i]) {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 48) }
                i += 1
            }
            exp10 += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if m == 0 { return negative ? -0.0 : 0.0 }
        if !truncated, m <= 1 << 53, exp10 >= -22, exp10 <= 22 {
            let v = Double(m)
            let r = exp10 >= 0 ? v * powersOf10[exp10] : v / powersOf10[-exp10]
            return negative ? -r : r
        }
        if !truncated, exp10 >= -22, exp10 <= 22 {
            let r = scaled(m, exp10)
            return negative ? -r : r
        }
        return Double(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
    }

    /// m·10^e correctly rounded, for 0 < m < 2^64 and |e| ≤ 22 (results are far from overflow and
    /// underflow, so scaling by a power of two is exact).
    @inline(__always) static func scaled(_ m: UInt64, _ e: Int) -> Double {
        if e >= 0 {
            // m·10^e = (m·5^e)·2^e; m·5^e < 2^116.
            let (hi, lo) = m.multipliedFullWidth(by: powersOf5[e])
            if hi == 0 { return Double(sign: .plus, exponent: e, significand: Double(lo)) }
            let shift = 64 - hi.leadingZeroBitCount          // bits of the product above the low word
            var top = hi << (64 - shift) | lo >> shift
            if lo << (64 - shift) != 0 { top |= 1 }          // sticky: keeps ties from rounding the wrong way
            return Double(sign: .plus, exponent: e + shift, significand: Double(top))
        }
        // m·10^e = m / (5^k·2^k): q = ⌊m·2^s / 5^k⌋ has 63–64 bits for s = 63 + bits(5^k) − bits(m).
        let k = -e
        let d = powersOf5[k]
        let s = 63 + (64 - d.leadingZeroBitCount) - (64 - m.leadingZeroBitCount)
        let hi: UInt64 = s >= 64 ? m << (s - 64) : (s == 0 ? 0 : m >> (64 - s))
        let lo: UInt64 = s >= 64 ? 0 : m << s
        var (q, r) = d.dividingFullWidth((high: hi, low: lo))
        if r != 0 { q |= 1 }
        return Double(sign: .plus, exponent: -s - k, significand: Double(q))
    }

    /// nan, inf, infinity (any case), after an optional sign.
    private static func special(_ p: UnsafePointer<UInt8>, _ n: Int, negative: Bool, hadSign: Bool) -> Double? {
        func matches(_ word: StaticString) -> Bool {
            guard n == word.utf8CodeUnitCount else { return false }
            let w = word.utf8Start
            for k in 0..<n where p[k] | 0x20 != w[k] { return false }
            return true
        }
        if matches("nan") { return .nan }
        if matches("inf") || matches("infinity") { return negative ? -.infinity : .infinity }
        return nil
    }
}
