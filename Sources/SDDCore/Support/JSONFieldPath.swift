import Foundation

/// The path of a JSON field as error messages name it: `cells[1].timeline.p1[3]`.
enum JSONFieldPath {
    /// Coding keys of a decoding error's context joined into one path.
    static func string(_ keys: [CodingKey]) -> String {
        keys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            .replacingOccurrences(of: ".[", with: "[")
    }
}
