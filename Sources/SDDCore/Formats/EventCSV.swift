import Foundation

/// The events CSV: a header naming the columns `sdd` (cell), `adc` and `time` (seconds, float) in
/// any order, extra columns ignored, one event per line.
///
/// The reader parses bytes in large chunks without building a String per line, so it runs at
/// disk-like speed (see the `formats` benchmark suite).
public enum EventCSV {
    /// Column names accepted for each field (case-insensitive); `sdd` is the name in VIP-2 files.
    static let cellNames: Set<String> = ["sdd", "cell"]
    static let adcNames: Set<String> = ["adc"]
    static let timeNames: Set<String> = ["time", "t"]

    /// Reads an events CSV; progress is reported in bytes. Errors name the file and line. Large
    /// regular files are parsed on every core (``readMapped``, beyond its size ``readParallel``).
    public static func read(_ path: String, options: EventReadOptions = .strict,
                            progress: ProgressObserver? = nil) throws -> EventReadResult {
        switch try readMapped(path, options: options, progress: progress) {
        case .read(let r): return r
        case .oneCore: break
        case .notMapped: if let r = try readParallel(path, options: options, progress: progress) { return r }
        }
        return try read(path, options: options, progress: progress, chunkBytes: 1 << 22)
    }

    /// `chunkBytes` is the initial read size (tests use tiny chunks to put lines across chunk edges).
    static func read(_ path: String, options: EventReadOptions, progress: ProgressObserver?,
                     chunkBytes: Int) throws -> EventReadResult {
        let file = try FileInput(path)
        defer { file.close() }
        var parser = Parser(path: path, options: options)
        if file.size > 0 { parser.events.reserveCapacity(Swift.min(file.size / 18 + 16, parser.maxEvents)) }

        // A small file needs no 4 MB buffer (one more byte than the file shows the end at once).
        var capacity = Swift.max(file.size > 0 ? Swift.min(chunkBytes, file.size + 1) : chunkBytes, 1)
        let maxLine = InputLimits.current.maxLineBytes
        // Eight bytes past the capacity stay unread: the field scan loads eight bytes at a time.
        let slack = 8
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity + slack, alignment: 16)
        defer { buffer.deallocate() }
        var have = 0
        var consumed = 0
        var eof = false
        while true {
            if !eof {
                let want = capacity - have
                let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[have..<capacity]))
                have += got
                eof = got < want
            }
            let base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
            var start = 0
            while start < have, let nl = memchr(base + start, 0x0A, have - start) {
                let end = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
                try parser.line(base + start, end - start)
                start = end + 1
            }
            if eof {
                if start < have { try parser.line(base + start, have - start) }
                consumed += have
                break
            }
            consumed += start
            progress?.progress(done: consumed, total: file.size, unit: "bytes")
            let rest = have - start
            if start == 0 {
                // One line longer than the buffer: grow it, up to the line limit (a 1 GB header line or
                // /dev/zero must not be read whole).
                guard capacity <= maxLine else {
                    throw SDDError.badLine(file: path, line: parser.lineNumber + 1,
                                           message: "line longer than \(maxLine) bytes (limit SDDCAL_MAX_LINE_BYTES): starts \(InputQuote.quoted(UnsafeRawBufferPointer(rebasing: buffer[0..<Swift.min(40, capacity)]).map { $0 }))")
                }
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity * 2 + slack, alignment: 16)
                bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<capacity]))
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            } else if rest > 0 {
                memmove(buffer.baseAddress!, buffer.baseAddress! + start, rest)
            }
            have = rest
        }
        if !parser.sawHeader {
            throw SDDError.badFile(file: path, message: "empty file: expected a header line naming sdd, adc and time")
        }
        progress?.progress(done: consumed, total: file.size, unit: "bytes")
        return EventReadResult(events: parser.events, rejected: parser.rejected, rowsRead: parser.rows,
                               bytesRead: consumed, format: .csv)
    }

    /// Line-by-line state of one read.
    struct Parser {
        let path: String
        let options: EventReadOptions
        var events = EventTable()
        var rejected = EventRejections()
        var rows = 0
        var lineNumber = 0
        var sawHeader = false
        var cellColumn = -1, adcColumn = -1, timeColumn = -1, lastColumn = -1
        /// Set by the header when its columns are `sdd,adc,time` in that order (``simpleRow`` applies).
        var plainRows = false
        let maxTime = InputLimits.current.maxTime
        let maxEvents = InputLimits.current.maxEvents
        let maxLine = InputLimits.current.maxLineBytes

        init(path: String, options: EventReadOptions) {
            self.path = path
            self.options = options
        }

        @inline(__always) static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }

        /// Trims blanks and one pair of double quotes around a field.
        @inline(__always) static func trim(_ p: UnsafePointer<UInt8>, _ a: inout Int, _ b: inout Int) {
            while a < b, isBlank(p[a]) { a += 1 }
            while b > a, isBlank(p[b - 1]) { b -= 1 }
            if b - a >= 2, p[a] == 0x22, p[b - 1] == 0x22 { a += 1; b -= 1 }
        }

        /// Parses one line (without its newline) into `events`; errors name the file and line.
        mutating func line(_ p: UnsafePointer<UInt8>, _ n: Int) throws {
            guard let e = try event(p, n) else { return }
            guard events.count < maxEvents else {
                throw SDDError.badLine(file: path, line: lineNumber, message: "more than \(maxEvents) events (limit SDDCAL_MAX_EVENTS)")
            }
            events.append(cell: e.cell, adc: e.adc, time: e.time)
        }

        /// Parses the lines of [start, end) up to the header (with the comment or blank lines before
        /// it), moving `start` past them; stops early at a line without its newline in the range.
        mutating func headerLines(_ base: UnsafePointer<UInt8>, from start: inout Int, to end: Int) throws {
            while !sawHeader, start < end {
                guard let nl = memchr(base + start, 0x0A, end - start) else { return }
                let lineEnd = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
                try line(base + start, lineEnd - start)
                start = lineEnd + 1
            }
        }

        /// One event.
        typealias Event = (cell: UInt16, adc: UInt16, time: Double)

        /// The event of one line (without its newline), nil for the header, a comment, a blank line or a
        /// rejected row (lenient reads); counts the line and the row. Errors name the file and line.
        mutating func event(_ p0: UnsafePointer<UInt8>, _ n0: Int) throws -> Event? {
            // The common row first; anything it does not take goes through the general path below.
            if plainRows, n0 <= maxLine, let r = Parser.simpleRow(p0, n0), r.cell <= 65535, r.adc <= 65535,
               Swift.abs(r.time) <= maxTime, options.knownCells?.contains(r.cell) ?? true {
                lineNumber += 1
                rows += 1
                return (UInt16(truncatingIfNeeded: r.cell), UInt16(truncatingIfNeeded: r.adc), r.time)
            }
            lineNumber += 1
            guard n0 <= maxLine else {
                throw SDDError.badLine(file: path, line: lineNumber,
                                       message: "line longer than \(maxLine) bytes (limit SDDCAL_MAX_LINE_BYTES): starts \(Parser.quote(p0, 0, Swift.min(n0, 40)))")
            }
            var p = p0, n = n0
            if lineNumber == 1, n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { p += 3; n -= 3 }   // UTF-8 BOM
            var a = 0, b = n
            Parser.trim(p, &a, &b)
            if a == b || p[a] == UInt8(ascii: "#") { return nil }   // blank or comment line
            if !sawHeader { try header(p, n); return nil }
            rows += 1

            // Locate the needed fields in one pass over the commas.
            var fieldStart = 0
            var field = 0
            var cs = 0, ce = 0, as_ = 0, ae = 0, ts = 0, te = 0
            var i = 0
            while field <= lastColumn {
                i = Parser.nextComma(p, from: i, before: n)
                if field == cellColumn { cs = fieldStart; ce = i } else if field == adcColumn { as_ = fieldStart; ae = i } else if field == timeColumn { ts = fieldStart; te = i }
                field += 1
                if i >= n { break }
                i += 1
                fieldStart = i
            }
            if field <= lastColumn {
                try reject(.missingField, "expected at least \(lastColumn + 1) fields, found \(field)"); return nil
            }
            Parser.trim(p, &cs, &ce)
            Parser.trim(p, &as_, &ae)
            Parser.trim(p, &ts, &te)

            // Cells and ADC values are almost always plain digits: skip the general parser for them.
            let c: Double
            if let k = Parser.plainInteger(p, cs, ce) { c = Double(k) } else {
                guard let d = DecimalParser.parse(p + cs, ce - cs) else {
                    try reject(.notANumber, "sdd \(Parser.quote(p, cs, ce)) is not a number"); return nil
                }
                c = d
            }
            guard c >= 0, c <= 65535, c.rounded(.towardZero) == c else {
                try reject(.invalidCell, "sdd \(Parser.quote(p, cs, ce)) is not a cell number (an integer 0...65535)"); return nil
            }
            if let known = options.knownCells, !known.contains(Int(c)) {
                try reject(.unknownCell, "sdd \(Int(c)) is not a known cell (\(known.lowerBound)...\(known.upperBound))"); return nil
            }
            let v: Double
            if let k = Parser.plainInteger(p, as_, ae) { v = Double(k) } else {
                guard let d = DecimalParser.parse(p + as_, ae - as_) else {
                    try reject(.notANumber, "adc \(Parser.quote(p, as_, ae)) is not a number"); return nil
                }
                v = d
            }
            guard v.isFinite else { try reject(.nanADC, "adc is \(Parser.quote(p, as_, ae))"); return nil }
            guard v >= 0 else { try reject(.negativeADC, "adc \(Parser.quote(p, as_, ae)) is negative"); return nil }
            guard v <= 65535 else { try reject(.adcOutOfRange, "adc \(Parser.quote(p, as_, ae)) exceeds 65535"); return nil }
            guard v.rounded(.towardZero) == v else {
                try reject(.nonIntegerADC, "adc \(Parser.quote(p, as_, ae)) is not an integer"); return nil
            }
            guard let t = DecimalParser.parse(p + ts, te - ts) else {
                try reject(.notANumber, "time \(Parser.quote(p, ts, te)) is not a number"); return nil
            }
            guard t.isFinite else { try reject(.nonFiniteTime, "time is \(Parser.quote(p, ts, te))"); return nil }
            guard Swift.abs(t) <= maxTime else {
                try reject(.timeOutOfRange, "time \(Parser.quote(p, ts, te)) s is beyond ±\(maxTime) s (limit SDDCAL_MAX_TIME)"); return nil
            }
            return (UInt16(c), UInt16(v), t)
        }

        /// Whether the header is exactly `sdd,adc,time` in that order (any names accepted for them),
        /// so that a row can take ``simpleRow``.
        var plainLayout: Bool { cellColumn == 0 && adcColumn == 1 && timeColumn == 2 && lastColumn == 2 }

        /// The row `DIGITS,DIGITS,NUMBER` (an optional CR at the end) with a cell and ADC value of at
        /// most five digits and a finite time, or nil for anything else: blanks, quotes, signs, extra
        /// fields, bad values. Nearly every row of a real file is such a row, and this reads it in one
        /// pass without locating and trimming fields first; nil sends the line to the general parser,
        /// which gives the same values for these rows and explains every other.
        @inline(__always) static func simpleRow(_ p: UnsafePointer<UInt8>, _ n: Int) -> (cell: Int, adc: Int, time: Double)? {
            var i = 0
            var cell = 0
            while i < n && i < 5, p[i] &- 48 < 10 { cell = cell &* 10 &+ Int(p[i] &- 48); i &+= 1 }
            guard i > 0, i < n, p[i] == 0x2C else { return nil }
            i &+= 1
            let a0 = i
            var adc = 0
            while i < n && i &- a0 < 5, p[i] &- 48 < 10 { adc = adc &* 10 &+ Int(p[i] &- 48); i &+= 1 }
            guard i > a0, i < n, p[i] == 0x2C else { return nil }
            i &+= 1
            let end = p[n &- 1] == 0x0D ? n &- 1 : n
            guard end > i, let t = DecimalParser.parse(p + i, end &- i), t.isFinite else { return nil }
            return (cell, adc, t)
        }

        /// The first comma in [i, n), or n. Eight bytes per step: a byte of `v ^ ",,,,,,,,"` is zero
        /// where the comma is, and the lowest byte flagged by `(v − 0x01…) & ~v & 0x80…` is the first
        /// zero byte. The loads may reach 7 bytes past n, which the reader's buffer keeps readable.
        @inline(__always) static func nextComma(_ p: UnsafePointer<UInt8>, from start: Int, before n: Int) -> Int {
            var i = start
            while i < n {
                let v = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self).littleEndian ^ 0x2C2C_2C2C_2C2C_2C2C
                let zero = (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
                if zero != 0 { return Swift.min(n, i + zero.trailingZeroBitCount >> 3) }
                i += 8
            }
            return n
        }

        /// 1–6 decimal digits and nothing else, as an Int; nil otherwise (the general parser then decides).
        @inline(__always) static func plainInteger(_ p: UnsafePointer<UInt8>, _ a: Int, _ b: Int) -> Int? {
            guard b > a, b - a <= 6 else { return nil }
            var v = 0
            for i in a..<b {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                v = v &* 10 &+ Int(d)
            }
            return v
        }

        mutating func reject(_ reason: EventRejectionReason, _ message: String) throws {
            let e = SDDError.badLine(file: path, line: lineNumber, message: message)
            guard options.lenient else { throw e }
            rejected.record(reason, e)
        }

        static func quote(_ p: UnsafePointer<UInt8>, _ a: Int, _ b: Int) -> String {
            InputQuote.quoted(UnsafeBufferPointer(start: p + a, count: Swift.min(b - a, 4 * InputQuote.defaultLimit)))
        }

        mutating func header(_ p: UnsafePointer<UInt8>, _ n: Int) throws {
            let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
            // Names are echoed in the message: escape them and cut the list (InputQuote).
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\"\r"))).lowercased()
            }
            func column(_ accepted: Set<String>, _ label: String) throws -> Int {
                let hits = names.indices.filter { accepted.contains(names[$0]) }
                guard hits.count == 1 else {
                    let what = hits.isEmpty ? "has no" : "has more than one"
                    throw SDDError.badLine(file: path, line: lineNumber,
                                           message: "header \(what) '\(label)' column (expected sdd,adc,time; found \(InputQuote.escape(Array(names.joined(separator: ",").utf8))))")
                }
                return hits[0]
            }
            cellColumn = try column(EventCSV.cellNames, "sdd")
            adcColumn = try column(EventCSV.adcNames, "adc")
            timeColumn = try column(EventCSV.timeNames, "time")
            lastColumn = Swift.max(cellColumn, adcColumn, timeColumn)
            plainRows = plainLayout
            sawHeader = true
        }
    }

    /// Writes `sdd,adc,time` with times in their shortest exact decimal form, so a CSV round trip
    /// reproduces every value bit for bit.
    @discardableResult
    public static func write(_ table: EventTable, to path: String, overwrite: Bool, generation: UInt64 = 0,
                             progress: ProgressObserver? = nil) throws -> Int {
        try AtomicFile.stream(to: path, overwrite: overwrite, writer(table, generation: generation, progress: progress))
    }

    /// The comment line that carries a generation id (see `SimulationPair.generation(ofEvents:)`).
    static let generationPrefix = "# sddcal generation "

    /// The body of an atomic write of `table`; a nonzero `generation` goes in a first comment line.
    static func writer(_ table: EventTable, generation: UInt64, progress: ProgressObserver?) -> (AtomicOutputStream) throws -> Void {
        { out in
            var head = [UInt8]()
            if generation != 0 { head.append(contentsOf: (generationPrefix + String(generation, radix: 16) + "\n").utf8) }
            head.append(contentsOf: "sdd,adc,time\n".utf8)
            try out.write(head)
            // Rows go into one reused chunk through a raw pointer (no per-byte capacity or bounds checks).
            // A row is at most 5 + 1 + 5 + 1 + 24 + 1 bytes (two UInt16, a Double's shortest form), so a
            // chunk flushed once fewer than 64 bytes remain never overflows.
            let chunkSize = 1 << 20
            let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize + 64)
            defer { chunk.deallocate() }
            let n = table.count
            var i = 0
            while i < n {
                var used = 0
                while i < n && used < chunkSize {
                    used = appendRow(cell: table.cell[i], adc: table.adc[i], time: table.time[i], to: chunk, at: used)
                    i += 1
                }
                try out.write(UnsafeRawBufferPointer(start: chunk, count: used))
                progress?.progress(done: i, total: n, unit: "events")
            }
            progress?.progress(done: n, total: n, unit: "events")
        }
    }

    /// Writes `cell,adc,time\n` at `p + start`; returns the offset after it.
    @inline(__always)
    static func appendRow(cell: UInt16, adc: UInt16, time: Double, to p: UnsafeMutablePointer<UInt8>, at start: Int) -> Int {
        var at = appendDecimal(cell, to: p, at: start)
        p[at] = 0x2C
        at = appendDecimal(adc, to: p, at: at + 1)
        p[at] = 0x2C
        at += 1
        var t = time.description
        at = t.withUTF8 { u in
            (p + at).update(from: u.baseAddress!, count: u.count)
            return at + u.count
        }
        p[at] = 0x0A
        return at + 1
    }

    /// Writes the decimal digits of `v` at `p + start`; returns the offset after them.
    @inline(__always)
    static func appendDecimal(_ v: UInt16, to p: UnsafeMutablePointer<UInt8>, at start: Int) -> Int {
        var digits = 1, x = Int(v)
        while x >= 10 { x /= 10; digits += 1 }
        x = Int(v)
        var k = start + digits
        repeat { k -= 1; p[k] = UInt8(48 + x % 10); x /= 10 } while k > start
        return start + digits
    }
}
