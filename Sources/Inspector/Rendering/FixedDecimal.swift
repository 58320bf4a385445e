import Foundation

/// `String(format: "%.Nf", v)` (and `"%+.Nf"`) without Foundation's formatter, for text drawn on
/// every frame: each `String(format:)` builds a CFString through a va_list with dynamic casts, and
/// the tick labels alone were a quarter of a chart's render time.
///
/// The same text as printf for every value: v·10^N rounded to the nearest integer, an exact tie to
/// the even one (glibc rounds the exact binary value so). The product v·10^N is one rounding away
/// from the exact one, and its error (exact, from a fused multiply-add) says on which side of a tie
/// the exact value lies; away from a tie both round alike, as the halfway point k + ½ is itself a
/// double. Values whose scaled magnitude reaches 2^53, NaN, ±∞ and N outside 0...9 go to
/// `String(format:)`.
public enum FixedDecimal {
    static let scales: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    /// `v` with `decimals` digits after the point, as `String(format: "%.<decimals>f", v)`; with
    /// `plusSign`, as `"%+.<decimals>f"` (a "+" before values without a minus sign).
    public static func format(_ v: Double, decimals: Int, plusSign: Bool = false) -> String {
        guard v.isFinite, decimals >= 0, decimals < scales.count else {
            return String(format: plusSign ? "%+.\(decimals)f" : "%.\(decimals)f", v)
        }
        let p = v * scales[decimals]
        guard abs(p) < 0x1p53 else { return String(format: plusSign ? "%+.\(decimals)f" : "%.\(decimals)f", v) }
        let error = (-p).addingProduct(v, scales[decimals])   // exact: v·10^N − p
        var whole = abs(p).rounded(.towardZero)
        let fraction = abs(p) - whole                          // exact below 2^53
        // The exact magnitude's side of a tie: above when the error points away from zero.
        let beyond = p < 0 ? error < 0 : error > 0
        if fraction > 0.5 || fraction == 0.5 && (beyond || error == 0 && whole.truncatingRemainder(dividingBy: 2) == 1) {
            whole += 1
        }
        let negative = v.sign == .minus                        // printf keeps the minus of -0.0 and of -0.4 → "-0"
        return text(UInt64(whole), decimals: decimals, sign: negative ? UInt8(ascii: "-") : plusSign ? UInt8(ascii: "+") : nil)
    }

    /// The digits of `m` with a point before the last `decimals` (at least one digit before it).
    private static func text(_ m: UInt64, decimals: Int, sign: UInt8?) -> String {
        // 16 digits below 2^53, up to 9 zeros of padding, the point and the sign.
        String(unsafeUninitializedCapacity: 32) { out in
            var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            return withUnsafeMutableBytes(of: &digits) { d in
                var n = 0, m = m
                repeat {
                    d[n] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10)
                    m /= 10
                    n += 1
                } while m > 0
                while n <= decimals { d[n] = UInt8(ascii: "0"); n += 1 }
                var k = 0
                if let sign { out[k] = sign; k += 1 }
                for i in stride(from: n - 1, through: 0, by: -1) {
                    if i == decimals - 1 { out[k] = UInt8(ascii: "."); k += 1 }
                    out[k] = d[i]
                    k += 1
                }
                return k
            }
        }
    }
}
