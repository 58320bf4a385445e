import Foundation

/// The path of a JSON field as error messages name it: `cells[1].timeline.p1[3]`.
enum JSONFieldPath {
    /// Coding keys of a decoding error's context joined into one path. Dictionary keys come from
    /// the file, so every key is escaped.
    static func string(_ keys: [CodingKey]) -> String {
        keys.map { k in k.intValue.map { "[\($0)]" } ?? "." + InputQuote.escape(k.stringValue, limit: 40) }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            .replacingOccurrences(of: ".[", with: "[")
    }
}
