/// Writes JSON through a `ReportSink` as it goes, in exactly the layout of
/// Foundation's `JSONEncoder` with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]`: two-space indents, `"key" : value`, an empty
/// container as `[`, a blank line, `]`. Keys are written in the order given:
/// callers give them sorted (a test compares the result with `JSONEncoder`'s).
///
/// Not generic, and byte-oriented: text collects as UTF-8 in a byte buffer
/// (numbers written digit by digit) and goes to the sink in 64 KiB pieces.
struct JSONStreamWriter {
    /// Where the pieces go.
    var sink: any ReportSink
    private var buffer: [UInt8] = []
    private static let chunk = 1 << 16

    init(_ sink: any ReportSink) {
        self.sink = sink
        buffer.reserveCapacity(Self.chunk + 4096)
    }

    private mutating func emit(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= Self.chunk { try flush() }
    }

    /// A number's decimal digits, without making a String.
    private mutating func emit(_ value: UInt64) throws {
        var n = value, count = 0
        repeat { count += 1; n /= 10 } while n > 0
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0x30, count: count))
        n = value
        var i = start + count - 1
        repeat {
            buffer[i] = UInt8(truncatingIfNeeded: n % 10) &+ 0x30
            n /= 10
            i -= 1
        } while n > 0
        if buffer.count >= Self.chunk { try flush() }
    }

    private mutating func emit(_ value: Int) throws {
        if value < 0 { buffer.append(0x2d) }
        try emit(UInt64(value.magnitude))
    }

    private mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink.write(String(decoding: buffer, as: UTF8.self))
        buffer.removeAll(keepingCapacity: true)
    }

    /// One entry per open container: whether it has had a member yet.
    private var open: [Bool] = []

    /// Before a member or element: `,` after the first, a newline and the indent.
    private mutating func next() throws {
        let depth = open.count
        guard depth > 0 else { return }
        if open[depth - 1] { buffer.append(0x2c) }
        buffer.append(0x0a)
        indent(depth)
        open[depth - 1] = true
        if buffer.count >= Self.chunk { try flush() }
    }

    /// Two spaces a level, copied from a run of spaces (a memcpy, not a loop).
    private mutating func indent(_ depth: Int) {
        var n = 2 * depth
        while n > 0 {
            let k = min(n, Self.spaces.count)
            buffer.append(contentsOf: Self.spaces[..<k])
            n -= k
        }
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 64)

    private mutating func begin(_ bracket: UInt8) throws {
        buffer.append(bracket)
        open.append(false)
    }

    private mutating func end(_ bracket: UInt8) throws {
        let hadMembers = open.removeLast()
        buffer.append(0x0a)
        if !hadMembers { buffer.append(0x0a) }
        indent(open.count)
        buffer.append(bracket)
        if buffer.count >= Self.chunk { try flush() }
    }

    // MARK: - Containers

    mutating func object(_ body: (inout Self) throws -> Void) throws {
        try begin(0x7b)
        try body(&self)
        try end(0x7d)
    }

    mutating func array(_ body: (inout Self) throws -> Void) throws {
        try begin(0x5b)
        try body(&self)
        try end(0x5d)
    }

    /// A member's key; the value follows with `value`, `object` or `array`.
    mutating func key(_ name: String) throws {
        try next()
        buffer.append(0x22)
        buffer.append(contentsOf: name.utf8)
        buffer.append(contentsOf: [0x22, 0x20, 0x3a, 0x20] as [UInt8])   // `" : `
    }

    /// A string value: written as is when nothing in it needs escaping.
    private mutating func emitString(_ s: String) throws {
        if s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }) {
            try emit(Self.quoted(s))
        } else {
            buffer.append(0x22)
            buffer.append(contentsOf: s.utf8)
            buffer.append(0x22)
            if buffer.count >= Self.chunk { try flush() }
        }
    }

    /// `"0x…"`: an address as a hex string (`Printk.hexAlt`), digit by digit.
    private mutating func emitHex(_ value: UInt64) throws {
        buffer.append(contentsOf: [0x22, 0x30, 0x78] as [UInt8])   // `"0x`
        let digits = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        for k in stride(from: digits - 1, through: 0, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(4 * k)) & 0xf
            buffer.append(nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble)
        }
        buffer.append(0x22)
        if buffer.count >= Self.chunk { try flush() }
    }

    mutating func member(_ name: String, hex value: UInt64) throws { try key(name); try emitHex(value) }
    mutating func member(_ name: String, ifPresentHex value: UInt64?) throws { if let value { try member(name, hex: value) } }

    /// Before an array element written with `object` or `array`.
    mutating func element() throws { try next() }

    // MARK: - Scalars (as members or elements)

    mutating func member(_ name: String, _ value: String) throws { try key(name); try emitString(value) }
    mutating func member(_ name: String, _ value: Int) throws { try key(name); try emit(value) }
    mutating func member(_ name: String, _ value: UInt64) throws { try key(name); try emit(value) }
    mutating func member(_ name: String, _ value: UInt32) throws { try key(name); try emit(UInt64(value)) }
    mutating func member(_ name: String, _ value: Bool) throws { try key(name); try emit(value ? "true" : "false") }
    /// An optional member is left out when nil, as `encodeIfPresent` does.
    mutating func member(_ name: String, ifPresent value: String?) throws { if let value { try member(name, value) } }
    mutating func member(_ name: String, ifPresent value: Int?) throws { if let value { try member(name, value) } }
    mutating func member(_ name: String, ifPresent value: Bool?) throws { if let value { try member(name, value) } }

    mutating func element(_ value: String) throws { try next(); try emitString(value) }
    mutating func element(_ value: Int?) throws {
        try next()
        if let value { try emit(value) } else { try emit("null") }
    }

    mutating func member(_ name: String, strings: [String]) throws {
        try key(name)
        try array { w in for s in strings { try w.element(s) } }
    }

    mutating func member(_ name: String, numbers: [Int]) throws {
        try key(name)
        try array { w in try w.elements(ints: numbers) }
    }

    /// Integer elements of the open array, as `element(_:)` writes them one by one,
    /// but composed in a stack scratch area and copied to the buffer a few KiB at a
    /// time: a 1024-node distance matrix is a million of them, and appending each
    /// separator and digit to the buffer (a uniqueness check, a retain of the
    /// separator) was a third of a JSON report's time.
    mutating func elements(ints values: [Int]) throws {
        let depth = open.count
        guard depth > 0, !values.isEmpty else { return }
        let indentWidth = 2 * depth
        // `,` `\n`, the indent, a sign and up to 19 digits.
        let widest = 2 + indentWidth + 20
        let scratchSize = 4096
        guard widest <= scratchSize else {
            for value in values { try element(value) }
            return
        }
        var opened = open[depth - 1]
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scratchSize) { scratch in
            var n = 0
            for value in values {
                if n + widest > scratchSize {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<n]))
                    n = 0
                    if buffer.count >= Self.chunk { try flush() }
                }
                if opened { scratch[n] = 0x2c; n += 1 }
                opened = true
                scratch[n] = 0x0a; n += 1
                for _ in 0..<indentWidth { scratch[n] = 0x20; n += 1 }
                if value < 0 { scratch[n] = 0x2d; n += 1 }
                // The digits, least significant first, then reversed in place.
                var m = value.magnitude, first = n
                repeat { scratch[n] = UInt8(truncatingIfNeeded: m % 10) &+ 0x30; m /= 10; n += 1 } while m > 0
                var last = n - 1
                while first < last { scratch.swapAt(first, last); first += 1; last -= 1 }
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<n]))
        }
        open[depth - 1] = true
        if buffer.count >= Self.chunk { try flush() }
    }

    /// Ends the document with the trailing newline and passes everything on.
    mutating func finish() throws {
        try emit("\n")
        try flush()
    }

    /// A JSON string literal as `JSONEncoder` writes it: `"` and `\` escaped,
    /// \b \f \n \r \t by name, other control characters as \u00xx, `/` and
    /// everything else (DEL, non-ASCII) as is.
    static func quoted(_ s: String) -> String {
        var needsEscape = false
        for byte in s.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5c { needsEscape = true; break }
        guard needsEscape else { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

