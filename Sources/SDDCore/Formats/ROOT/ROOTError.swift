/// Errors of the ROOT reader: one line naming the file, the byte offset and, when known, the key.
/// Names and strings from the file are quoted with `InputQuote.escape`, like every reader's.
enum ROOTError {
    static func at(_ file: String, _ offset: Int, _ message: String) -> SDDError {
        .badBytes(file: file, offset: offset, message: message)
    }
}
