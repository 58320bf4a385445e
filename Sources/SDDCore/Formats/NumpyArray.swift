import Foundation

/// A NumPy `.npy` array (format versions 1.0, 2.0 and 3.0) of one of the numeric dtypes Python
/// pipelines write: `f8 f4 i8 i4 i2 i1 u8 u4 u2 u1` in either byte order, C or Fortran order.
/// Values are held as Double in C (row-major) order.
public struct NumpyArray: Sendable, Equatable {
    /// Dimensions, outermost first (C order).
    public var shape: [Int]
    /// Elements in C (row-major) order.
    public var values: [Double]

    public init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "shape does not match the number of values")
        self.shape = shape
        self.values = values
    }

    /// The first six bytes of every `.npy` file.
    public static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// An element type: kind (f, i, u), size in bytes, and byte order.
    struct DType {
        let kind: Character
        let size: Int
        let bigEndian: Bool

        init?(_ descr: String) {
            guard descr.count >= 3 else { return nil }
            let chars = Array(descr)
            guard let size = Int(String(chars[2...])) else { return nil }
            switch (chars[1], size) {
            case ("f", 4), ("f", 8), ("i", 1), ("i", 2), ("i", 4), ("i", 8), ("u", 1), ("u", 2), ("u", 4), ("u", 8): break
            default: return nil
            }
            switch chars[0] {
            case "<", "|": bigEndian = false
            case ">": bigEndian = true
            case "=": bigEndian = false   // native; this code runs on little-endian hosts in practice
            default: return nil
            }
            kind = chars[1]
            self.size = size
        }

        /// The element at `p` as a Double.
        func load(_ p: UnsafeRawPointer) -> Double {
            func u<T: FixedWidthInteger>(_: T.Type) -> T {
                let v = p.loadUnaligned(as: T.self)
                return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
            }
            switch (kind, size) {
            case ("f", 8): return Double(bitPattern: u(UInt64.self))
            case ("f", 4): return Double(Float(bitPattern: u(UInt32.self)))
            case ("i", 1): return Double(Int8(bitPattern: p.load(as: UInt8.self)))
            case ("i", 2): return Double(Int16(bitPattern: u(UInt16.self)))
            case ("i", 4): return Double(Int32(bitPattern: u(UInt32.self)))
            case ("i", 8): return Double(Int64(bitPattern: u(UInt64.self)))
            case ("u", 1): return Double(p.load(as: UInt8.self))
            case ("u", 2): return Double(u(UInt16.self))
            case ("u", 4): return Double(u(UInt32.self))
            default: return Double(u(UInt64.self))
            }
        }
    }

    /// Parses an `.npy` file; errors name the byte offset.
    public static func decode(_ b: [UInt8], path: String) throws -> NumpyArray {
        func fail(_ o: Int, _ m: String) -> SDDError { .badBytes(file: path, offset: o, message: m) }
        guard b.count >= 10, Array(b[0..<6]) == magic else {
            throw fail(0, "bad magic: not a NumPy .npy file (expected \\x93NUMPY)")
        }
        let major = b[6], minor = b[7]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(b[8]) | Int(b[9]) << 8
            headerStart = 10
        case 2, 3:
            guard b.count >= 12 else { throw fail(b.count, "truncated: file ends inside the header length") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
            headerStart = 12
        default:
            throw fail(6, "unsupported .npy format version \(major).\(minor) (reads 1.0, 2.0, 3.0)")
        }
        let dataStart = headerStart + headerLength
        guard dataStart <= b.count else {
            throw fail(b.count, "truncated: header of \(headerLength) bytes ends past the end of the file")
        }
        guard let header = String(bytes: b[headerStart..<dataStart], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail(headerStart, "header is not text")
        }
        let dict = try parseHeader(header, fail: { fail(headerStart, $0) })
        guard let dt = DType(dict.descr) else {
            throw fail(headerStart, "unsupported dtype '\(InputQuote.escape(dict.descr))' (reads f8 f4 i8 i4 i2 i1 u8 u4 u2 u1)")
        }
        // Overflow-checked: a header may declare any shape; only the bytes present decide what is read.
        guard let n = CheckedSize.product(dict.shape), let dataBytes = CheckedSize.product(n, dt.size),
              let need = CheckedSize.sum(dataStart, dataBytes) else {
            throw fail(headerStart, "shape \(dict.shape) of \(InputQuote.escape(dict.descr)) needs more bytes than any file holds (size overflows)")
        }
        guard b.count >= need else {
            throw fail(b.count, "truncated: shape \(dict.shape) of \(InputQuote.escape(dict.descr)) needs \(need) bytes, file ends at byte \(b.count)")
        }
        guard b.count == need else { throw fail(need, "\(b.count - need) unexpected bytes after the array data") }
        var values = [Double](repeating: 0, count: n)
        b.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            // n > 0 bounds every partial product of the shape by n, so the strides below cannot overflow or be zero.
            if dict.fortranOrder && dict.shape.count > 1 && n > 0 {
                // Column-major on disk: element with C-order index (r0, r1, …) is at Σ r_k·stride_k, stride_0 = 1.
                var cStrides = [Int](repeating: 1, count: dict.shape.count)
                for k in stride(from: dict.shape.count - 2, through: 0, by: -1) { cStrides[k] = cStrides[k + 1] * dict.shape[k + 1] }
                var fStrides = [Int](repeating: 1, count: dict.shape.count)
                for k in 1..<dict.shape.count { fStrides[k] = fStrides[k - 1] * dict.shape[k - 1] }
                for i in 0..<n {
                    var rest = i, f = 0
                    for k in 0..<dict.shape.count { f += (rest / cStrides[k]) * fStrides[k]; rest %= cStrides[k] }
                    values[i] = dt.load(base + f * dt.size)
                }
            } else {
                for i in 0..<n { values[i] = dt.load(base + i * dt.size) }
            }
        }
        return NumpyArray(shape: dict.shape, values: values)
    }

    /// Byte offset of element `i` (C order) in a file written by `encode`/read by `decode`; for messages.
    static func dataOffset(_ b: [UInt8]) -> Int {
        guard b.count >= 10 else { return 0 }
        if b[6] == 1 { return 10 + (Int(b[8]) | Int(b[9]) << 8) }
        guard b.count >= 12 else { return 0 }
        return 12 + (Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24)
    }

    /// The three keys of the header dictionary, e.g. `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
    static func parseHeader(_ h: String, fail: (String) -> SDDError) throws -> (descr: String, fortranOrder: Bool, shape: [Int]) {
        func value(_ key: String) throws -> Substring {
            guard let k = h.range(of: "'\(key)'") ?? h.range(of: "\"\(key)\""),
                  let colon = h[k.upperBound...].firstIndex(of: ":") else {
                throw fail("header has no '\(key)' entry")
            }
            return h[h.index(after: colon)...].drop(while: { $0 == " " })
        }
        let d = try value("descr")
        guard let q = d.first, q == "'" || q == "\"", let end = d.dropFirst().firstIndex(of: q) else {
            throw fail("header 'descr' is not a simple dtype string (structured arrays are not spectra)")
        }
        let descr = String(d[d.index(after: d.startIndex)..<end])
        let f = try value("fortran_order")
        let fortran: Bool
        if f.hasPrefix("True") { fortran = true } else if f.hasPrefix("False") { fortran = false } else {
            throw fail("header 'fortran_order' is neither True nor False")
        }
        let s = try value("shape")
        guard s.first == "(", let close = s.firstIndex(of: ")") else { throw fail("header 'shape' is not a tuple") }
        var shape: [Int] = []
        for part in s[s.index(after: s.startIndex)..<close].split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            guard let v = Int(p.hasSuffix("L") ? String(p.dropLast()) : p), v >= 0 else {
                throw fail("header 'shape' has a bad dimension '\(InputQuote.escape(p))'")
            }
            shape.append(v)
        }
        return (descr, fortran, shape)
    }

    /// A version 1.0 `.npy` file's bytes before the data (C order): magic, version, header length and
    /// the header dictionary, padded with spaces so that the data starts on a 64-byte boundary, as
    /// NumPy does.
    static func head(descr: String, shape: [Int]) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let hl = header.utf8.count
        return magic + [1, 0, UInt8(hl & 0xFF), UInt8(hl >> 8)] + Array(header.utf8)
    }

    /// Encodes as a version 1.0 `.npy` (C order, little-endian) of `<f8`, or `<i8` when every value is
    /// a whole number; the header is padded so the data starts on a 64-byte boundary, as NumPy does.
    public func encode() -> [UInt8] {
        let integral = values.allSatisfy { $0 == $0.rounded() && Swift.abs($0) < 9e18 }
        let descr = integral ? "<i8" : "<f8"
        var out = NumpyArray.head(descr: descr, shape: shape)
        out.reserveCapacity(out.count + 8 * values.count)
        for v in values {
            let bits: UInt64 = integral ? UInt64(bitPattern: Int64(v)) : v.bitPattern
            withUnsafeBytes(of: bits.littleEndian) { out.append(contentsOf: $0) }
        }
        return out
    }
}
