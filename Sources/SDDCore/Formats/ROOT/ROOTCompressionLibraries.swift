import Foundation

/// The C decompressors ROOT files need, loaded at run time from the system's shared libraries so
/// the build needs no headers or link flags: zlib (`libz.so.1`, part of every Debian system),
/// LZ4 (`liblz4.so.1`, Debian package liblz4-1) and Zstandard (`libzstd.so.1`, package libzstd1).
/// A file compressed with a library the machine lacks gets an error naming the package.
enum ROOTCompressionLibraries {
    typealias ZlibUncompress = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?,
                                               UnsafePointer<UInt8>?, UInt) -> Int32
    typealias LZ4DecompressSafe = @convention(c) (UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int32, Int32) -> Int32
    typealias ZstdDecompress = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int) -> Int
    typealias ZstdIsError = @convention(c) (Int) -> UInt32
    typealias ZstdGetErrorName = @convention(c) (Int) -> UnsafePointer<CChar>?

    struct Zlib { let uncompress: ZlibUncompress }
    struct LZ4 { let decompressSafe: LZ4DecompressSafe }
    struct Zstd { let decompress: ZstdDecompress; let isError: ZstdIsError; let errorName: ZstdGetErrorName }

    static let zlib: Zlib? = {
        guard let lib = DynamicLibrary.open(["libz.so.1", "libz.so", "libz.dylib"]),
              let f = lib.function("uncompress", as: ZlibUncompress.self) else { return nil }
        return Zlib(uncompress: f)
    }()

    static let lz4: LZ4? = {
        guard let lib = DynamicLibrary.open(["liblz4.so.1", "liblz4.so", "liblz4.dylib"]),
              let f = lib.function("LZ4_decompress_safe", as: LZ4DecompressSafe.self) else { return nil }
        return LZ4(decompressSafe: f)
    }()

    static let zstd: Zstd? = {
        guard let lib = DynamicLibrary.open(["libzstd.so.1", "libzstd.so", "libzstd.dylib"]),
              let d = lib.function("ZSTD_decompress", as: ZstdDecompress.self),
              let e = lib.function("ZSTD_isError", as: ZstdIsError.self),
              let n = lib.function("ZSTD_getErrorName", as: ZstdGetErrorName.self) else { return nil }
        return Zstd(decompress: d, isError: e, errorName: n)
    }()
}
