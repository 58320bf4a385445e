import Foundation

/// XXH64 (Yann Collet's xxHash, 64-bit, seed 0 by default), the payload checksum of binary event files
/// version 2: four independent multiply–rotate lanes over 32-byte stripes run several times faster than
/// table CRC-32, so verifying a file costs little next to reading it. Python: `xxhash.xxh64(data).intdigest()`.
/// Streaming: bytes may be fed in pieces of any size.
public struct XXHash64: Sendable {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private let seed: UInt64
    private var v1, v2, v3, v4: UInt64
    private var total = 0
    /// Bytes of an incomplete stripe (at most 31).
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0

    /// A hash of no bytes yet.
    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ XXHash64.p1 &+ XXHash64.p2
        v2 = seed &+ XXHash64.p2
        v3 = seed
        v4 = seed &- XXHash64.p1
    }

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    @inline(__always) static func word(_ p: UnsafeRawPointer, _ o: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self))
    }

    /// Feeds bytes; pieces may be of any size.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, bytes.count > 0 else { return }
        var n = bytes.count
        total += n
        if pendingCount > 0 {
            let take = Swift.min(32 - pendingCount, n)
            withUnsafeMutableBytes(of: &pending) { buf in
                buf.baseAddress!.advanced(by: pendingCount).copyMemory(from: p, byteCount: take)
            }
            pendingCount += take
            p += take
            n -= take
            guard pendingCount == 32 else { return }
            withUnsafeBytes(of: pending) { stripes($0.baseAddress!, 32) }
            pendingCount = 0
        }
        let whole = n & ~31
        if whole > 0 { stripes(p, whole) }
        if n > whole {
            let rest = n - whole
            withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.copyMemory(from: p + whole, byteCount: rest) }
            pendingCount = rest
        }
    }

    /// Feeds bytes and copies them to `destination` in the same pass: each 32-byte stripe is loaded
    /// once, hashed and stored, so checking and copying a column reads its source once instead of
    /// twice. The same hash as `update`; pieces may be of any size.
    public mutating func updateCopying(_ bytes: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return }
        // Bytes that complete a pending stripe, and a tail shorter than a stripe, go through `update`.
        let head = pendingCount > 0 ? Swift.min(32 - pendingCount, bytes.count) : 0
        if head > 0 {
            destination.copyMemory(from: p, byteCount: head)
            update(UnsafeRawBufferPointer(start: p, count: head))
        }
        let rest = bytes.count - head
        let whole = rest & ~31
        if whole > 0 {
            total += whole
            stripesCopying(p + head, destination + head, whole)
        }
        if rest > whole {
            (destination + head + whole).copyMemory(from: p + head + whole, byteCount: rest - whole)
            update(UnsafeRawBufferPointer(start: p + head + whole, count: rest - whole))
        }
    }

    /// Feeds the bytes of a contiguous collection.
    public mutating func update<C: ContiguousBytes>(_ bytes: C) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Consumes `count` bytes (a multiple of 32) as stripes.
    @inline(__always) private mutating func stripes(_ p: UnsafeRawPointer, _ count: Int) {
        var a = v1, b = v2, c = v3, d = v4
        var o = 0
        while o < count {
            a = XXHash64.round(a, XXHash64.word(p, o))
            b = XXHash64.round(b, XXHash64.word(p, o + 8))
            c = XXHash64.round(c, XXHash64.word(p, o + 16))
            d = XXHash64.round(d, XXHash64.word(p, o + 24))
            o += 32
        }
        v1 = a; v2 = b; v3 = c; v4 = d
    }

    /// `stripes`, storing each stripe's bytes at `d` as they are hashed.
    @inline(__always) private mutating func stripesCopying(_ p: UnsafeRawPointer, _ d: UnsafeMutableRawPointer, _ count: Int) {
        var a = v1, b = v2, c = v3, e = v4
        var o = 0
        while o < count {
            let w0 = p.loadUnaligned(fromByteOffset: o, as: UInt64.self)
            let w1 = p.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self)
            let w2 = p.loadUnaligned(fromByteOffset: o + 16, as: UInt64.self)
            let w3 = p.loadUnaligned(fromByteOffset: o + 24, as: UInt64.self)
            d.storeBytes(of: w0, toByteOffset: o, as: UInt64.self)
            d.storeBytes(of: w1, toByteOffset: o + 8, as: UInt64.self)
            d.storeBytes(of: w2, toByteOffset: o + 16, as: UInt64.self)
            d.storeBytes(of: w3, toByteOffset: o + 24, as: UInt64.self)
            a = XXHash64.round(a, UInt64(littleEndian: w0))
            b = XXHash64.round(b, UInt64(littleEndian: w1))
            c = XXHash64.round(c, UInt64(littleEndian: w2))
            e = XXHash64.round(e, UInt64(littleEndian: w3))
            o += 32
        }
        v1 = a; v2 = b; v3 = c; v4 = e
    }

    /// The hash of everything fed so far.
    public var value: UInt64 {
        var h: UInt64
        if total >= 32 {
            h = XXHash64.rotl(v1, 1) &+ XXHash64.rotl(v2, 7) &+ XXHash64.rotl(v3, 12) &+ XXHash64.rotl(v4, 18)
            h = XXHash64.merge(h, v1)
            h = XXHash64.merge(h, v2)
            h = XXHash64.merge(h, v3)
            h = XXHash64.merge(h, v4)
        } else {
            h = seed &+ XXHash64.p5
        }
        h = h &+ UInt64(total)
        withUnsafeBytes(of: pending) { buf in
            let p = buf.baseAddress!
            var i = 0
            while i + 8 <= pendingCount {
                h ^= XXHash64.round(0, XXHash64.word(p, i))
                h = XXHash64.rotl(h, 27) &* XXHash64.p1 &+ XXHash64.p4
                i += 8
            }
            if i + 4 <= pendingCount {
                h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* XXHash64.p1
                h = XXHash64.rotl(h, 23) &* XXHash64.p2 &+ XXHash64.p3
                i += 4
            }
            while i < pendingCount {
                h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* XXHash64.p5
                h = XXHash64.rotl(h, 11) &* XXHash64.p1
                i += 1
            }
        }
        h ^= h >> 33
        h = h &* XXHash64.p2
        h ^= h >> 29
        h = h &* XXHash64.p3
        h ^= h >> 32
        return h
    }

    /// XXH64 of a byte buffer.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var x = XXHash64(seed: seed)
        x.update(bytes)
        return x.value
    }
}
