import Foundation

/// Reading a JSON file of ours (calibration, truth, seeds): bounded and pipe-safe, a UTF-8 byte
/// order mark skipped (some editors write one), and every `DecodingError` turned into one
/// `SDDError` line that names the file and the field. Errors a type's own `init(from:)` throws for
/// its own reasons (a wrong schema or version) pass through unchanged for the caller to name.
enum JSONFileDecoding {
    /// The file's bytes, at most `InputLimits.current.maxSpectrumBytes`, without a byte order mark.
    static func bytes(_ path: String) throws -> Data {
        // FileManager.contents reads without limit (and leaked on some inputs under fuzzing).
        let data = Data(try FileInput.bytes(path, limit: InputLimits.current.maxSpectrumBytes))
        return data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
    }

    /// Decodes `T` from `data`; `what` names the kind of file when the bytes are not JSON at all.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, file: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw SDDError.badField(file: file, field: JSONFieldPath.string(ctx.codingPath + [key]), message: "missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SDDError.badField(file: file, field: JSONFieldPath.string(ctx.codingPath), message: InputQuote.escape(ctx.debugDescription))
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw SDDError.badField(file: file, field: JSONFieldPath.string(ctx.codingPath), message: "null")
        } catch let DecodingError.dataCorrupted(ctx) {
            // An empty path means the bytes are not JSON; otherwise a value's own check failed, and its
            // message (ours, quoting input through InputQuote) is kept as it is.
            if ctx.codingPath.isEmpty { throw SDDError.badFile(file: file, message: "not \(what) (not valid JSON)") }
            throw SDDError.badField(file: file, field: JSONFieldPath.string(ctx.codingPath), message: ctx.debugDescription)
        }
    }
}
