import ArgumentParser
import Foundation
import SDDCore

/// `sddcal convert`: events between CSV and the binary format, and spectra (or events histogrammed
/// per cell) to `.npy` or text.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert event files (CSV ↔ binary) and export spectra (.npy, .csv).",
        discussion: """
        Events: IN and OUT are .csv (header sdd,adc,time) or .bin (sddcal's binary format, \
        docs/binary-format.md). A bad row stops the conversion with its file and line unless \
        --lenient, which skips bad rows and reports them counted by reason.
        Spectra: IN is an Amptek .mca (also as .txt), ORTEC .Spe, text/CSV or .npy spectrum; OUT is \
        .npy (several cells: one row per cell) or .csv/.txt (one spectrum). An events IN with a .npy \
        OUT writes the ADC spectrum of every cell.
        The output is written to a temporary file and renamed into place; an existing OUT is kept \
        unless --force.
        """)

    @Argument(help: "Input file.") var input: String
    @Argument(help: "Output file (.csv, .bin, .npy, .txt).") var output: String
    @Option(help: "Number of cells: events of cells outside 0..<N are rejected as unknown.") var cells: Int?
    @Flag(help: "Skip bad event rows and count them per reason instead of stopping at the first.") var lenient = false
    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup var rootInput: ROOTInputOptions
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    func run() throws {
        try reportingErrors {
            if let n = cells, n < 1 || n > 65536 { throw SDDError.invalidArgument("--cells", "must be between 1 and 65536") }
            if !outputOptions.force && FileManager.default.fileExists(atPath: output) { throw SDDError.outputExists(output) }
            guard !sameFile(input, output) else {
                throw SDDError.invalidArgument(output, "is the input file; write to another path")
            }
            let report = try EventFile.holdsEvents(input) ? convertEvents() : convertSpectra()
            if json { try printJSON(report) } else { print(report.text) }
        }
    }

    func convertEvents() throws -> ConvertReport {
        let toSpectra = EventFile.fileExtension(output) == "npy"
        guard toSpectra || ["csv", "bin"].contains(EventFile.fileExtension(output)) else {
            throw SDDError.badFile(file: output, message: "events convert to .csv, .bin, or .npy (one ADC spectrum per cell)")
        }
        let options = try rootInput.readOptions(lenient: lenient, knownCells: cells.map { 0...($0 - 1) })
        let start = Date()
        let readBar = TerminalProgressBar("read")
        let result = try EventFile.read(input, options: options, progress: readBar)
        readBar.finish()
        let readSeconds = Date().timeIntervalSince(start)
        let writeStart = Date()
        let bytesOut: Int
        var spectra: Int?
        if toSpectra {
            let records = SpectrumRecord.adcSpectra(of: result.events)
            guard !records.isEmpty else { throw SDDError.badFile(file: input, message: "no events to histogram") }
            try SpectrumFile.write(records, to: output, overwrite: outputOptions.force)
            bytesOut = fileSize(output)
            spectra = records.count
        } else {
            let writeBar = TerminalProgressBar("write")
            // simulate's generation id goes along, so the converted events still pair with their truth.
            let generation = result.format == .root ? nil : try SimulationPair.generation(ofEvents: input)
            bytesOut = try EventFile.write(result.events, to: output, overwrite: outputOptions.force,
                                           generation: generation ?? 0, progress: writeBar)
            writeBar.finish()
        }
        let r = result.rejected
        return ConvertReport(
            input: input, output: output, kind: "events", inputFormat: result.format.rawValue,
            outputFormat: toSpectra ? "npy" : EventFile.fileExtension(output),
            rows: result.rowsRead, events: result.events.count, rejected: r.total,
            rejectedByReason: Dictionary(uniqueKeysWithValues: r.counts.map { ($0.key.rawValue, $0.value) }),
            firstRejection: Dictionary(uniqueKeysWithValues: r.firstMessage.map { ($0.key.rawValue, $0.value) }),
            spectra: spectra, channels: nil, bytesIn: result.bytesRead, bytesOut: bytesOut,
            readSeconds: readSeconds, writeSeconds: Date().timeIntervalSince(writeStart))
    }

    func convertSpectra() throws -> ConvertReport {
        let start = Date()
        let records = try SpectrumFile.read(input)
        let readSeconds = Date().timeIntervalSince(start)
        let writeStart = Date()
        try SpectrumFile.write(records, to: output, overwrite: outputOptions.force)
        let bytes = fileSize(ROOTSelection.parse(input)?.file ?? input)
        return ConvertReport(
            input: input, output: output, kind: "spectra",
            inputFormat: ROOTSelection.parse(input) != nil ? "root" : SpectrumFile.format(path: input, bytes: headBytes(input)).rawValue,
            outputFormat: EventFile.fileExtension(output), rows: nil, events: nil, rejected: 0,
            rejectedByReason: [:], firstRejection: [:], spectra: records.count,
            channels: records.map(\.histogram.binCount).max(), bytesIn: bytes, bytesOut: fileSize(output),
            readSeconds: readSeconds, writeSeconds: Date().timeIntervalSince(writeStart))
    }

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    func headBytes(_ path: String) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return [UInt8](h.readData(ofLength: 4096))
    }

}

/// What `convert` did, for the text and JSON summaries.
struct ConvertReport: Encodable {
    let input, output, kind, inputFormat, outputFormat: String
    /// Event rows seen and events kept (event conversions).
    let rows, events: Int?
    let rejected: Int
    let rejectedByReason: [String: Int]
    let firstRejection: [String: String]
    /// Spectra written and the largest channel count (spectrum exports).
    let spectra, channels: Int?
    let bytesIn, bytesOut: Int
    let readSeconds, writeSeconds: Double

    enum CodingKeys: String, CodingKey {
        case input, output, kind, rows, events, rejected, spectra, channels
        case inputFormat = "input_format", outputFormat = "output_format"
        case rejectedByReason = "rejected_by_reason", firstRejection = "first_rejection"
        case bytesIn = "bytes_in", bytesOut = "bytes_out", readSeconds = "read_seconds", writeSeconds = "write_seconds"
    }

    var text: String {
        var lines: [String] = []
        let mb = { (b: Int) in String(format: "%.1f MB", Double(b) / 1e6) }
        if let events, let rows {
            let rate = readSeconds > 0 ? String(format: ", %.0f MB/s", Double(bytesIn) / 1e6 / readSeconds) : ""
            lines.append("read \(events) events from \(input) (\(inputFormat), \(mb(bytesIn)), \(String(format: "%.3f", readSeconds)) s\(rate))")
            if rejected > 0 {
                lines.append("rejected \(rejected) of \(rows) rows:")
                for (reason, n) in rejectedByReason.sorted(by: { $0.key < $1.key }) {
                    lines.append("  \(reason): \(n)  (first: \(firstRejection[reason] ?? ""))")
                }
            }
        } else {
            lines.append("read \(spectra ?? 0) spectr\(spectra == 1 ? "um" : "a") (\(channels ?? 0) channels) from \(input) (\(inputFormat))")
        }
        let what = kind == "events" && outputFormat == "npy" ? "\(spectra ?? 0) cell spectra" : kind
        lines.append("wrote \(what) to \(output) (\(outputFormat), \(mb(bytesOut)), \(String(format: "%.3f", writeSeconds)) s)")
        return lines.joined(separator: "\n")
    }
}
