/// A kernel log as people capture it, turned into the lines the kernel printed.
///
/// Serial captures end lines with CRLF (or CR) and can hold NUL bytes from a
/// terminal reset; `journalctl -k` and syslog put `Dec  2 16:00:00 host kernel: `
/// before each line; `dmesg -T` replaces the `[    0.000000]` seconds with
/// `[Wed Dec  2 16:00:00 2026]`. Everything after that is what printk wrote, with
/// its optional `<level>` and `[seconds]` prefixes, which the log readers strip.
public enum ConsoleLogText {
    /// The text with LF line ends only, without NUL bytes, syslog/journal prefixes
    /// or `dmesg -T` wall-clock stamps. Line numbers are kept (one line in, one line out).
    public static func normalized(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var line: [UInt8] = []
        var previousWasCR = false
        func flush() {
            out += strip(String(decoding: line, as: UTF8.self))
            out += "\n"
            line.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case 0: continue
            case 0x0d: flush(); previousWasCR = true; continue
            case 0x0a: if !previousWasCR { flush() }
            default: line.append(byte)
            }
            previousWasCR = false
        }
        if !line.isEmpty { out += strip(String(decoding: line, as: UTF8.self)) }
        return out
    }

    /// One line without a syslog/journal prefix and a `dmesg -T` stamp.
    static func strip(_ line: String) -> String {
        var s = Substring(line)
        if let match = s.prefixMatch(of: syslogPrefix) { s = s[match.range.upperBound...] }
        if let match = s.prefixMatch(of: wallClockStamp) { s = s[match.range.upperBound...] }
        return String(s)
    }

    /// `Dec  2 16:00:00 host kernel: ` (syslog, `journalctl -k`) or
    /// `2026-12-02T16:00:00.123456+00:00 host kernel: ` (ISO stamps).
    nonisolated(unsafe) static let syslogPrefix =
        #/(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) \S+ kernel: /#

    /// `[Wed Dec  2 16:00:00 2026] ` of `dmesg -T`.
    nonisolated(unsafe) static let wallClockStamp = #/\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] ?/#
}
