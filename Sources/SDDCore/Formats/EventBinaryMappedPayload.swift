import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension EventBinary {
    /// The columns of a regular binary event file, read from a read-only memory map of its payload in
    /// one pass on one core: block by block in file order, each block's fresh destination pages are
    /// faulted in with one call (`populate`), its bytes are hashed (XXH64) and copied into the column
    /// together (`XXHash64.updateCopying`: each 32-byte stripe loaded once), and the block is checked
    /// while it is in cache (times finite and within the limit, cells within the known range).
    ///
    /// Where the time goes (`perf record` of `sddcal convert`, 10⁶ events, 12 MB, development VM): in
    /// a new process mostly the kernel zeroing and mapping the columns' 12 MB of new pages (about half
    /// the CPU time), then the hash and the copy; in a warm process the hash (~9 GB/s on one core,
    /// ~1.3 ms). The one-pass reader replaced one where a thread hashed the mapped payload while the
    /// others copied blocks: in a new process 8.7 → 8.0 ms (medians of 33 interleaved runs, FIFO
    /// priority), and it waits for no second thread on a busy machine; warm and quiet the threaded
    /// one was faster (2.1 ms against 2.9 ms). 2 MB huge-page columns (aligned allocations,
    /// MADV_COLLAPSE) were slower on the VM (2 ms more per read), probably because huge pages come
    /// from the free blocks the VM has handed back to its host, which must fault them in again.
    struct MappedPayload {
        var cell: [UInt16]
        var adc: [UInt16]
        var time: [Double]
        var checksum: UInt64
        /// Version 4: the XXH64 of each checksum block, and the table of them stored in the file.
        var blockHashes: [UInt64] = []
        var storedBlockHashes: [UInt64] = []
        /// Whether every time is finite and within ±`maxTime` and every cell in `knownCells`: when
        /// not, the caller's event-by-event check finds and names the faulty events.
        var clean: Bool

        /// Bytes per copy block (a multiple of 8).
        static let blockBytes = 1 << 19
        /// Largest file read through a map.
        static let maxMappedBytes = 1 << 26

        /// Nil when the file cannot be mapped (the caller then reads it); `fd` must be a regular file
        /// of exactly `h.fileSize` bytes. A file truncated by another process while it is read ends
        /// the process with SIGBUS, as any memory-mapped reader.
        static func read(fd: Int32, header h: Header, maxTime: Double, knownCells: ClosedRange<Int>?,
                         allCores: Bool = true) -> MappedPayload? {
            let n = h.eventCount
            let size = h.fileSize
            // The mapped file counts in the resident set while it is read: beyond 64 MB (5.6·10⁶
            // events) the one-core `read(2)` path keeps a large read at 12 bytes per event.
            if h.version >= 4 { return readBlocks(fd: fd, header: h, maxTime: maxTime, knownCells: knownCells, allCores: allCores) }
            guard n > 0, size <= maxMappedBytes, let map = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), map != MAP_FAILED else { return nil }
            defer { munmap(map, size) }
            let base = UnsafeRawPointer(map)
            func column<T>(_: T.Type) -> [T] {
                [T](unsafeUninitializedCapacity: n) { buf, count in
                    adviseHugePages(UnsafeMutableRawBufferPointer(buf))
                    count = n   // every element is written by a copy block below before the array is used
                }
            }
            var cell = column(UInt16.self), adc = column(UInt16.self), time = column(Double.self)
            let limit = Swift.min(maxTime, .greatestFiniteMagnitude)
            let lo = knownCells.map { UInt16(clamping: $0.lowerBound) } ?? 0
            let hi = knownCells.map { UInt16(clamping: $0.upperBound) } ?? .max
            let cellsOutsideUInt16 = knownCells.map { $0.lowerBound < 0 && $0.upperBound < 0 || $0.lowerBound > 65535 } ?? false
            var bad: UInt8 = 0
            var sum = PayloadChecksum(version: h.version)
            cell.withUnsafeMutableBytes { cellBytes in
                adc.withUnsafeMutableBytes { adcBytes in
                    time.withUnsafeMutableBytes { timeBytes in
                        // The payload in file order (cells, ADC, the padding, times), block by block: each
                        // block's pages faulted in, its bytes hashed and copied in one pass, then checked
                        // while they are in cache.
                        for (c, offset, dest) in [(0, headerSize, cellBytes), (1, h.adcOffset, adcBytes), (2, h.timeOffset, timeBytes)] {
                            if c == 2 { sum.update(UnsafeRawBufferPointer(start: base + h.adcOffset + 2 * n, count: h.timeOffset - h.adcOffset - 2 * n)) }
                            var o = 0
                            while o < dest.count {
                                let b = Swift.min(blockBytes, dest.count - o)
                                let dst = dest.baseAddress! + o
                                populate(dst, b)
                                sum.updateCopying(UnsafeRawBufferPointer(start: base + offset + o, count: b), to: dst)
                                switch c {
                                case 0: bad |= knownCells == nil ? 0 : cellsOutside(dst, b / 2, lo, hi, cellsOutsideUInt16)
                                case 2: bad |= timesOutside(dst, b / 8, limit)
                                default: break
                                }
                                o += b
                            }
                        }
                    }
                }
            }
            return MappedPayload(cell: cell, adc: adc, time: time, checksum: sum.value, clean: bad == 0)
        }

        /// Version 4: the payload's checksum blocks, each hashed (XXH64), copied into the columns and
        /// checked in one pass (`XXHash64.updateCopying`, checks while in cache, as `read`), on two
        /// cores as a pipeline: one thread at a time faults in the next block's fresh destination
        /// pages (`populate`) while the other hashes, copies and checks the blocks already faulted
        /// in; when every block is faulted in, both hash. Each block's hash and check land in its own
        /// slot, so which thread did a block changes nothing, and the caller reports the first bad
        /// block in the file. With one thread (a busy machine, where Dispatch starts no second
        /// worker) the same loop faults in every block and then hashes them, without waiting.
        ///
        /// Why only one thread faults at a time: in a new process the columns' 12 MB of new pages
        /// must be faulted in and zeroed, and two threads faulting into the same columns contend
        /// (10⁶ events, 46 blocks, `sddcal convert --json`, 25 interleaved reads at a load of ~5:
        /// 10.5 ms on one core, 11.4 ms with both cores each faulting and hashing its own blocks).
        /// A warm process faults as much: `sddcal-bench formats` gets new pages for the columns on
        /// every read (`perf`: page zeroing and `populate` in every read).
        /// `allCores: false` reads on the calling thread alone (tests).
        static func readBlocks(fd: Int32, header h: Header, maxTime: Double, knownCells: ClosedRange<Int>?,
                               allCores: Bool = true) -> MappedPayload? {
            let n = h.eventCount
            let size = h.fileSize
            guard n > 0, size <= maxMappedBytes, let map = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), map != MAP_FAILED else { return nil }
            defer { munmap(map, size) }
            let base = UnsafeRawPointer(map)
            func column<T>(_: T.Type) -> [T] {
                [T](unsafeUninitializedCapacity: n) { buf, count in
                    adviseHugePages(UnsafeMutableRawBufferPointer(buf))
                    count = n   // every element is written by a block below before the array is used
                }
            }
            var cell = column(UInt16.self), adc = column(UInt16.self), time = column(Double.self)
            let limit = Swift.min(maxTime, .greatestFiniteMagnitude)
            let lo = knownCells.map { UInt16(clamping: $0.lowerBound) } ?? 0
            let hi = knownCells.map { UInt16(clamping: $0.upperBound) } ?? .max
            let cellsOutsideUInt16 = knownCells.map { $0.lowerBound < 0 && $0.upperBound < 0 || $0.lowerBound > 65535 } ?? false
            let blocks = h.blockCount, blockBytes = h.blockBytes
            // Payload offsets (from byte 64) where the ADC column, the padding and the times start, and its end.
            let adcStart = 2 * n, padStart = 4 * n, timeStart = h.timeOffset - headerSize, end = h.payloadEnd - headerSize
            let payload = base + headerSize
            var hashes = [UInt64](repeating: 0, count: blocks)
            var bad = [UInt8](repeating: 0, count: blocks)
            cell.withUnsafeMutableBytes { cellBytes in
                adc.withUnsafeMutableBytes { adcBytes in
                    time.withUnsafeMutableBytes { timeBytes in
                        hashes.withUnsafeMutableBufferPointer { hashOut in
                            bad.withUnsafeMutableBufferPointer { badOut in
                                let cellBase = cellBytes.baseAddress!, adcBase = adcBytes.baseAddress!, timeBase = timeBytes.baseAddress!
                                // Faults in the destination pages of block `k` (each column part of it).
                                func populateBlock(_ k: Int) {
                                    let a = k * blockBytes, e = Swift.min(a + blockBytes, end)
                                    if a < adcStart { populate(cellBase + a, Swift.min(e, adcStart) - a) }
                                    if a < padStart && e > adcStart {
                                        let lo = Swift.max(a, adcStart)
                                        populate(adcBase + (lo - adcStart), Swift.min(e, padStart) - lo)
                                    }
                                    if e > timeStart {
                                        let lo = Swift.max(a, timeStart)
                                        populate(timeBase + (lo - timeStart), e - lo)
                                    }
                                }
                                func process(_ k: Int, populating: Bool) {
                                    let a = k * blockBytes, e = Swift.min(a + blockBytes, end)
                                    var x = XXHash64()
                                    var flag: UInt8 = 0
                                    var o = a
                                    while o < e {
                                        if o < adcStart {
                                            let stop = Swift.min(e, adcStart), dst = cellBase + o
                                            if populating { populate(dst, stop - o) }
                                            x.updateCopying(UnsafeRawBufferPointer(start: payload + o, count: stop - o), to: dst)
                                            if knownCells != nil { flag |= cellsOutside(dst, (stop - o) / 2, lo, hi, cellsOutsideUInt16) }
                                            o = stop
                                        } else if o < padStart {
                                            let stop = Swift.min(e, padStart), dst = adcBase + (o - adcStart)
                                            if populating { populate(dst, stop - o) }
                                            x.updateCopying(UnsafeRawBufferPointer(start: payload + o, count: stop - o), to: dst)
                                            o = stop
                                        } else if o < timeStart {
                                            let stop = Swift.min(e, timeStart)
                                            x.update(UnsafeRawBufferPointer(start: payload + o, count: stop - o))
                                            o = stop
                                        } else {
                                            let dst = timeBase + (o - timeStart)
                                            if populating { populate(dst, e - o) }
                                            x.updateCopying(UnsafeRawBufferPointer(start: payload + o, count: e - o), to: dst)
                                            flag |= timesOutside(dst, (e - o) / 8, limit)
                                            o = e
                                        }
                                    }
                                    hashOut[k] = x.value
                                    badOut[k] = flag
                                }
                                if blocks > 1 && allCores {
                                    let pipeline = BlockPipeline(blocks: blocks)
                                    DispatchQueue.concurrentPerform(iterations: 2) { _ in
                                        while true {
                                            switch pipeline.next() {
                                            case .populate(let k): populateBlock(k); pipeline.populated()
                                            case .process(let k): process(k, populating: false)
                                            case .wait: sched_yield()
                                            case .done: return
                                            }
                                        }
                                    }
                                } else {
                                    for k in 0..<blocks { process(k, populating: true) }
                                }
                            }
                        }
                    }
                }
            }
            let stored = (0..<blocks).map { UInt64(littleEndian: (base + h.payloadEnd + 8 * $0).loadUnaligned(as: UInt64.self)) }
            return MappedPayload(cell: cell, adc: adc, time: time, checksum: 0, blockHashes: hashes, storedBlockHashes: stored,
                                 clean: !bad.contains { $0 != 0 })
        }

        /// The shared schedule of the two-thread pipeline: blocks are faulted in one at a time, in
        /// order, and hashed in order once faulted in; a thread asks for its next step.
        final class BlockPipeline: @unchecked Sendable {
            enum Step { case populate(Int), process(Int), wait, done }
            private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
            private let blocks: Int
            private var nextPopulate = 0, faultedIn = 0, nextProcess = 0
            private var populating = false

            init(blocks: Int) {
                self.blocks = blocks
                pthread_mutex_init(lock, nil)
            }
            deinit {
                pthread_mutex_destroy(lock)
                lock.deallocate()
            }

            /// Faulting in comes first when no other thread is at it, so that it stays ahead.
            func next() -> Step {
                pthread_mutex_lock(lock)
                defer { pthread_mutex_unlock(lock) }
                if nextProcess >= blocks { return .done }
                if !populating && nextPopulate < blocks {
                    populating = true
                    nextPopulate += 1
                    return .populate(nextPopulate - 1)
                }
                if nextProcess < faultedIn {
                    nextProcess += 1
                    return .process(nextProcess - 1)
                }
                return .wait
            }

            /// The block of the last `.populate` is faulted in.
            func populated() {
                pthread_mutex_lock(lock)
                faultedIn += 1
                populating = false
                pthread_mutex_unlock(lock)
            }
        }

        /// Faults in the whole pages of a fresh destination block in one call (MADV_POPULATE_WRITE,
        /// Linux 5.14; older kernels answer EINVAL and the copy faults them in): page by page inside
        /// the copy, each 4 KB page costs an exception on top of its zeroing (on the development VM
        /// a C model of this reader: 6.9 → 5.8 ms for 10⁶ events in a new process).
        static func populate(_ p: UnsafeMutableRawPointer, _ count: Int) {
            #if os(Linux)
            let start = (Int(bitPattern: p) + 4095) & ~4095, end = (Int(bitPattern: p) + count) & ~4095
            guard end > start, let q = UnsafeMutableRawPointer(bitPattern: start) else { return }
            let populateWrite: Int32 = 23
            _ = madvise(q, end - start, populateWrite)
            #endif
        }

        /// 1 when a time is not finite or beyond ±limit (NaN fails the comparison). Branch-free, so
        /// the loop vectorises.
        static func timesOutside(_ p: UnsafeMutableRawPointer, _ count: Int, _ limit: Double) -> UInt8 {
            let t = UnsafeBufferPointer(start: p.assumingMemoryBound(to: Double.self), count: count)
            var bad: UInt8 = 0
            for x in t { bad |= x.magnitude <= limit ? 0 : 1 }
            return bad
        }

        /// 1 when a cell is outside lo...hi (or no UInt16 cell can be known).
        static func cellsOutside(_ p: UnsafeMutableRawPointer, _ count: Int, _ lo: UInt16, _ hi: UInt16, _ none: Bool) -> UInt8 {
            if none { return 1 }
            let c = UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt16.self), count: count)
            var bad: UInt8 = 0
            for x in c { bad |= (x >= lo && x <= hi) ? 0 : 1 }
            return bad
        }
    }
}
