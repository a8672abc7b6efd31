/// The recorded call traces of shared/percpu-calls (format in its README):
/// one event per line — `alloc size=S align=A reserved=R gfp=G -> PTR`,
/// `free PTR`, `populated|depopulated chunk=BASE pages=S-E`, `balance` —
/// then `# state at panic()` and the state lines. Comments start with `#`.
import KernelSupport

/// One line of a call trace.
public enum PercpuCallLine: Sendable, Equatable {
    /// A `pcpu_alloc` call; `ptr` is what the kernel returned (nil in a workload).
    case alloc(size: Int, align: Int, reserved: Bool, gfp: UInt32, ptr: UInt64?)
    /// `alloc ? -> PTR`: the recording's gdb script reports a `pcpu_alloc_area`
    /// return that no pending `pcpu_alloc` claims. In the public traces every such
    /// line repeats the pointer of the line before it: a second report of the same
    /// return, not a call. It is kept (to be checked) and not replayed.
    case unclaimedAlloc(ptr: UInt64)
    case free(ptr: UInt64)
    case populated(base: UInt64, start: Int, end: Int)
    case depopulated(base: UInt64, start: Int, end: Int)
    case balance
}

/// A parsed trace: the events with their line numbers, and the state section.
public struct PercpuCallTrace: Sendable, Equatable {
    public var lines: [(line: Int, event: PercpuCallLine)]
    /// The lines after `# state at panic()` (comments dropped).
    public var state: [String]
    public var hasState: Bool

    public static func == (a: Self, b: Self) -> Bool {
        a.state == b.state && a.hasState == b.hasState && a.lines.elementsEqual(b.lines) { $0.line == $1.line && $0.event == $1.event }
    }
}

/// A line that is not in the trace format: `file:line:column: message`.
public struct TraceParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

public enum PercpuCallTraceParser {
    /// Parses the whole trace; the first bad line is an error. Lines are read as
    /// bytes (the format is ASCII); a line the fast path does not accept goes
    /// through `parseLine`, which gives the precise error.
    public static func parse(_ text: String, file: String) throws(TraceParseError) -> PercpuCallTrace {
        var trace = PercpuCallTrace(lines: [], state: [], hasState: false)
        let bytes = Array(text.utf8)
        trace.lines.reserveCapacity(bytes.count / 40)
        var number = 0
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0a { end += 1 }
            number += 1
            var stop = end
            if stop > start && bytes[stop - 1] == 0x0d { stop -= 1 }
            defer { start = end + 1 }
            if stop == start { continue }
            if trace.hasState {
                if bytes[start] != 0x23 {                          // '#'
                    trace.state.append(String(decoding: bytes[start ..< stop], as: UTF8.self))
                }
                continue
            }
            if bytes[start] == 0x23 {
                if bytes[start ..< stop].starts(with: Array("# state at panic()".utf8)) { trace.hasState = true }
                continue
            }
            if let event = fastLine(bytes, start, stop) {
                trace.lines.append((number, event))
            } else {
                let line = Substring(String(decoding: bytes[start ..< stop], as: UTF8.self))
                trace.lines.append((number, try parseLine(line, file: file, number: number)))
            }
        }
        return trace
    }

    /// The common lines, parsed from bytes; nil sends the line to `parseLine`.
    static func fastLine(_ b: [UInt8], _ start: Int, _ stop: Int) -> PercpuCallLine? {
        var i = start
        func word(_ w: StaticString) -> Bool {
            let n = w.utf8CodeUnitCount
            guard stop - i >= n else { return false }
            let p = w.utf8Start
            for k in 0 ..< n where b[i + k] != p[k] { return false }
            i += n
            return true
        }
        func number() -> UInt64? {
            var value: UInt64 = 0
            var digits = 0
            if stop - i > 2 && b[i] == 0x30 && b[i + 1] == 0x78 {     // 0x
                i += 2
                while i < stop, let d = hexDigit(b[i]) {
                    guard value >> 60 == 0 else { return nil }
                    value = value << 4 | UInt64(d)
                    i += 1
                    digits += 1
                }
            } else {
                while i < stop, b[i] >= 0x30, b[i] <= 0x39 {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(UInt64(b[i] - 0x30))
                    guard !o1, !o2 else { return nil }
                    value = a
                    i += 1
                    digits += 1
                }
            }
            return digits > 0 ? value : nil
        }
        if word("alloc size=") {
            guard let size = number(), word(" align="), let align = number(), word(" reserved="), let reserved = number(),
                  word(" gfp="), let gfp = number(), size <= UInt64(Int32.max), align <= UInt64(Int32.max),
                  gfp <= UInt64(UInt32.max) else { return nil }
            var ptr: UInt64?
            if i < stop {
                guard word(" -> "), let p = number() else { return nil }
                ptr = p
            }
            guard i == stop else { return nil }
            return .alloc(size: Int(size), align: Int(align), reserved: reserved != 0, gfp: UInt32(gfp), ptr: ptr)
        }
        if word("free ") {
            guard let p = number(), i == stop else { return nil }
            return .free(ptr: p)
        }
        if word("balance") { return i == stop ? .balance : nil }
        return nil
    }

    @inline(__always)
    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30 ... 0x39: c - 0x30
        case 0x61 ... 0x66: c - 0x61 + 10
        case 0x41 ... 0x46: c - 0x41 + 10
        default: nil
        }
    }

    static func parseLine(_ line: Substring, file: String, number: Int) throws(TraceParseError) -> PercpuCallLine {
        func fail(_ column: Int, _ message: String) -> TraceParseError {
            TraceParseError(file: file, line: number, column: column, message: message)
        }
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let verb = words.first else { throw fail(1, "empty line") }
        func column(of word: Substring) -> Int { line.distance(from: line.startIndex, to: word.startIndex) + 1 }
        func field(_ word: Substring, _ key: String) throws(TraceParseError) -> UInt64 {
            guard word.hasPrefix(key + "="), let v = parseNumber(word.dropFirst(key.count + 1)) else {
                throw fail(column(of: word), "expected \(key)=NUMBER, found '\(word)'")
            }
            return v
        }
        switch verb {
        case "alloc" where words.count == 4 && words[1] == "?" && words[2] == "->":
            guard let p = parseNumber(words[3]) else { throw fail(column(of: words[3]), "expected a pointer, found '\(words[3])'") }
            return .unclaimedAlloc(ptr: p)
        case "alloc":
            guard words.count == 5 || (words.count == 7 && words[5] == "->") else {
                throw fail(1, "expected 'alloc size=S align=A reserved=R gfp=G [-> PTR]'")
            }
            let size = try field(words[1], "size"), align = try field(words[2], "align")
            let reserved = try field(words[3], "reserved"), gfp = try field(words[4], "gfp")
            guard size <= UInt64(Int32.max), align <= UInt64(Int32.max), gfp <= UInt64(UInt32.max) else {
                throw fail(column(of: words[1]), "size, align or gfp out of range")
            }
            var ptr: UInt64?
            if words.count == 7 {
                guard let p = parseNumber(words[6]) else { throw fail(column(of: words[6]), "expected a pointer, found '\(words[6])'") }
                ptr = p
            }
            return .alloc(size: Int(size), align: Int(align), reserved: reserved != 0, gfp: UInt32(gfp), ptr: ptr)
        case "free":
            guard words.count == 2, let p = parseNumber(words[1]) else { throw fail(1, "expected 'free PTR'") }
            return .free(ptr: p)
        case "populated", "depopulated":
            guard words.count == 3 else { throw fail(1, "expected '\(verb) chunk=BASE pages=S-E'") }
            let base = try field(words[1], "chunk")
            let pages = words[2]
            guard pages.hasPrefix("pages="), case let parts = pages.dropFirst(6).split(separator: "-"), parts.count == 2,
                  let s = Int(parts[0]), let e = Int(parts[1]), s >= 0, s <= e else {
                throw fail(column(of: pages), "expected pages=S-E, found '\(pages)'")
            }
            return verb == "populated" ? .populated(base: base, start: s, end: e) : .depopulated(base: base, start: s, end: e)
        case "balance":
            guard words.count == 1 else { throw fail(column(of: words[1]), "'balance' takes no arguments") }
            return .balance
        default:
            let known = ["alloc", "free", "populated", "depopulated", "balance"]
            var message = "unknown event '\(verb)'; expected one of \(known.joined(separator: ", "))"
            if let guess = known.min(by: { editDistance($0, String(verb)) < editDistance($1, String(verb)) }),
               editDistance(guess, String(verb)) <= 2 {
                message += "; did you mean '\(guess)'?"
            }
            throw fail(1, message)
        }
    }

    /// Decimal or 0x-hex.
    static func parseNumber(_ s: Substring) -> UInt64? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt64(s.dropFirst(2), radix: 16) }
        return UInt64(s)
    }
}

/// Levenshtein distance for "did you mean".
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    var row = Array(0 ... y.count)
    for i in 1 ... x.count {
        var previous = row[0]
        row[0] = i
        if y.isEmpty { continue }
        for j in 1 ... y.count {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[y.count]
}

extension PcpuAllocator {
    /// The events in the trace format, one line each. Failed allocations and
    /// chunk creation/destruction, which the format has no line for, are comments.
    public func traceLines() -> [String] {
        var out: [String] = []
        out.reserveCapacity(events.count)
        for event in events {
            switch event {
            case let .alloc(size, align, reserved, gfp, ptr, _, _):
                out.append("alloc size=\(size) align=\(align) reserved=\(reserved ? 1 : 0) gfp=0x\(Printk.hex(UInt64(gfp))) -> 0x\(Printk.hex(ptr))")
            case let .allocFailed(size, align, reserved, gfp, reason):
                out.append("# alloc size=\(size) align=\(align) reserved=\(reserved ? 1 : 0) gfp=0x\(Printk.hex(UInt64(gfp))) failed: \(reason)")
            case let .free(ptr, _, _, _):
                out.append("free 0x\(Printk.hex(ptr))")
            case let .populated(chunk, start, end):
                out.append("populated chunk=0x\(Printk.hex(chunkBases[chunk])) pages=\(start)-\(end)")
            case let .depopulated(chunk, start, end):
                out.append("depopulated chunk=0x\(Printk.hex(chunkBases[chunk])) pages=\(start)-\(end)")
            case .balance:
                out.append("balance")
            case let .createChunk(_, base):
                out.append("# percpu_create_chunk: base_addr=\(Printk.hex(base))")
            case let .destroyChunk(_, base):
                out.append("# percpu_destroy_chunk: base_addr=\(Printk.hex(base))")
            }
        }
        if eventsNotKept > 0 {
            out.append("# \(eventsNotKept) more events not kept (pcpu-boot keeps the first \(eventLimit))")
        }
        return out
    }
}
