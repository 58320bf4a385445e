import Foundation

/// Peak positions between bin centres from the few bins around a found maximum.
public enum SubBinCentroid {
    /// The centroid of the peak at `index` in fractional bin units (bin i spans [i − ½, i + ½)).
    ///
    /// A Gaussian through the top bins: a parabola fitted to ln(counts) of the contiguous bins at or
    /// above half the peak value (at most `maxHalfWidth` bins each side, at least one), weighted by
    /// counts² so noisy low bins count little (Guo's weighting; exact for a noise-free Gaussian).
    /// Where that is not possible (a zero bin, a single bin, an upturned parabola) it falls back to
    /// a parabola through the three bins around the maximum, and to the bin itself at an edge.
    /// The result never leaves the bins used.
    public static func centroid(_ y: [Double], index: Int, maxHalfWidth: Int = 4) -> Double {
        let n = y.count
        guard index >= 0, index < n else { return Double(index) }
        let top = y[index]
        guard top > 0, n >= 3 else { return Double(index) }
        var lo = index, hi = index
        while lo > 0, index - lo < maxHalfWidth, y[lo - 1] >= 0.5 * top, y[lo - 1] <= top { lo -= 1 }
        while hi < n - 1, hi - index < maxHalfWidth, y[hi + 1] >= 0.5 * top, y[hi + 1] <= top { hi += 1 }
        if hi - lo < 2 {   // widen to three bins where the signal allows it
            if lo > 0 && hi - lo < 2 { lo -= 1 }
            if hi < n - 1 && hi - lo < 2 { hi += 1 }
        }
        if hi - lo >= 2, let c = logParabolaVertex(y, lo, hi, around: index) { return c }
        return threePoint(y, index)
    }

    /// Vertex of the counts²-weighted least-squares parabola through ln y over lo...hi.
    static func logParabolaVertex(_ y: [Double], _ lo: Int, _ hi: Int, around c: Int) -> Double? {
        // Sums of w·t^k and w·t^k·ln y with t = i − c, so the normal equations stay well scaled.
        var s = [Double](repeating: 0, count: 5), r = [Double](repeating: 0, count: 3)
        for i in lo...hi {
            guard y[i] > 0 else { return nil }
            let w = y[i] * y[i], t = Double(i - c), l = log(y[i])
            var tk = 1.0
            for k in 0..<5 {
                s[k] += w * tk
                if k < 3 { r[k] += w * tk * l }
                tk *= t
            }
        }
        // Solve [[s0 s1 s2][s1 s2 s3][s2 s3 s4]]·(a, b, q) = r by Cramer's rule (3×3).
        func det(_ m: [[Double]]) -> Double {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        }
        let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]]
        let d = det(m)
        guard d != 0, d.isFinite else { return nil }
        let b = det([[s[0], r[0], s[2]], [s[1], r[1], s[3]], [s[2], r[2], s[4]]]) / d
        let q = det([[s[0], s[1], r[0]], [s[1], s[2], r[1]], [s[2], s[3], r[2]]]) / d
        guard q < 0 else { return nil }
        let v = -b / (2 * q)
        guard v.isFinite, v >= Double(lo - c) - 0.5, v <= Double(hi - c) + 0.5 else { return nil }
        return Double(c) + v
    }

    /// Vertex of the parabola through bins i−1, i, i+1 (clamped to ±½ bin).
    static func threePoint(_ y: [Double], _ i: Int) -> Double {
        guard i > 0, i < y.count - 1 else { return Double(i) }
        let a = y[i - 1], b = y[i], c = y[i + 1]
        let den = a - 2 * b + c
        guard den < 0 else { return Double(i) }
        let d = 0.5 * (a - c) / den
        return Double(i) + Swift.min(0.5, Swift.max(-0.5, d))
    }
}
