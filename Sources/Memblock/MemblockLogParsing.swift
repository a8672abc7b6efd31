import KernelSupport

// Reading memblock=debug output back: console prefixes, trace lines, the configuration dump.
// Pure string work without Foundation; nothing here can trap on odd input.

/// A problem in a kernel log, located by file and 1-based line.
public struct MemblockLogError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// A cursor over one line.
struct LineScanner {
    var rest: Substring

    init(_ s: Substring) { rest = s }

    var isAtEnd: Bool { rest.isEmpty }

    /// Consume `literal` if the line continues with it.
    mutating func take(_ literal: String) -> Bool {
        guard rest.hasPrefix(literal) else { return false }
        rest = rest.dropFirst(literal.count)
        return true
    }

    mutating func skipSpaces() {
        while let c = rest.first, c == " " || c == "\t" { rest = rest.dropFirst() }
    }

    /// Characters up to (not including) the next space or tab.
    mutating func token() -> Substring {
        let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
        let t = rest[rest.startIndex ..< end]
        rest = rest[end...]
        return t
    }

    /// `0x` + hex digits (what %pa, %#x and "0x%llx" print). nil if absent or over 64 bits.
    mutating func hex() -> UInt64? {
        guard rest.hasPrefix("0x") else { return nil }
        let digits = rest.dropFirst(2).prefix(while: { $0.isHexDigit })
        guard !digits.isEmpty, let v = UInt64(digits, radix: 16) else { return nil }
        rest = rest.dropFirst(2 + digits.count)
        return v
    }

    /// Bare hex digits (`%x`).
    mutating func bareHex() -> UInt64? {
        let digits = rest.prefix(while: { $0.isHexDigit })
        guard !digits.isEmpty, let v = UInt64(digits, radix: 16) else { return nil }
        rest = rest.dropFirst(digits.count)
        return v
    }

    /// An unsigned decimal (`%llu`).
    mutating func decimal() -> UInt64? {
        let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, let v = UInt64(digits) else { return nil }
        rest = rest.dropFirst(digits.count)
        return v
    }

    /// A signed decimal (`%d`).
    mutating func signed() -> Int? {
        let negative = take("-")
        guard let v = decimal(), v <= UInt64(Int.max) else { return nil }
        return negative ? -Int(v) : Int(v)
    }
}

enum MemblockLogText {
    /// Split a log into lines at LF (a CRLF stays one line break: `\r\n` is a single Character,
    /// so the split works on Unicode scalars; the CR is dropped by `message`).
    static func lines(_ text: String) -> [Substring] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// The text the kernel printed, without an optional `<level>` and the `[    0.000000] `
    /// timestamp (or `[    0.000000][    T0] ` with caller ids), and without a trailing CR.
    static func message(_ raw: Substring) -> Substring {
        var s = raw
        if s.last == "\r" { s = s.dropLast() }
        if s.first == "<", let close = s.firstIndex(of: ">"),
           s[s.index(after: s.startIndex) ..< close].allSatisfy({ $0.isASCII && $0.isNumber }) {
            s = s[s.index(after: close)...]
        }
        while s.first == "[", let close = s.firstIndex(of: "]"),
              s[s.index(after: s.startIndex) ..< close].allSatisfy({ $0 == " " || $0 == "." || $0 == "T" || $0 == "C" || ($0.isASCII && $0.isNumber) }) {
            s = s[s.index(after: close)...]
            if s.first == " " { s = s.dropFirst() }
        }
        return s
    }

    /// `%pS` → the symbol: `pcpu_fc_alloc+0x120/0x19c` → `pcpu_fc_alloc`.
    static func symbol(_ caller: Substring) -> String {
        if let plus = caller.firstIndex(of: "+") { return String(caller[..<plus]) }
        return String(caller)
    }
}

/// One memblock=debug trace line.
enum MemblockTrace: Equatable {
    /// `memblock_alloc_try_nid…`/`memblock_phys_alloc_range`: size, align, nid (nil for phys_alloc_range), from, max.
    case alloc(MemblockAllocFunction, size: UInt64, align: UInt64, nid: Int?, from: UInt64, max: UInt64, caller: String)
    /// `memblock_add/remove/reserve/phys_free/free/add_node: [base-end] …`.
    case range(String, base: UInt64, end: UInt64, nid: Int?, flags: UInt64?, caller: String)
    /// `memblock: %s is doubled to %ld at [%pa-%pa]`.
    case doubled(MemblockTypeName, newMax: Int, base: UInt64, end: UInt64)

    static let rangeFunctions: Set<String> = ["memblock_add", "memblock_add_node", "memblock_remove", "memblock_reserve",
                                              "memblock_phys_free", "memblock_free", "memblock_physmem_add",
                                              "memblock_free_late", "__memblock_reserve"]

    /// The function name if `text` looks like any memblock trace (`memblock_xxx: …` or `memblock: … doubled`).
    static func functionName(_ text: Substring) -> Substring? {
        guard text.hasPrefix("memblock") || text.hasPrefix("__memblock_reserve:"),
              let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon]
        guard name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else { return nil }
        if name == "memblock" { return text.contains(" is doubled to ") ? name : nil }
        let known = MemblockAllocFunction(rawValue: String(name)) != nil || rangeFunctions.contains(String(name))
        return known ? name : nil
    }

    /// The last token of a trace line with its offsets stripped (lenient; for finding pcpu_ callers).
    static func callerSymbol(_ text: Substring) -> String? {
        guard functionName(text) != nil, text.hasPrefix("memblock_") else { return nil }
        guard let space = text.lastIndex(of: " ") else { return nil }
        return MemblockLogText.symbol(text[text.index(after: space)...])
    }

    /// Parse a trace line strictly. nil: not a memblock trace; throws: one, but malformed.
    static func parse(_ text: Substring, file: String, line: Int) throws(MemblockLogError) -> MemblockTrace? {
        guard let name = functionName(text) else { return nil }
        func bad(_ what: String) -> MemblockLogError {
            MemblockLogError(file: file, line: line, message: "malformed \(name) trace line, expected \(what): \(text)")
        }
        var sc = LineScanner(text[text.index(after: name.endIndex)...])
        guard sc.take(" ") else { throw bad("': ' after the function name") }

        if name == "memblock" {
            let type: MemblockTypeName
            if sc.take("memory is doubled to ") {
                type = .memory
            } else if sc.take("reserved is doubled to ") {
                type = .reserved
            } else {
                throw bad("'memory' or 'reserved' then ' is doubled to '")
            }
            guard let newMax = sc.decimal(), newMax >= 2, newMax <= 1 << 40, sc.take(" at ["), let base = sc.hex(),
                  sc.take("-"), let end = sc.hex(), sc.take("]") else { throw bad("'%ld at [%pa-%pa]' with a plausible count") }
            return .doubled(type, newMax: Int(newMax), base: base, end: end)
        }

        if let fn = MemblockAllocFunction(rawValue: String(name)) {
            guard let size = sc.decimal(), sc.take(" bytes align="), let align = sc.hex() else {
                throw bad("'%llu bytes align=0x%llx'")
            }
            var nid: Int?
            if fn != .physAllocRange {
                guard sc.take(" nid="), let n = sc.signed() else { throw bad("' nid=%d'") }
                nid = n
            }
            guard sc.take(" from="), let from = sc.hex(), sc.take(" max_addr="), let max = sc.hex(),
                  sc.take(" ") else { throw bad("' from=%pa max_addr=%pa '") }
            let caller = sc.token()
            guard !caller.isEmpty else { throw bad("a caller after max_addr") }
            return .alloc(fn, size: size, align: align, nid: nid, from: from, max: max, caller: MemblockLogText.symbol(caller))
        }

        guard sc.take("["), let base = sc.hex(), sc.take("-"), let end = sc.hex(), sc.take("]") else {
            throw bad("'[%pa-%pa]'")
        }
        var nid: Int?, flags: UInt64?
        if name == "memblock_add_node" || name == "__memblock_reserve" {
            guard sc.take(" nid="), let n = sc.signed(), sc.take(" flags="), let f = sc.bareHex() else {
                throw bad("' nid=%d flags=%x'")
            }
            nid = n
            flags = f
        }
        guard sc.take(" ") else { throw bad("a caller after the range") }
        let caller = sc.token()
        guard !caller.isEmpty else { throw bad("a caller after the range") }
        return .range(String(name), base: base, end: end, nid: nid, flags: flags, caller: MemblockLogText.symbol(caller))
    }

    /// The line as this emulator prints it (callers without offsets), for comparing side effects.
    var normalizedText: String {
        switch self {
        case let .alloc(fn, size, align, nid, from, max, caller):
            let n = nid.map { " nid=\($0)" } ?? ""
            return "\(fn.rawValue): \(size) bytes align=0x\(Printk.hex(align))\(n) from=\(Printk.pa(from)) max_addr=\(Printk.pa(max)) \(caller)"
        case let .range(name, base, end, nid, flags, caller):
            let extra = name == "memblock_add_node" || name == "__memblock_reserve"
                ? " nid=\(nid ?? 0) flags=\(Printk.hex(flags ?? 0))" : ""
            return "\(name): [\(Printk.pa(base))-\(Printk.pa(end))]\(extra) \(caller)"
        case let .doubled(type, newMax, base, end):
            return "memblock: \(type.name) is doubled to \(newMax) at [\(Printk.pa(base))-\(Printk.pa(end))]"
        }
    }
}
