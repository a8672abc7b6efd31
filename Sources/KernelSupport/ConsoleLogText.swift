/// A kernel log as people capture it, turned into the lines the kernel printed.
///
/// Serial captures end lines with CRLF (or CR) and can hold NUL bytes from a
/// terminal reset; `journalctl -k` and syslog put `Dec  2 16:00:00 host kernel: `
/// before each line; `dmesg -T` replaces the `[    0.000000]` seconds with
/// `[Wed Dec  2 16:00:00 2026]`. Everything after that is what printk wrote, with
/// its optional `<level>` and `[seconds]` prefixes, which the log readers strip.
///
/// The prefixes are matched byte by byte (ConsoleLogText+Scanning.swift), not with
/// Regex: a log has hundreds of thousands of lines, and Regex costs microseconds each.
public enum ConsoleLogText {
    /// The text with LF line ends only, without NUL bytes, syslog/journal prefixes
    /// or `dmesg -T` wall-clock stamps. Line numbers are kept (one line in, one line out).
    public static func normalized(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var line: [UInt8] = []
        var previousWasCR = false
        func flush() {
            out.append(contentsOf: line[strippedStart(line)...])
            out.append(0x0a)
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
        if !line.isEmpty { out.append(contentsOf: line[strippedStart(line)...]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// One line without a syslog/journal prefix and a `dmesg -T` stamp.
    static func strip(_ line: String) -> String {
        let bytes = Array(line.utf8)
        return String(decoding: bytes[strippedStart(bytes)...], as: UTF8.self)
    }

    /// Where the printk text of `line` starts: after a syslog/journal prefix, then
    /// after a `dmesg -T` stamp.
    static func strippedStart(_ line: [UInt8]) -> Int {
        var start = syslogPrefixEnd(line) ?? 0
        if let end = wallClockStampEnd(line, from: start) { start = end }
        return start
    }
}
