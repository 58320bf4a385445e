import Dispatch
import Foundation

extension EventCSV {
    /// Offsets that cut [start, end) of `base` into `pieces` parts of about equal size at line ends:
    /// start, then each inner cut just after a newline (or at end), then end; parts may be empty.
    static func lineCuts(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, pieces: Int) -> [Int] {
        var cuts = [start]
        for k in 1..<Swift.max(1, pieces) {
            var c = Swift.max(cuts.last!, start + (end - start) * k / pieces)
            while c < end && c > start && base[c - 1] != 0x0A { c += 1 }
            cuts.append(c)
        }
        cuts.append(end)
        return cuts
    }

    /// Reads a regular events CSV on every core: large blocks of the file are cut at line ends into
    /// one piece per core, each parsed by its own ``Parser`` into its own table, and the tables are
    /// joined in file order at the end. The header (and any comment lines before it) is parsed first,
    /// alone.
    ///
    /// Only the clean case runs in parallel: a piece that meets any bad row, or a line longer than a
    /// block, makes the whole read start again with the one-core reader, so that errors, line numbers
    /// and rejection counts are exactly the one-core reader's. Returns nil in that case (or when the
    /// file is small, not regular, or there is one core).
    static func readParallel(_ path: String, options: EventReadOptions, progress: ProgressObserver?,
                             blockBytes: Int = 1 << 25, minimumBytes: Int = 1 << 21) throws -> EventReadResult? {
        let threads = ProcessInfo.processInfo.activeProcessorCount
        guard threads > 1 else { return nil }
        let file = try FileInput(path)
        defer { file.close() }
        guard file.size >= minimumBytes else { return nil }
        var header = Parser(path: path, options: options)
        let capacity = Swift.min(blockBytes, file.size + 1)
        let slack = 8   // Parser.nextComma loads eight bytes at a time
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity + slack, alignment: 16)
        defer { buffer.deallocate() }
        let base = UnsafePointer(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        var pieces: [EventTable] = []
        var rows = 0
        var have = 0, consumed = 0
        var eof = false
        let maxEvents = InputLimits.current.maxEvents
        var events = 0
        while !eof {
            let want = capacity - have
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[have..<capacity]))
            have += got
            eof = got < want
            var start = 0
            // Lines up to the header, one by one.
            try header.headerLines(base, from: &start, to: have)
            guard header.sawHeader else { return nil }   // no header line in the first block: the one-core reader explains
            // The block's complete lines (all of it at the end of the file).
            var stop = have
            if !eof {
                var e = have
                while e > start && base[e - 1] != 0x0A { e -= 1 }
                guard e > start else { return nil }   // a line longer than a block
                stop = e
            }
            // Cut [start, stop) into one piece per core at line ends.
            let template = header, ranges = lineCuts(base, from: start, to: stop, pieces: threads)
            var parsed = [Parser?](repeating: nil, count: threads)
            parsed.withUnsafeMutableBufferPointer { out in
                DispatchQueue.concurrentPerform(iterations: threads) { k in
                    var p = template
                    let a = ranges[k], b = ranges[k + 1]
                    guard b > a else { out[k] = p; return }
                    p.events.reserveCapacity((b - a) / 18 + 16)
                    do {
                        var s = a
                        while s < b {
                            let nl = memchr(base + s, 0x0A, b - s).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? b
                            try p.line(base + s, nl - s)
                            s = nl + 1
                        }
                    } catch {
                        return   // nil: start again on one core
                    }
                    out[k] = p
                }
            }
            for p in parsed {
                guard let p, p.rejected.isEmpty else { return nil }
                rows += p.rows
                events += p.events.count
                if !p.events.isEmpty { pieces.append(p.events) }
            }
            guard events <= maxEvents else { return nil }
            consumed += stop
            progress?.progress(done: consumed, total: file.size, unit: "bytes")
            let rest = have - stop
            if rest > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + stop, rest) }
            have = rest
        }
        var table = pieces.count == 1 ? pieces[0] : EventTable()
        if pieces.count > 1 {
            table.reserveCapacity(events)
            for p in pieces {
                table.cell.append(contentsOf: p.cell)
                table.adc.append(contentsOf: p.adc)
                table.time.append(contentsOf: p.time)
            }
        }
        return EventReadResult(events: table, rejected: EventRejections(), rowsRead: rows, bytesRead: consumed, format: .csv)
    }
}
