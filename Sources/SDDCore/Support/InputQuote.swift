/// Input bytes as they may appear in an error message: printable ASCII as is, every other byte as
/// `\xNN`, cut to about 80 characters with "…", so that a hostile file cannot set the terminal
/// title, clear the screen or hide text behind a carriage return, and a 1 GB line is not echoed.
/// Every reader quotes input through this one helper.
public enum InputQuote {
    /// The default length of a quote, in output characters.
    public static let defaultLimit = 80

    /// The escaped form of `bytes`, at most about `limit` characters.
    public static func escape<C: Collection>(_ bytes: C, limit: Int = defaultLimit) -> String where C.Element == UInt8 {
        var out = ""
        out.reserveCapacity(Swift.min(limit, bytes.count) + 8)
        var used = 0
        for b in bytes {
            let piece: String
            switch b {
            case 0x5C: piece = "\\\\"
            case 0x20...0x7E: piece = String(UnicodeScalar(b))
            default:
                let hex = Array("0123456789abcdef")
                piece = "\\x" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
            if used + piece.count > limit { return out + "…" }
            out += piece
            used += piece.count
        }
        return out
    }

    /// The escaped form of a string's UTF-8 bytes.
    public static func escape<S: StringProtocol>(_ text: S, limit: Int = defaultLimit) -> String {
        escape(Array(text.utf8.prefix(limit * 4 + 4)), limit: limit)
    }

    /// The escaped form of a Latin-1 decoded text (one character per input byte, as `TextLines`
    /// decodes), so that each input byte shows as itself or as its own `\xNN`.
    static func escapeLatin1<S: StringProtocol>(_ text: S, limit: Int = defaultLimit) -> String {
        var bytes: [UInt8] = []
        for u in text.unicodeScalars.prefix(limit + 1) {
            if u.value < 256 { bytes.append(UInt8(u.value)) } else { bytes.append(contentsOf: Array(String(u).utf8)) }
        }
        return escape(bytes, limit: limit)
    }

    /// `'escaped'`, or `(empty)`.
    public static func quoted<C: Collection>(_ bytes: C, limit: Int = defaultLimit) -> String where C.Element == UInt8 {
        bytes.isEmpty ? "(empty)" : "'" + escape(bytes, limit: limit) + "'"
    }
}
