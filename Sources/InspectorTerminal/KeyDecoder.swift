import CNcurses
import Inspector

/// Turns curses key codes and characters into `Key`s.
enum KeyDecoder {
    static func decode(status: Int32, code: Int32) -> Key? {
        if status == sdd_key_code_yes() {
            switch code {
            case sdd_key_up(): return .up
            case sdd_key_down(): return .down
            case sdd_key_left(): return .left
            case sdd_key_right(): return .right
            case sdd_key_sleft(): return .shiftLeft
            case sdd_key_sright(): return .shiftRight
            case sdd_key_sup(): return .shiftUp
            case sdd_key_sdown(): return .shiftDown
            case sdd_key_ppage(): return .pageUp
            case sdd_key_npage(): return .pageDown
            case sdd_key_home(): return .home
            case sdd_key_end(): return .end
            case sdd_key_enter(): return .enter
            case sdd_key_btab(): return .backTab
            case sdd_key_backspace(): return .backspace
            default:
                let f = code - sdd_key_f0()
                return f >= 1 && f <= 12 ? .function(Int(f)) : nil
            }
        }
        switch code {
        case 3: return .ctrlC
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard code >= 32, let u = Unicode.Scalar(UInt32(code)) else { return nil }
            return .char(Character(u))
        }
    }
}
