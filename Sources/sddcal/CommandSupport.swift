import ArgumentParser
import Foundation
import SDDCore

/// Runs a command body, turning sddcal's errors into one line on stderr and a non-zero exit.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as SDDError {
        FileHandle.standardError.write(Data("sddcal: error: \(e.description)\n".utf8))
        throw ExitCode(1)
    }
}

/// Prints an Encodable value as pretty, key-sorted JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    FileHandle.standardOutput.write(try enc.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// True when both paths name the same existing file (same device and inode).
func sameFile(_ a: String, _ b: String) -> Bool {
    var sa = stat(), sb = stat()
    guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
}

/// Options every output-writing command shares.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Overwrite an existing output file.")
    var force = false
}

/// A progress bar with rate and ETA on stderr, shown only when stderr is a terminal.
final class TerminalProgressBar: ProgressObserver, @unchecked Sendable {
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let lock = NSLock()
    private let enabled: Bool

    init(_ label: String) {
        self.label = label
        enabled = isatty(STDERR_FILENO) != 0
    }

    func progress(done: Int, total: Int, unit: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || (total > 0 && done >= total) else { return }
        lastDraw = now
        let elapsed = max(1e-6, now.timeIntervalSince(start))
        let rate = Double(done) / elapsed
        var line = "\r\(label) "
        if total > 0 {
            let f = min(1, Double(done) / Double(total))
            let width = 30
            let filled = Int(f * Double(width))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            line += String(format: "%3.0f%% ", f * 100)
            let eta = rate > 0 ? Double(total - done) / rate : 0
            line += String(format: "%@/s, ETA %.0fs", Self.si(rate) + " " + unit, eta)
        } else {
            line += "\(done) \(unit), " + Self.si(rate) + " \(unit)/s"
        }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    /// Ends the bar's line (call when the work is done).
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func si(_ x: Double) -> String {
        if x >= 1e6 { return String(format: "%.1fM", x / 1e6) }
        if x >= 1e3 { return String(format: "%.1fk", x / 1e3) }
        return String(format: "%.1f", x)
    }
}

/// A one-line status on stderr (overwritten by the next; nil clears it), only when stderr is a terminal.
func statusLine(_ message: String?) {
    guard isatty(STDERR_FILENO) != 0 else { return }
    FileHandle.standardError.write(Data(("\r" + (message ?? "") + "\u{1B}[K").utf8))
}
