import ArgumentParser
import Foundation
import SDDCore

/// `sddcal apply`: writes every event with its calibrated energy, for analyses outside sddcal.
struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write calibrated events (cell, ADC, time, energy in eV) as CSV, binary or .npy.",
        discussion: """
        Every event is calibrated at its own time: with a version-2 calibration file by its cell's \
        timeline, with a version-1 file by the batch whose window holds it (else the nearest). ADC k \
        stands for [k - 1/2, k + 1/2): by default each energy is drawn uniformly within the channel's \
        energy interval [E(k - 1/2), E(k + 1/2)) from a generator seeded by --seed (reproducible); \
        --no-dither gives E(k). Rows come out in (cell, time) order; events of cells the calibration \
        does not cover are left out and counted. Formats (docs/calibrated-events.md): .csv (header \
        sdd,adc,time,energy_ev), .bin (checksummed, column-wise), .npy (float64, shape (N, 4), columns \
        cell, adc, time, energy); chosen by --format or the output's extension. The output is written \
        to a temporary file and renamed; an existing OUT is kept unless --force.
        Histogram input (ROOT histograms, a 2-D .npy, a folder of spectra, a CSV of columns) has no \
        events: the spectra are written calibrated instead, every channel of every calibrated cell \
        with its count and its bin edges in eV, E(k - 1/2) and E(k + 1/2) (no dither, no re-binning): \
        .csv with header sdd,label,channel,counts,energy_low_ev,energy_high_ev, or .npy float64 of \
        shape (N, 5): cell, channel, counts, energy_low_ev, energy_high_ev.
        """)

    @Argument(help: "Event file (.csv or .bin), or histogram file (one spectrum per cell: written as calibrated spectra).") var events: String
    @Option(help: "Calibration file (version 1 or 2).") var calib: String
    @Option(name: .shortAndLong, help: "Output file (.csv, .bin or .npy).") var out: String
    @Option(help: "Output format: csv, bin or npy (default: from the output's extension).") var format: String?
    @Option(help: "Seed of the within-channel dither.") var seed: UInt64 = 1
    @Flag(help: "Energies of the channel centres instead of dithered ones.") var noDither = false
    @OptionGroup var output: OutputOptions
    @Flag(help: "Print a JSON summary on stdout.") var json = false

    func run() throws {
        try reportingErrors {
            if try !EventFile.holdsEvents(events) { return try applyToHistograms() }
            let fmt: CalibratedEventFormat
            if let f = format {
                guard let v = CalibratedEventFormat(rawValue: f.lowercased()) else {
                    throw SDDError.invalidArgument("--format", "'\(f)' is not csv, bin or npy")
                }
                fmt = v
            } else {
                guard let v = CalibratedEventFormat(path: out) else {
                    throw SDDError.invalidArgument("--out", "'\(out)' does not end in .csv, .bin or .npy; give --format")
                }
                fmt = v
            }
            if !output.force && FileManager.default.fileExists(atPath: out) { throw SDDError.outputExists(out) }
            guard !sameFile(events, out), !sameFile(calib, out) else {
                throw SDDError.invalidArgument("--out", "'\(out)' is an input file; write to another path")
            }
            let started = Date()
            let calibration = try CalibrationSet.load(calib)
            let bar = TerminalProgressBar("read")
            let read = try EventFile.read(events, options: .strict, progress: bar)
            bar.finish()
            let dither: UInt64? = noDither ? nil : seed
            let applied = CalibratedEvents.apply(read.events, calibration: calibration, ditherSeed: dither)
            let bytes = try CalibratedEventFile.write(applied.events, to: out, format: fmt, overwrite: output.force)
            let report = ApplyReport(events: events, calibration: calib, calibrationVersion: calibration.readVersion,
                                     timelineCells: calibration.cells.filter { $0.timeline != nil }.count,
                                     output: out, format: fmt.rawValue, eventsRead: read.events.count,
                                     eventsWritten: applied.events.count, uncalibrated: applied.uncalibrated,
                                     outsideCalibratedTime: applied.outsideCalibratedTime, dithered: dither != nil,
                                     seed: dither, bytes: bytes, seconds: Date().timeIntervalSince(started))
            if applied.uncalibrated > 0 && !json {
                FileHandle.standardError.write(Data("sddcal: warning: \(applied.uncalibrated) events of cells without a calibration left out\n".utf8))
            }
            if json { try printJSON(report) } else { print(report.text) }
        }
    }
}

extension Apply {
    /// Histogram input (ROOT histograms, a 2-D .npy, a folder of spectra, a CSV of columns): there are
    /// no events to calibrate, so the spectra are written calibrated — every channel with its count
    /// and its bin edges in eV under its cell's calibration (`CalibratedSpectrumFile`), no dither.
    func applyToHistograms() throws {
        let fmt: CalibratedSpectrumFile.Format
        switch (format?.lowercased() ?? EventFile.fileExtension(out)) {
        case "csv": fmt = .csv
        case "npy": fmt = .npy
        default:
            throw SDDError.invalidArgument(format == nil ? "--out" : "--format",
                                           "calibrated spectra (histogram input) are written as .csv or .npy, not '\(format ?? out)'")
        }
        if !output.force && FileManager.default.fileExists(atPath: out) { throw SDDError.outputExists(out) }
        guard !sameFile(events, out), !sameFile(calib, out) else {
            throw SDDError.invalidArgument("--out", "'\(out)' is an input file; write to another path")
        }
        let started = Date()
        let calibration = try CalibrationSet.load(calib)
        let spectra = try Calibrate.cellSpectra(SpectrumFile.read(events))
        let (cells, missing) = CalibratedSpectrumFile.cells(spectra, calibration: calibration)
        guard !cells.isEmpty else {
            throw SDDError.badFile(file: calib, message: "calibrates none of the \(spectra.count) spectra of \(events) (cells \(spectra.prefix(8).map { String($0.cell) }.joined(separator: ",")))")
        }
        let bytes = try CalibratedSpectrumFile.write(cells, to: out, format: fmt, overwrite: output.force)
        let report = ApplySpectraReport(spectra: events, calibration: calib, output: out, format: fmt.rawValue,
                                        cells: cells.count, channels: cells.reduce(0) { $0 + $1.histogram.binCount },
                                        uncalibratedCells: missing, bytes: bytes, seconds: Date().timeIntervalSince(started))
        if !missing.isEmpty && !json {
            FileHandle.standardError.write(Data("sddcal: warning: \(missing.count) spectra of cells without a calibration left out\n".utf8))
        }
        if json { try printJSON(report) } else {
            print("\(out): \(cells.count) calibrated spectra, \(report.channels) channels with their bin edges in eV (\(fmt.rawValue), \(bytes) bytes)")
        }
    }
}

/// What `sddcal apply` did with histogram input.
struct ApplySpectraReport: Encodable {
    var spectra, calibration, output, format: String
    var cells, channels: Int
    var uncalibratedCells: [Int]
    var bytes: Int
    var seconds: Double
    enum CodingKeys: String, CodingKey {
        case spectra, calibration, output, format, cells, channels, bytes, seconds
        case uncalibratedCells = "uncalibrated_cells"
    }
}

/// What `sddcal apply` did.
struct ApplyReport: Encodable {
    var events, calibration: String
    var calibrationVersion: Int
    var timelineCells: Int
    var output, format: String
    var eventsRead, eventsWritten, uncalibrated, outsideCalibratedTime: Int
    var dithered: Bool
    var seed: UInt64?
    var bytes: Int
    var seconds: Double

    enum CodingKeys: String, CodingKey {
        case events, calibration, output, format, dithered, seed, bytes, seconds, uncalibrated
        case calibrationVersion = "calibration_version", timelineCells = "timeline_cells", eventsRead = "events_read"
        case eventsWritten = "events_written", outsideCalibratedTime = "outside_calibrated_time"
    }

    var text: String {
        var s = "\(output): \(eventsWritten) of \(eventsRead) events calibrated (\(format), \(bytes) bytes, "
        s += dithered ? "dithered within the channel, seed \(seed!))\n" : "channel centres, no dither)\n"
        s += "calibration \(calibration) (version \(calibrationVersion), \(timelineCells) cell(s) with a timeline)"
        if uncalibrated > 0 { s += "\n\(uncalibrated) events of uncalibrated cells left out" }
        if outsideCalibratedTime > 0 { s += "\n\(outsideCalibratedTime) events outside their cell's calibrated time span (nearest batch or knot used)" }
        return s
    }
}
