/// Writes JSON through a `ReportSink` as it goes, in exactly the layout of
/// Foundation's `JSONEncoder` with `[.prettyPrinted, .sortedKeys,
/// .withoutEscapingSlashes]`: two-space indents, `"key" : value`, an empty
/// container as `[`, a blank line, `]`. Keys are written in the order given:
/// callers give them sorted (a test compares the result with `JSONEncoder`'s).
struct JSONStreamWriter<Sink: ReportSink> {
    var sink: BufferedSink<Sink>
    /// One entry per open container: whether it has had a member yet.
    private var open: [Bool] = []
    private var line = ""

    init(_ sink: Sink) { self.sink = BufferedSink(sink) }

    private var indent: String { String(repeating: " ", count: 2 * open.count) }

    /// Before a member or element: the separator and the indent.
    private mutating func next() throws {
        guard !open.isEmpty else { return }
        try sink.write(open[open.count - 1] ? ",\n" : "\n")
        open[open.count - 1] = true
        try sink.write(indent)
    }

    private mutating func begin(_ bracket: String) throws {
        try sink.write(bracket)
        open.append(false)
    }

    private mutating func end(_ bracket: String) throws {
        let hadMembers = open.removeLast()
        try sink.write(hadMembers ? "\n" : "\n\n")
        try sink.write(indent + bracket)
    }

    // MARK: - Containers

    mutating func object(_ body: (inout Self) throws -> Void) throws {
        try begin("{")
        try body(&self)
        try end("}")
    }

    mutating func array(_ body: (inout Self) throws -> Void) throws {
        try begin("[")
        try body(&self)
        try end("]")
    }

    /// A member's key; the value follows with `value`, `object` or `array`.
    mutating func key(_ name: String) throws {
        try next()
        try sink.write("\"" + name + "\" : ")
    }

    /// Before an array element written with `object` or `array`.
    mutating func element() throws { try next() }

    // MARK: - Scalars (as members or elements)

    mutating func member(_ name: String, _ value: String) throws { try key(name); try sink.write(Self.quoted(value)) }
    mutating func member<T: BinaryInteger>(_ name: String, _ value: T) throws { try key(name); try sink.write("\(value)") }
    mutating func member(_ name: String, _ value: Bool) throws { try key(name); try sink.write(value ? "true" : "false") }
    /// An optional member is left out when nil, as `encodeIfPresent` does.
    mutating func member(_ name: String, ifPresent value: String?) throws { if let value { try member(name, value) } }
    mutating func member<T: BinaryInteger>(_ name: String, ifPresent value: T?) throws { if let value { try member(name, value) } }
    mutating func member(_ name: String, ifPresent value: Bool?) throws { if let value { try member(name, value) } }

    mutating func element(_ value: String) throws { try next(); try sink.write(Self.quoted(value)) }
    mutating func element<T: BinaryInteger>(_ value: T?) throws { try next(); try sink.write(value.map { "\($0)" } ?? "null") }

    mutating func member(_ name: String, strings: [String]) throws {
        try key(name)
        try array { w in for s in strings { try w.element(s) } }
    }

    mutating func member<T: BinaryInteger>(_ name: String, numbers: [T]) throws {
        try key(name)
        try array { w in for n in numbers { try w.element(n) } }
    }

    /// Ends the document with the trailing newline and passes everything on.
    mutating func finish() throws {
        try sink.write("\n")
        try sink.flush()
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
