#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `/dev/kmsg` records (kernel/printk/printk.c `devkmsg_read`, `info_print_ext_header`,
/// v3.5+): `PRI,SEQ,TS_USEC,FLAGS[,caller=…];TEXT` with non-printable bytes and `\` as
/// `\xNN`, then `\n`, then dictionary lines that start with a space (` SUBSYSTEM=…`).
public struct KernelMessage: Equatable, Sendable {
    public var sequence: UInt64
    public var microseconds: UInt64
    public var text: String
}

public enum KernelMessages {
    /// The records of a `/dev/kmsg` recording; empty when the bytes are not records
    /// (the first line has no `PRI,SEQ,TS,FLAGS;` header), so the caller reads them as text.
    public static func records(_ bytes: [UInt8]) -> [KernelMessage] {
        var out: [KernelMessage] = []
        var start = 0
        var first = true
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0a { end += 1 }
            let line = Array(bytes[start..<end])
            start = end + 1
            if line.first == 0x20 { continue }                  // a dictionary line
            guard let record = record(line) else {
                if first { return [] }
                continue
            }
            first = false
            out.append(record)
        }
        return out
    }

    /// One record line; nil when the header is not `PRI,SEQ,TS_USEC,FLAGS…;`.
    static func record(_ line: [UInt8]) -> KernelMessage? {
        guard let semicolon = line.firstIndex(of: 0x3b) else { return nil }
        let header = String(decoding: line[..<semicolon], as: UTF8.self).split(separator: ",")
        guard header.count >= 4, UInt32(header[0]) != nil, let seq = UInt64(header[1]), let usec = UInt64(header[2]) else {
            return nil
        }
        return KernelMessage(sequence: seq, microseconds: usec, text: unescape(line[(semicolon + 1)...]))
    }

    /// `\xNN` back to the byte (`devkmsg` escapes control bytes, bytes ≥ 0x7f and `\`).
    static func unescape(_ text: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == 0x5c, i + 3 < text.endIndex, text[i + 1] == 0x78,
               let value = UInt8(String(decoding: text[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                out.append(value)
                i += 4
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The records as `dmesg` prints them: `[%5lu.%06lu] TEXT`, one line per line of text.
    public static func dmesgText(_ records: [KernelMessage]) -> String {
        var out = ""
        for record in records {
            let seconds = String(record.microseconds / 1_000_000)
            let micros = String(record.microseconds % 1_000_000)
            let stamp = "[" + String(repeating: " ", count: max(0, 5 - seconds.count)) + seconds + "."
                + String(repeating: "0", count: 6 - micros.count) + micros + "] "
            for line in record.text.split(separator: "\n", omittingEmptySubsequences: false) {
                out += stamp + line + "\n"
            }
        }
        return out
    }

    /// ", the first N were overwritten" when the ring buffer no longer holds the start of the boot.
    static func lostStart(_ records: [KernelMessage]) -> String {
        guard let first = records.first, first.sequence > 0 else { return "" }
        return "; the first \(first.sequence) were overwritten (the ring buffer wrapped): the boot's early lines may be lost"
    }

    /// Reads the character device `path` as `dmesg` does: opened non-blocking, one record per
    /// `read(2)` until `EAGAIN`; `EPIPE` (records overwritten while reading) skips ahead.
    /// `EPERM` is `dmesg_restrict` for a reader without CAP_SYSLOG.
    public static func readDevice(_ path: String) -> Result<[KernelMessage], DeviceError> {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return .failure(DeviceError(errno)) }
        defer { close(fd) }
        var records: [KernelMessage] = []
        var buffer = [UInt8](repeating: 0, count: 16384)    // more than a record (PRINTKRB_RECORD_MAX 1024 + dictionary)
        var total = 0
        while records.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let code = errno
                if code == EINTR || code == EPIPE { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                return .failure(DeviceError(code))
            }
            if n == 0 { break }
            total += n
            let line = Array(buffer[0..<n].prefix { $0 != 0x0a })
            if let record = record(line) { records.append(record) }
            if total > InputFile.maximumSize { break }
        }
        return .success(records)
    }

    /// Why the device could not be read.
    public struct DeviceError: Error, CustomStringConvertible, Sendable {
        public var code: Int32
        init(_ code: Int32) { self.code = code }
        public var description: String {
            code == EPERM || code == EACCES
                ? "\(String(cString: strerror(code))): dmesg_restrict keeps the log from readers without CAP_SYSLOG"
                : String(cString: strerror(code))
        }
    }
}
