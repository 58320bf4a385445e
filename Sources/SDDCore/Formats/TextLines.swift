import Foundation

/// The lines of a small text file decoded as Latin-1 (every byte is a character, so instrument files
/// with a non-UTF-8 degree sign still read), numbered from 1, with `\r` removed.
struct TextLines {
    let path: String
    let lines: [Substring]

    init(path: String, bytes: [UInt8]) {
        self.path = path
        // Split on bytes: as Characters "\r\n" is one grapheme and would not split on "\n".
        var out: [Substring] = []
        var start = 0
        let n = bytes.count
        while start < n {
            var end = start
            while end < n, bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            out.append(Substring(TextLines.latin1(bytes[start..<stop])))
            start = end + 1
        }
        lines = out
    }

    /// Latin-1 maps byte b to U+00b; ASCII lines (the usual case) decode directly.
    static func latin1(_ b: ArraySlice<UInt8>) -> String {
        if b.allSatisfy({ $0 < 0x80 }) { return String(decoding: b, as: UTF8.self) }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: b.map { Unicode.Scalar($0) })
        return String(s)
    }

    /// An error at 0-based line index `i`.
    func error(_ i: Int, _ message: String) -> SDDError { .badLine(file: path, line: i + 1, message: message) }

    static func trimmed(_ s: Substring) -> Substring {
        var a = s.startIndex, b = s.endIndex
        while a < b, s[a] == " " || s[a] == "\t" || s[a] == "\u{FEFF}" { a = s.index(after: a) }
        while b > a, s[s.index(before: b)] == " " || s[s.index(before: b)] == "\t" { b = s.index(before: b) }
        return s[a..<b]
    }

    /// Whitespace-separated tokens of a line.
    static func tokens(_ s: Substring) -> [Substring] {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    /// A number token, or an error naming the line and what the token should have been.
    func number(_ token: Substring, line i: Int, what: String) throws -> Double {
        guard let v = Double(token) else { throw error(i, "\(what) '\(token.prefix(40))' is not a number") }
        return v
    }

    /// An integer token.
    func integer(_ token: Substring, line i: Int, what: String) throws -> Int {
        guard let v = Int(token) else { throw error(i, "\(what) '\(token.prefix(40))' is not an integer") }
        return v
    }

    /// A spectrum count: a finite, non-negative number.
    func count(_ token: Substring, line i: Int, channel: Int) throws -> Double {
        let v = try number(token, line: i, what: "count of channel \(channel)")
        guard v.isFinite else { throw error(i, "count of channel \(channel) is \(token)") }
        guard v >= 0 else { throw error(i, "count of channel \(channel) is negative (\(token))") }
        return v
    }
}
