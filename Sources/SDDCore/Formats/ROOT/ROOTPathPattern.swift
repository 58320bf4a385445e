/// Glob patterns on the key paths of a ROOT file (`bus1_*`, `sub/bus?_sdd[1-4]`, `**/bus2_*`):
/// `*` any run of characters within one path component, `**` any run including `/`, `?` one
/// character, `[abc]`/`[a-z]`/`[!a]` a character class.
public enum ROOTPathPattern {
    /// True when the whole `path` matches `pattern`.
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = Array(pattern), s = Array(path)
        var memo = [Int: Bool]()
        func go(_ i: Int, _ j: Int) -> Bool {
            let key = i * (s.count + 1) + j
            if let m = memo[key] { return m }
            let r: Bool
            if i == p.count {
                r = j == s.count
            } else if p[i] == "*" {
                let crossing = i + 1 < p.count && p[i + 1] == "*"
                let next = crossing ? i + 2 : i + 1
                var k = j, found = false
                while true {
                    if go(next, k) { found = true; break }
                    if k == s.count || (!crossing && s[k] == "/") { break }
                    k += 1
                }
                r = found
            } else if j == s.count {
                r = false
            } else if p[i] == "?" {
                r = s[j] != "/" && go(i + 1, j + 1)
            } else if p[i] == "[", let close = p[(i + 1)...].dropFirst().firstIndex(of: "]") {
                var k = i + 1
                let negate = p[k] == "!" || p[k] == "^"
                if negate { k += 1 }
                var hit = false
                while k < close {
                    if k + 2 < close, p[k + 1] == "-" {
                        if p[k] <= s[j] && s[j] <= p[k + 2] { hit = true }
                        k += 3
                    } else {
                        if p[k] == s[j] { hit = true }
                        k += 1
                    }
                }
                r = hit != negate && s[j] != "/" && go(close + 1, j + 1)
            } else {
                r = p[i] == s[j] && go(i + 1, j + 1)
            }
            memo[key] = r
            return r
        }
        return go(0, 0)
    }

    /// True when `pattern` has glob characters (else it names one path).
    public static func isPattern(_ pattern: String) -> Bool {
        pattern.contains { "*?[".contains($0) }
    }
}
