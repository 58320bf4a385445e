import Foundation

/// Events with their calibrated energies, as `sddcal apply` writes them for analyses outside sddcal:
/// columns cell, ADC, time (s) and energy (eV), rows in (cell, time) order.
public struct CalibratedEvents: Sendable, Equatable {
    public var cell: [UInt16]
    public var adc: [UInt16]
    public var time: [Double]
    public var energy: [Double]
    /// The dither seed when energies are dithered within their ADC channel, nil when they are the
    /// channel centre's energy.
    public var ditherSeed: UInt64?

    public var count: Int { cell.count }

    public init(cell: [UInt16], adc: [UInt16], time: [Double], energy: [Double], ditherSeed: UInt64?) {
        precondition(cell.count == adc.count && adc.count == time.count && time.count == energy.count)
        self.cell = cell; self.adc = adc; self.time = time; self.energy = energy; self.ditherSeed = ditherSeed
    }

    /// What applying a calibration to an event table gives.
    public struct Application: Sendable {
        public var events: CalibratedEvents
        /// Events of cells the calibration does not cover (left out).
        public var uncalibrated: Int
        /// Events before or after the calibrated time span of their cell (calibrated with the nearest
        /// batch or knot, as every command does).
        public var outsideCalibratedTime: Int
    }

    /// Calibrates every event at its own time (`EventEnergies`), dithered within its ADC channel when
    /// `ditherSeed` is given. Rows come out in (cell, time) order; events of uncalibrated cells are left out.
    public static func apply(_ table: EventTable, calibration: CalibrationSet, ditherSeed: UInt64?) -> Application {
        let events = table.isSortedByCellAndTime ? table : table.sortedByCellAndTime()
        let (e, uncalibrated) = EventEnergies.energies(of: events, calibration: calibration, ditherSeed: ditherSeed)
        var spans: [Int: ClosedRange<Double>] = [:]
        for c in calibration.cells {
            if let tl = c.timeline { spans[c.cell] = tl.knots[0]...tl.knots[tl.knotCount - 1] }
            else if let lo = c.batches.map(\.start).min(), let hi = c.batches.map(\.end).max(), lo <= hi { spans[c.cell] = lo...hi }
        }
        var out = CalibratedEvents(cell: [], adc: [], time: [], energy: [], ditherSeed: ditherSeed)
        let kept = events.count - uncalibrated
        out.cell.reserveCapacity(kept); out.adc.reserveCapacity(kept); out.time.reserveCapacity(kept); out.energy.reserveCapacity(kept)
        var outside = 0
        for i in 0..<events.count where !e[i].isNaN {
            let c = events.cell[i], t = events.time[i]
            if let s = spans[Int(c)], !s.contains(t) { outside += 1 }
            out.cell.append(c); out.adc.append(events.adc[i]); out.time.append(t); out.energy.append(e[i])
        }
        return Application(events: out, uncalibrated: uncalibrated, outsideCalibratedTime: outside)
    }
}

/// The output formats of calibrated events (docs/calibrated-events.md).
public enum CalibratedEventFormat: String, Sendable, CaseIterable {
    /// Text with header `sdd,adc,time,energy_ev`; numbers in shortest round-trip form.
    case csv
    /// sddcal's checksummed binary (magic `SDDCALEN`), column-wise like the event `.bin`.
    case bin
    /// NumPy `.npy`, a 2-D `<f8` array of shape (N, 4): columns cell, ADC, time, energy.
    case npy

    /// The format a path's extension names, if any.
    public init?(path: String) {
        let ext = (path as NSString).pathExtension.lowercased()
        self.init(rawValue: ext)
    }
}

/// Reading and writing calibrated event files.
public enum CalibratedEventFile {
    public static let magic: [UInt8] = Array("SDDCALEN".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 64
    /// Header flags: bit 0, rows sorted by (cell, time); bit 1, energies dithered within the channel.
    public static let sortedFlag: UInt32 = 1, ditheredFlag: UInt32 = 2

    /// Writes `events` atomically (temporary file, then rename) in `format`; refuses to replace an
    /// existing file unless `overwrite`. Returns the bytes written.
    @discardableResult
    public static func write(_ events: CalibratedEvents, to path: String, format: CalibratedEventFormat, overwrite: Bool) throws -> Int {
        switch format {
        case .csv: return try writeCSV(events, to: path, overwrite: overwrite)
        case .bin: return try writeBinary(events, to: path, overwrite: overwrite)
        case .npy: return try writeNumpy(events, to: path, overwrite: overwrite)
        }
    }

    static func writeCSV(_ e: CalibratedEvents, to path: String, overwrite: Bool) throws -> Int {
        try AtomicFile.stream(to: path, overwrite: overwrite) { out in
            var buffer = [UInt8]()
            buffer.reserveCapacity(1 << 20)
            buffer.append(contentsOf: "sdd,adc,time,energy_ev\n".utf8)
            for i in 0..<e.count {
                // Swift's description of a Double is its shortest representation that reads back exactly.
                buffer.append(contentsOf: "\(e.cell[i]),\(e.adc[i]),\(e.time[i]),\(e.energy[i])\n".utf8)
                if buffer.count >= 1 << 20 { try out.write(buffer); buffer.removeAll(keepingCapacity: true) }
            }
            try out.write(buffer)
        }
    }

    static func writeNumpy(_ e: CalibratedEvents, to path: String, overwrite: Bool) throws -> Int {
        let head = NumpyArray.head(descr: "<f8", shape: [e.count, 4])
        return try AtomicFile.stream(to: path, overwrite: overwrite) { out in
            try out.write(head)
            var row = [Double](repeating: 0, count: 4 * 16_384)
            var i = 0
            while i < e.count {
                let m = Swift.min(16_384, e.count - i)
                for k in 0..<m {
                    row[4 * k] = Double(e.cell[i + k]); row[4 * k + 1] = Double(e.adc[i + k])
                    row[4 * k + 2] = e.time[i + k]; row[4 * k + 3] = e.energy[i + k]
                }
                // Little-endian hosts only (x86-64, arm64): the doubles' bytes are the file's.
                try row.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<(32 * m)])) }
                i += m
            }
        }
    }

    /// Payload layout offsets for N events: cells, ADCs, padding to 8 bytes, times, energies.
    static func layout(_ n: Int) -> (adc: Int, time: Int, energy: Int, end: Int) {
        let adc = headerSize + 2 * n
        let time = adc + 2 * n + (n % 2 == 1 ? 4 : 0)
        return (adc, time, time + 8 * n, time + 16 * n)
    }

    static func payloadChecksum(_ e: CalibratedEvents) -> UInt64 {
        var h = XXHash64()
        e.cell.withUnsafeBytes { h.update($0) }
        e.adc.withUnsafeBytes { h.update($0) }
        if e.count % 2 == 1 { h.update([UInt8](repeating: 0, count: 4)) }
        e.time.withUnsafeBytes { h.update($0) }
        e.energy.withUnsafeBytes { h.update($0) }
        return h.value
    }

    static func writeBinary(_ e: CalibratedEvents, to path: String, overwrite: Bool) throws -> Int {
        var b = [UInt8]()
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { b.append(contentsOf: $0) } }
        b += magic
        put(version)
        put(UInt32(headerSize))
        put(UInt64(e.count))
        put(sortedFlag | (e.ditherSeed == nil ? 0 : ditheredFlag))
        put(UInt32(0))
        put(e.ditherSeed ?? 0)
        put(payloadChecksum(e))
        put(b.withUnsafeBytes { XXHash64.hash($0) })
        b += [UInt8](repeating: 0, count: headerSize - b.count)
        return try AtomicFile.stream(to: path, overwrite: overwrite) { out in
            try out.write(b)
            try e.cell.withUnsafeBytes { try out.write($0) }
            try e.adc.withUnsafeBytes { try out.write($0) }
            if e.count % 2 == 1 { try out.write([UInt8](repeating: 0, count: 4)) }
            try e.time.withUnsafeBytes { try out.write($0) }
            try e.energy.withUnsafeBytes { try out.write($0) }
        }
    }

    /// Reads a binary calibrated event file, checking magic, version, header size, both checksums and
    /// the file size; errors name the byte offset.
    public static func readBinary(_ path: String) throws -> CalibratedEvents {
        guard let data = FileManager.default.contents(atPath: path) else { throw SDDError.badFile(file: path, message: "cannot read file") }
        let b = [UInt8](data)
        func fail(_ o: Int, _ m: String) -> SDDError { .badBytes(file: path, offset: o, message: m) }
        guard b.count >= magic.count, Array(b[0..<magic.count]) == magic else {
            throw fail(0, "bad magic: not an sddcal calibrated event file (expected 'SDDCALEN')")
        }
        guard b.count >= headerSize else { throw fail(b.count, "truncated: file ends inside the \(headerSize)-byte header") }
        func u32(_ o: Int) -> UInt32 { UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24 }
        func u64(_ o: Int) -> UInt64 { UInt64(u32(o)) | UInt64(u32(o + 4)) << 32 }
        guard u32(8) == version else { throw fail(8, "unsupported version \(u32(8)) (this sddcal reads \(version))") }
        guard u32(12) == UInt32(headerSize) else { throw fail(12, "bad header size \(u32(12)) (expected \(headerSize))") }
        let headerSum = b.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<48])) }
        guard headerSum == u64(48) else { throw fail(48, "header checksum mismatch") }
        let n64 = u64(16)
        // Each event takes 20 bytes: bound the count by the file before any arithmetic with it.
        guard n64 <= UInt64(b.count / 20) else { throw fail(16, "event count \(n64) does not fit in a \(b.count)-byte file") }
        let n = Int(n64)
        let l = layout(n)
        guard b.count == l.end else {
            throw b.count < l.end ? fail(b.count, "truncated: \(n) events need \(l.end) bytes")
                                  : fail(l.end, "\(b.count - l.end) unexpected bytes after the last event")
        }
        let payloadSum = b.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[headerSize...])) }
        guard payloadSum == u64(40) else { throw fail(40, "payload checksum mismatch") }
        func column<T>(_ offset: Int, _ type: T.Type) -> [T] {
            b.withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: offset + $0 * MemoryLayout<T>.size, as: T.self) } }
        }
        let flags = u32(24)
        return CalibratedEvents(cell: column(headerSize, UInt16.self), adc: column(l.adc, UInt16.self),
                                time: column(l.time, Double.self), energy: column(l.energy, Double.self),
                                ditherSeed: flags & ditheredFlag != 0 ? u64(32) : nil)
    }
}
