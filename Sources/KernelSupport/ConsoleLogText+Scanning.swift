/// Byte-level matchers for the prefixes capture tools put before printk's text.
/// Each returns the index just past its match, or nil.
extension ConsoleLogText {
    /// `Dec  2 16:00:00 host kernel: ` (syslog, `journalctl -k`) or
    /// `2026-12-02T16:00:00.123456+00:00 host kernel: ` (ISO stamps), at the line's start.
    static func syslogPrefixEnd(_ s: [UInt8]) -> Int? {
        guard let afterStamp = syslogDateEnd(s) ?? isoDateEnd(s), afterStamp < s.count, s[afterStamp] == space else { return nil }
        // One host word (\S+), then " kernel: ".
        var i = afterStamp + 1
        let hostStart = i
        while i < s.count && s[i] != space && s[i] != tab { i += 1 }
        guard i > hostStart else { return nil }
        return matchLiteral(s, at: i, Array(" kernel: ".utf8))
    }

    /// `Mmm dd hh:mm:ss` where dd is `[ \d]\d`.
    static func syslogDateEnd(_ s: [UInt8]) -> Int? {
        var i = 0
        guard month(s, &i), lit(s, &i, space), spaceOrDigit(s, &i), digits(s, &i, 1), lit(s, &i, space),
              clock(s, &i) else { return nil }
        return i
    }

    /// `yyyy-mm-ddThh:mm:ss[.frac][Z|±hh[:]mm]`.
    static func isoDateEnd(_ s: [UInt8]) -> Int? {
        var i = 0
        guard digits(s, &i, 4), lit(s, &i, dash), digits(s, &i, 2), lit(s, &i, dash), digits(s, &i, 2),
              lit(s, &i, UInt8(ascii: "T")), clock(s, &i) else { return nil }
        if i < s.count && s[i] == dot {
            var j = i + 1
            let first = j
            while j < s.count && isDigit(s[j]) { j += 1 }
            if j > first { i = j }
        }
        if i < s.count && s[i] == UInt8(ascii: "Z") {
            i += 1
        } else if i < s.count && (s[i] == UInt8(ascii: "+") || s[i] == dash) {
            var j = i + 1
            if digits(s, &j, 2) {
                if j < s.count && s[j] == colon { j += 1 }
                if digits(s, &j, 2) { i = j }
            }
        }
        return i
    }

    /// `[Www Mmm dd hh:mm:ss yyyy]` and an optional space, at `start`.
    static func wallClockStampEnd(_ s: [UInt8], from start: Int) -> Int? {
        var i = start
        guard lit(s, &i, UInt8(ascii: "[")), month(s, &i), lit(s, &i, space), month(s, &i), lit(s, &i, space),
              spaceOrDigit(s, &i), digits(s, &i, 1), lit(s, &i, space), clock(s, &i), lit(s, &i, space),
              digits(s, &i, 4), lit(s, &i, UInt8(ascii: "]")) else { return nil }
        if i < s.count && s[i] == space { i += 1 }
        return i
    }

    /// The end of the first `[ seconds.micros]` printk timestamp (`\[\s*\d+\.\d+\] ?`) anywhere in `s`.
    public static func printkTimestampEnd<C: Collection>(_ s: C) -> C.Index? where C.Element == UInt8 {
        var open = s.firstIndex(of: UInt8(ascii: "["))
        while let start = open {
            var i = s.index(after: start)
            while i < s.endIndex && isSpace(s[i]) { i = s.index(after: i) }
            var count = 0
            while i < s.endIndex && isDigit(s[i]) { i = s.index(after: i); count += 1 }
            if count > 0 && i < s.endIndex && s[i] == dot {
                i = s.index(after: i)
                count = 0
                while i < s.endIndex && isDigit(s[i]) { i = s.index(after: i); count += 1 }
                if count > 0 && i < s.endIndex && s[i] == UInt8(ascii: "]") {
                    i = s.index(after: i)
                    if i < s.endIndex && s[i] == space { i = s.index(after: i) }
                    return i
                }
            }
            open = s[s.index(after: start)...].firstIndex(of: UInt8(ascii: "["))
        }
        return nil
    }

    // MARK: - Pieces

    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), dash = UInt8(ascii: "-")
    private static let dot = UInt8(ascii: "."), colon = UInt8(ascii: ":")

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    /// `\s`: space, tab, and the other ASCII white space.
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0d) }

    private static func lit(_ s: [UInt8], _ i: inout Int, _ b: UInt8) -> Bool {
        guard i < s.count && s[i] == b else { return false }
        i += 1
        return true
    }

    private static func digits(_ s: [UInt8], _ i: inout Int, _ n: Int) -> Bool {
        guard i + n <= s.count && s[i ..< i + n].allSatisfy(isDigit) else { return false }
        i += n
        return true
    }

    private static func spaceOrDigit(_ s: [UInt8], _ i: inout Int) -> Bool {
        guard i < s.count && (s[i] == space || isDigit(s[i])) else { return false }
        i += 1
        return true
    }

    /// `[A-Z][a-z]{2}`: a month or weekday abbreviation.
    private static func month(_ s: [UInt8], _ i: inout Int) -> Bool {
        guard i + 3 <= s.count, (0x41 ... 0x5a).contains(s[i]), (0x61 ... 0x7a).contains(s[i + 1]),
              (0x61 ... 0x7a).contains(s[i + 2]) else { return false }
        i += 3
        return true
    }

    /// `hh:mm:ss`.
    private static func clock(_ s: [UInt8], _ i: inout Int) -> Bool {
        digits(s, &i, 2) && lit(s, &i, colon) && digits(s, &i, 2) && lit(s, &i, colon) && digits(s, &i, 2)
    }

    private static func matchLiteral(_ s: [UInt8], at i: Int, _ literal: [UInt8]) -> Int? {
        guard i + literal.count <= s.count && s[i ..< i + literal.count].elementsEqual(literal) else { return nil }
        return i + literal.count
    }
}

/// Substring search on UTF-8 bytes. Log and trace readers scan every line for a
/// marker; Foundation's `contains`/`range(of:)` go through CFStringFind and cost
/// microseconds a line.
public enum ByteSearch {
    /// The byte offset of the first occurrence of `pin` in `hay`.
    static func offset(_ hay: UnsafeBufferPointer<UInt8>, _ pin: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = pin.first else { return 0 }
        guard hay.count >= pin.count else { return nil }
        var i = 0
        let last = hay.count - pin.count
        while i <= last {
            if hay[i] == first {
                var k = 1
                while k < pin.count && hay[i + k] == pin[k] { k += 1 }
                if k == pin.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func offset<S: StringProtocol>(of needle: String, in text: S) -> Int? {
        var needle = needle
        return needle.withUTF8 { pin in
            if let found = text.utf8.withContiguousStorageIfAvailable({ offset($0, pin) }) { return found }
            let copy = Array(text.utf8)
            return copy.withUnsafeBufferPointer { offset($0, pin) }
        }
    }
}

extension StringProtocol {
    /// Whether `needle` occurs, compared as UTF-8 bytes (see `ByteSearch`).
    public func containsBytes(of needle: String) -> Bool { ByteSearch.offset(of: needle, in: self) != nil }

    /// The range of the first occurrence of `needle`, compared as UTF-8 bytes.
    public func byteRange(of needle: String) -> Range<Index>? {
        guard let k = ByteSearch.offset(of: needle, in: self) else { return nil }
        let start = utf8.index(utf8.startIndex, offsetBy: k)
        return start ..< utf8.index(start, offsetBy: needle.utf8.count)
    }
}
