/// Errors of the ROOT reader: one line naming the file, the byte offset and, when known, the key.
enum ROOTError {
    /// Bytes from the file as message text: printable ASCII as is, other bytes as `\xNN`, cut to
    /// about 80 characters, so a damaged name cannot smuggle control characters into a terminal.
    static func escaped<C: Collection>(_ bytes: C, limit: Int = 80) -> String where C.Element == UInt8 {
        var out = ""
        for b in bytes {
            if out.count >= limit { out += "…"; break }
            if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\\") { out.unicodeScalars.append(Unicode.Scalar(b)) }
            else if b == UInt8(ascii: "\\") { out += "\\\\" }
            else { out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(2) }
        }
        return out
    }

    /// A string that came from the file (already decoded), escaped the same way.
    static func escaped(_ s: String) -> String { escaped(Array(s.utf8)) }

    static func at(_ file: String, _ offset: Int, _ message: String) -> SDDError {
        .badBytes(file: file, offset: offset, message: message)
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
