import Foundation

/// The lines of a small text file decoded as Latin-1 (every byte is a character, so instrument files
/// with a non-UTF-8 degree sign still read), numbered from 1, with `\r` and a leading UTF-8 byte
/// order mark removed (as Latin-1 the mark would read as three letters and, e.g., turn a text
/// spectrum's first count into a header).
struct TextLines {
    let path: String
    let lines: [Substring]

    init(path: String, bytes: [UInt8]) {
        self.path = path
        // Split on bytes: as Characters "\r\n" is one grapheme and would not split on "\n".
        var out: [Substring] = []
        var start = TextLines.byteOrderMarkLength(bytes)
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

    /// 3 when the bytes start with the UTF-8 byte order mark EF BB BF, else 0.
    static func byteOrderMarkLength<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8, C.Index == Int {
        bytes.count >= 3 && bytes[bytes.startIndex] == 0xEF && bytes[bytes.startIndex + 1] == 0xBB
            && bytes[bytes.startIndex + 2] == 0xBF ? 3 : 0
    }

    /// Throws unless every line of `bytes` is at most `limit` bytes long, so that a file of one endless
    /// line (e.g. /dev/zero) is refused before it is split and decoded.
    static func checkLineLengths(_ bytes: [UInt8], path: String, limit: Int) throws {
        var start = 0, line = 1
        let n = bytes.count
        try bytes.withUnsafeBufferPointer { p in
            while start < n {
                let rest = n - start
                let hit = memchr(p.baseAddress! + start, 0x0A, rest)
                let end = hit.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - p.baseAddress! } ?? n
                if end - start > limit {
                    throw SDDError.badLine(file: path, line: line,
                                           message: "line longer than \(limit) bytes (limit SDDCAL_MAX_LINE_BYTES): not a spectrum file? starts \(InputQuote.quoted(p[start..<Swift.min(end, start + 40)]))")
                }
                start = end + 1
                line += 1
            }
        }
    }

    /// A token or line quoted for a message: escaped (`InputQuote`), cut to ~80 characters.
    static func quote<S: StringProtocol>(_ s: S) -> String {
        s.isEmpty ? "(empty)" : "'" + InputQuote.escapeLatin1(s) + "'"
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
        guard let v = Double(token) else { throw error(i, "\(what) \(TextLines.quote(token)) is not a number") }
        return v
    }

    /// A finite number token: NaN and infinities are refused with the field named.
    func finiteNumber(_ token: Substring, line i: Int, what: String) throws -> Double {
        let v = try number(token, line: i, what: what)
        guard v.isFinite else { throw error(i, "\(what) is \(TextLines.quote(token)): must be a finite number") }
        return v
    }

    /// An integer token.
    func integer(_ token: Substring, line i: Int, what: String) throws -> Int {
        guard let v = Int(token) else { throw error(i, "\(what) \(TextLines.quote(token)) is not an integer") }
        return v
    }

    /// A spectrum count: a finite, non-negative number up to 2⁵³.
    func count(_ token: Substring, line i: Int, channel: Int) throws -> Double {
        let v = try number(token, line: i, what: "count of channel \(channel)")
        guard v.isFinite else { throw error(i, "count of channel \(channel) is \(InputQuote.escapeLatin1(token))") }
        guard v >= 0 else { throw error(i, "count of channel \(channel) is negative (\(InputQuote.escapeLatin1(token)))") }
        guard v <= InputLimits.current.maxCount else {
            throw error(i, "count of channel \(channel) is \(InputQuote.escapeLatin1(token)), above 2^53 (counts are whole numbers)")
        }
        return v
    }
}
