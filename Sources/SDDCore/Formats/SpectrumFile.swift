/// Reading and writing histogram (spectrum) files: Amptek `.mca`, ORTEC `.Spe`, text/CSV (one
/// spectrum, or one column per cell under a header naming them), NumPy `.npy` (1-D: one spectrum;
/// 2-D: one row per cell), ROOT `TH1` histograms (read only; `run.root:pattern` selects histograms by
/// key path) and a folder of such files (one cell per file). The format follows from the
/// extension where it is unambiguous (.npy, .mca, .spe) and from the content otherwise, so Amptek
/// files saved as `.txt` read as Amptek files.
public enum SpectrumFile {
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
        case amptekMCA = "mca"
        case ortecSpe = "spe"
        case text = "text"
        case numpy = "npy"
        case root = "root"
        public var description: String { rawValue }
    }

    /// The format of a file from its extension and first bytes.
    public static func format(path: String, bytes: [UInt8]) -> Format {
        switch EventFile.fileExtension(path) {
        case "npy": return .numpy
        case "mca": return .amptekMCA
        case "spe": return .ortecSpe
        case "root": return .root
        default: break
        }
        if bytes.count >= 6, Array(bytes[0..<6]) == NumpyArray.magic { return .numpy }
        if bytes.count >= 4, Array(bytes[0..<4]) == ROOTFileHeader.magic { return .root }
        let t = TextLines(path: path, bytes: Array(bytes.prefix(4096)))
        if AmptekMCA.looksLike(t) { return .amptekMCA }
        if OrtecSpe.looksLike(t) { return .ortecSpe }
        return .text
    }

    /// Reads every spectrum of a file. Errors are one line naming the file and the line (text
    /// formats) or byte offset (.npy, ROOT). A ROOT path may select histograms: `run.root:bus1_*`.
    public static func read(_ path: String) throws -> [SpectrumRecord] {
        if let selection = ROOTSelection.parse(path) { return try ROOTSpectra.records(selection) }
        if SpectrumFolder.isFolder(path) { return try SpectrumFolder.records(path) }
        let limits = InputLimits.current
        let binaryByName = ["npy", "root"].contains(EventFile.fileExtension(path))
        let bytes = try FileInput.bytes(path, limit: limits.maxSpectrumBytes,
                                        lineLimit: binaryByName ? nil : limits.maxLineBytes, isBinary: isBinaryPrefix)
        guard !bytes.isEmpty else { throw SDDError.badFile(file: path, message: "empty file") }
        let format = format(path: path, bytes: bytes)
        if format != .numpy && format != .root { try TextLines.checkLineLengths(bytes, path: path, limit: limits.maxLineBytes) }
        switch format {
        case .amptekMCA: return [try AmptekMCA.read(TextLines(path: path, bytes: bytes))]
        case .ortecSpe: return [try OrtecSpe.read(TextLines(path: path, bytes: bytes))]
        case .text: return try TextSpectrum.read(TextLines(path: path, bytes: bytes))
        case .numpy: return try numpyRecords(bytes, path: path)
        case .root: return try ROOTSpectra.records(ROOTFile(bytes: bytes, path: path), selection: ROOTSelection(file: path))
        }
    }

    /// True when the first bytes are the magic of a binary format (.npy, ROOT): no text line limit.
    static func isBinaryPrefix(_ b: ArraySlice<UInt8>) -> Bool {
        (b.count >= 6 && Array(b.prefix(6)) == NumpyArray.magic) || (b.count >= 4 && Array(b.prefix(4)) == ROOTFileHeader.magic)
    }

    /// 1-D arrays are one spectrum (cell nil), 2-D arrays one spectrum per row (cell = row index).
    static func numpyRecords(_ bytes: [UInt8], path: String) throws -> [SpectrumRecord] {
        let a = try NumpyArray.decode(bytes, path: path)
        let rows: Int, channels: Int
        switch a.shape.count {
        case 1: rows = 1; channels = a.shape[0]
        case 2: rows = a.shape[0]; channels = a.shape[1]
        default:
            throw SDDError.badFile(file: path, message: "array of shape \(a.shape): expected 1-D (one spectrum) or 2-D (one row per cell)")
        }
        guard channels > 0, rows > 0 else { throw SDDError.badFile(file: path, message: "array of shape \(a.shape) holds no counts") }
        guard channels <= InputLimits.current.maxChannels else {
            throw SDDError.badFile(file: path, message: "array of shape \(a.shape) has \(channels) channels, more than \(InputLimits.current.maxChannels) (limit SDDCAL_MAX_CHANNELS)")
        }
        let maxCount = InputLimits.current.maxCount
        if let bad = a.values.firstIndex(where: { !($0 >= 0) || !($0 <= maxCount) }) {
            let (r, c) = (bad / channels, bad % channels)
            let v = a.values[bad]
            let what = v.isNaN ? "is NaN" : v < 0 ? "is negative (\(v))" : v.isInfinite ? "is infinite" : "is \(v), above 2^53 (counts are whole numbers)"
            let elementSize = (bytes.count - NumpyArray.dataOffset(bytes)) / Swift.max(1, a.values.count)
            throw SDDError.badBytes(file: path, offset: NumpyArray.dataOffset(bytes) + bad * elementSize,
                                    message: a.shape.count == 1 ? "count of channel \(c) \(what)" : "count of cell \(r) channel \(c) \(what)")
        }
        return (0..<rows).map { r in
            SpectrumRecord(cell: a.shape.count == 2 ? r : nil, firstChannel: 0,
                           counts: Array(a.values[(r * channels)..<((r + 1) * channels)]))
        }
    }

    /// Writes spectra: `.npy` (one record: 1-D; several: 2-D, row = cell, missing cells as zero rows,
    /// channels from 0) or `.csv`/`.txt` (one record, `channel,counts`). Through a temporary file and
    /// a rename; refuses to replace an existing file unless `overwrite`.
    public static func write(_ records: [SpectrumRecord], to path: String, overwrite: Bool) throws {
        guard !records.isEmpty else { throw SDDError.badFile(file: path, message: "no spectra to write") }
        switch EventFile.fileExtension(path) {
        case "npy":
            try AtomicFile.stream(to: path, overwrite: overwrite) { try $0.write(numpyArray(records, path: path).encode()) }
        case "csv", "txt", "dat":
            guard records.count == 1 else {
                throw SDDError.badFile(file: path, message: "a text spectrum holds one spectrum, got \(records.count); write .npy for several cells")
            }
            try AtomicFile.write(TextSpectrum.encode(records[0], path: path), to: path, overwrite: overwrite)
        default:
            throw SDDError.badFile(file: path, message: "unknown spectrum file extension for writing; use .npy, .csv or .txt")
        }
    }

    /// Channel spectra as one array: zero-padded to channel 0 and to a common length.
    static func numpyArray(_ records: [SpectrumRecord], path: String) throws -> NumpyArray {
        var firsts: [Int] = []
        for r in records {
            guard let f = r.firstChannel else {
                throw SDDError.badFile(file: path, message: ".npy export holds ADC channel spectra only (bin width 1)")
            }
            firsts.append(f)
        }
        let channels = zip(records, firsts).map { $0.histogram.counts.count + $1 }.max() ?? 0
        func padded(_ r: SpectrumRecord, _ first: Int) -> [Double] {
            var row = [Double](repeating: 0, count: channels)
            for (k, v) in r.histogram.counts.enumerated() { row[first + k] = v }
            return row
        }
        if records.count == 1 && records[0].cell == nil {
            return NumpyArray(shape: [channels], values: padded(records[0], firsts[0]))
        }
        var cells = Set<Int>()
        for r in records {
            guard let c = r.cell, c >= 0 else {
                throw SDDError.badFile(file: path, message: "several spectra need cell numbers to become rows of a 2-D .npy")
            }
            guard cells.insert(c).inserted else { throw SDDError.badFile(file: path, message: "two spectra for cell \(c)") }
        }
        let rows = (cells.max() ?? 0) + 1
        var values = [Double](repeating: 0, count: rows * channels)
        for (r, f) in zip(records, firsts) {
            let row = padded(r, f)
            values.replaceSubrange((r.cell! * channels)..<((r.cell! + 1) * channels), with: row)
        }
        return NumpyArray(shape: [rows, channels], values: values)
    }
}
