import Foundation

/// A shared library opened at run time with `dlopen`, so an optional C library (LZ4, ZSTD, zlib)
/// is used when the machine has it without becoming a build or link dependency. Libraries stay
/// loaded for the life of the process (they are never closed: their functions may be cached).
public struct DynamicLibrary: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// The file name it was opened by (e.g. "liblz4.so.1").
    public let name: String

    /// Opens the first of `names` the dynamic loader finds; nil when none is present.
    public static func open(_ names: [String]) -> DynamicLibrary? {
        for n in names {
            if let h = dlopen(n, RTLD_NOW | RTLD_LOCAL) { return DynamicLibrary(handle: h, name: n) }
        }
        return nil
    }

    /// The address of a symbol, nil when the library does not export it.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, name)
    }

    /// A C function of the library as a Swift function value of type `T` (a `@convention(c)` type).
    public func function<T>(_ name: String, as type: T.Type) -> T? {
        guard let p = symbol(name) else { return nil }
        return unsafeBitCast(p, to: type)
    }
}
