/// ROOT's object references inside one streamed buffer (`TBufferFile::ReadObjectAny`): a pointer
/// member is either null, a reference to an object or class read earlier in the same buffer, or a
/// new object preceded by its class name. Classes are remembered by their position (counted from
/// the start of the key) so that later objects of the same class can name them by reference.
struct ROOTObjectReferences {
    private var classes: [Int: String] = [:]
    private var unnumbered = 0

    enum Pointer {
        case null
        /// An object already read (or not resolvable here); the cursor is past it.
        case reference
        /// A new object of `className`; its body starts at the cursor and ends at `end` when known.
        case object(className: String, end: Int?)
    }

    static let newClassTag: UInt32 = 0xFFFF_FFFF
    static let classMask: UInt32 = 0x8000_0000
    static let mapOffset = 2

    mutating func read(_ b: inout ROOTBuffer, _ what: String) throws -> Pointer {
        let beg = b.position
        let first = try b.u32(what)
        var tag = first
        var start = 0
        var end: Int? = nil
        let counted = first & ROOTBuffer.byteCountMask != 0 && first != Self.newClassTag
        if counted {
            let count = Int(first & ~ROOTBuffer.byteCountMask)
            let e = beg + 4 + count
            guard e <= b.bytes.count, count >= 4 else {
                throw b.error("\(what): byte count \(count) runs past the \(b.bytes.count - beg - 4) bytes left", at: beg)
            }
            end = e
            start = b.position
            tag = try b.u32(what)
        }
        if tag & Self.classMask == 0 {
            if tag == 0 { return .null }
            if let end { b.position = end }
            return .reference
        }
        let className: String
        if tag == Self.newClassTag {
            className = try b.cString(what + " class name")
            if counted { classes[start + b.displacement + Self.mapOffset] = className } else {
                unnumbered += 1
                classes[unnumbered] = className
            }
        } else {
            let ref = Int(tag & ~Self.classMask)
            guard let c = classes[ref] else { throw b.error("\(what): reference to an unknown class (tag \(ref))", at: beg) }
            className = c
        }
        return .object(className: className, end: end)
    }
}
