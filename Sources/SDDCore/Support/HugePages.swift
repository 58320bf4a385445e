#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back a large buffer that is about to be filled with 2 MB pages (Linux
/// transparent huge pages in "madvise" mode): filling fresh memory otherwise takes one page fault
/// per 4 KB, which dominates reading a binary event file in a new process.
func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    #if os(Linux)
    let page = 4096, huge = 2 << 20
    guard buffer.count >= huge, let base = buffer.baseAddress else { return }
    let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
    let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
    guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(p, end - start, MADV_HUGEPAGE)
    #endif
}
