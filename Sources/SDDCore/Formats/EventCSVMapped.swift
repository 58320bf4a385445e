import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension EventCSV {
    /// What ``readMapped`` did.
    enum MappedRead {
        /// The events, read on every core.
        case read(EventReadResult)
        /// The file is not for the map (small, too large, not a regular file, one core, no header line in
        /// it): another reader decides.
        case notMapped
        /// A bad row, a long line or too many events: only the one-core reader gives the exact error,
        /// line number and rejection counts.
        case oneCore
    }

    /// Largest events CSV read through a map (10⁷ events at ~26 bytes a row): the mapped file counts in
    /// the resident set while it is read, so beyond this the block reader (``readParallel``) keeps the
    /// memory of a large read bounded.
    static let maxMappedBytes = 1 << 28

    /// Reads a regular events CSV from a read-only memory map on every core, writing the events straight
    /// into the final columns: no copy of the file into a buffer, no per-piece tables joined at the end.
    ///
    /// The header (and any comment lines before it) is parsed first, alone. The body is cut at line ends
    /// into one piece per core; each core counts its piece's lines (an upper bound on its events), then,
    /// once every piece has its place in the columns, parses its lines with its own ``Parser`` into that
    /// place. Pieces that had comment or blank lines leave gaps, closed at the end. The last line or two
    /// (those ending within 8 bytes of the end of the file) are parsed from a copy with room after it,
    /// since the field scan loads 8 bytes at a time and the map may end with the file.
    ///
    /// Only the clean case is read here: any bad row (also in a lenient read), a line longer than the
    /// limit or more events than the limit answer ``MappedRead/oneCore``, so that errors, line numbers
    /// and rejection counts are exactly the one-core reader's. A file truncated by another process while
    /// it is read ends the process with SIGBUS, as with any memory-mapped reader (the binary reader's too).
    ///
    /// - Parameter pieces: pieces to cut the body into (tests); nil: one per core.
    static func readMapped(_ path: String, options: EventReadOptions, progress: ProgressObserver?,
                           pieces: Int? = nil, minimumBytes: Int = 1 << 21) throws -> MappedRead {
        let threads = pieces ?? ProcessInfo.processInfo.activeProcessorCount
        guard threads > 1 || pieces != nil else { return .notMapped }
        let file = try FileInput(path)
        defer { file.close() }
        let size = file.size
        guard size >= Swift.max(minimumBytes, 1), size <= maxMappedBytes,
              let map = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, file.fd, 0), map != MAP_FAILED else { return .notMapped }
        defer { munmap(map, size) }
        let base = UnsafePointer<UInt8>(map.assumingMemoryBound(to: UInt8.self))

        // The header, and the comment or blank lines before it.
        var header = Parser(path: path, options: options)
        var start = 0
        try header.headerLines(base, from: &start, to: size)
        guard header.sawHeader else { return .notMapped }

        // The tail: lines that end within 8 bytes of the end of the file, from the line after the last
        // newline before byte size − 8.
        var tailStart = Swift.max(start, size - 8)
        while tailStart > start && base[tailStart - 1] != 0x0A { tailStart -= 1 }
        // Cut [start, tailStart) into pieces at line ends (each piece then ends with a newline).
        let cuts = lineCuts(base, from: start, to: tailStart, pieces: threads)
        // The tail's copy, with zeros after it.
        let tailBytes = size - tailStart
        let tail = UnsafeMutablePointer<UInt8>.allocate(capacity: tailBytes + 8)
        defer { tail.deallocate() }
        tail.initialize(repeating: 0, count: tailBytes + 8)
        tail.update(from: base + tailStart, count: tailBytes)

        // Places in the columns: the lines of each piece (the tail last, its last line maybe without newline).
        var slots = [Int](repeating: 0, count: threads + 1)
        slots.withUnsafeMutableBufferPointer { counts in
            DispatchQueue.concurrentPerform(iterations: threads) { k in
                counts[k] = newlines(base + cuts[k], cuts[k + 1] - cuts[k])
            }
        }
        slots[threads] = newlines(UnsafePointer(tail), tailBytes) + 1
        var offsets = [0]
        for s in slots { offsets.append(offsets.last! + s) }
        let capacity = offsets.last!
        // More lines than the event limit may still hold few events (comment or blank lines), but the
        // columns are sized by lines: the one-core reader, whose memory follows the events, decides.
        guard capacity <= header.maxEvents else { return .oneCore }

        // Parses piece k (the tail for k == threads) into the columns from its offset; nil on any error.
        func parse(_ k: Int, _ cell: UnsafeMutablePointer<UInt16>, _ adc: UnsafeMutablePointer<UInt16>,
                   _ time: UnsafeMutablePointer<Double>) -> (events: Int, rows: Int)? {
            var p = header
            let (from, count) = k == threads ? (UnsafePointer(tail), tailBytes) : (base + cuts[k], cuts[k + 1] - cuts[k])
            let at = offsets[k], room = slots[k]
            var written = 0, s = 0
            do {
                while s < count {
                    let nl = memchr(from + s, 0x0A, count - s).map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - from } ?? count
                    if let e = try p.event(from + s, nl - s) {
                        guard written < room else { return nil }   // cannot happen: one event per line at most
                        cell[at + written] = e.cell; adc[at + written] = e.adc; time[at + written] = e.time
                        written += 1
                    }
                    s = nl + 1
                }
            } catch {
                return nil
            }
            guard p.rejected.isEmpty else { return nil }
            return (written, p.rows)
        }

        var parsed = [(events: Int, rows: Int)?](repeating: nil, count: threads + 1)
        var total = 0
        var clean = true
        func column<T>(_: T.Type, _ fill: (UnsafeMutablePointer<T>) -> Void) -> [T] {
            [T](unsafeUninitializedCapacity: capacity) { buf, count in
                adviseHugePages(UnsafeMutableRawBufferPointer(buf))
                fill(buf.baseAddress!)
                count = clean ? total : 0   // every element below `total` is written by a piece
            }
        }
        var cell: [UInt16] = [], adc: [UInt16] = [], time: [Double] = []
        cell = column(UInt16.self) { c in
            adc = column(UInt16.self) { a in
                time = column(Double.self) { t in
                    parsed.withUnsafeMutableBufferPointer { out in
                        DispatchQueue.concurrentPerform(iterations: threads) { k in out[k] = parse(k, c, a, t) }
                    }
                    parsed[threads] = parse(threads, c, a, t)
                    // Close the gaps left by comment and blank lines, in file order.
                    for k in 0...threads {
                        guard let r = parsed[k] else { clean = false; return }
                        if total != offsets[k] && r.events > 0 {
                            (c + total).update(from: c + offsets[k], count: r.events)
                            (a + total).update(from: a + offsets[k], count: r.events)
                            (t + total).update(from: t + offsets[k], count: r.events)
                        }
                        total += r.events
                    }
                }
            }
        }
        guard clean, total <= header.maxEvents else { return .oneCore }
        progress?.progress(done: size, total: size, unit: "bytes")
        return .read(EventReadResult(events: EventTable(cell: cell, adc: adc, time: time), rejected: EventRejections(),
                                     rowsRead: parsed.reduce(0) { $0 + ($1?.rows ?? 0) }, bytesRead: size, format: .csv))
    }

    /// Newline bytes in [p, p + n) (a loop the compiler vectorises).
    static func newlines(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var count = 0
        for i in 0..<n { count &+= p[i] == 0x0A ? 1 : 0 }
        return count
    }
}
