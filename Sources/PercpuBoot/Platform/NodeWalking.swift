import Yams

/// One node of the document together with where it is: the file, the key path
/// and (through the node's mark) the line and column. Every schema check reads
/// values through a `Field`, so every error it raises is located.
struct Field {
    let node: Node
    /// Key path from the root, e.g. `firmware.acpi.processors[3].pxm`; "" for the root.
    let path: String
    let file: String

    /// The value under `key` of this (mapping) field.
    func child(_ node: Node, key: String) -> Field {
        Field(node: node, path: join(path, key), file: file)
    }

    /// The `index`th element of this (sequence) field.
    func element(_ node: Node, index: Int) -> Field {
        Field(node: node, path: "\(path)[\(index)]", file: file)
    }

    /// An error located at this node.
    func error(_ message: String, expected: String? = nil, suggestion: String? = nil) -> InputError {
        InputError(file: file, line: node.mark?.line, column: node.mark?.column,
                   keyPath: path.isEmpty ? nil : path, message: message, expected: expected, suggestion: suggestion)
    }

    /// The "got …" error for a value of the wrong type.
    func typeError(expected: String) -> InputError {
        error("got \(kindDescription)", expected: expected)
    }

    // MARK: - What the node is

    /// `nothing`, `a mapping`, `a list`, or the scalar quoted: for "got …" messages.
    var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar): return isNull ? "nothing (null)" : "'\(scalar.string)'"
        }
    }

    /// An empty plain scalar, `~` or `null`: YAML's way of writing "no value".
    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        if scalar.tag.rawValue == Tag.Name.null.rawValue { return true }
        guard isPlain(scalar) else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A plain (unquoted, untagged) scalar's text: what a YAML reader would
    /// resolve to a number, a boolean or null.
    var plainText: String? {
        guard case .scalar(let scalar) = node, isPlain(scalar) else { return nil }
        return scalar.string
    }

    /// Unquoted: its type comes from its text. (Tags are not resolved — see
    /// YAMLDocument — so an unquoted scalar with an explicit `!!str` tag counts as plain too.)
    private func isPlain(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain || scalar.style == .any
    }

    // MARK: - Typed values

    /// A mapping with exactly the keys allowed here; null reads as an empty mapping.
    /// `elsewhere` names, for keys that belong at another level, where they belong.
    func mapping(keys: [String], expected: String? = nil,
                 elsewhere: [String: String] = [:]) throws(InputError) -> Fields {
        if isNull { return Fields(container: self, entries: []) }
        guard case .mapping(let mapping) = node else {
            throw typeError(expected: expected ?? "a mapping with keys \(listing(keys))")
        }
        var entries: [Fields.Entry] = []
        for (keyNode, value) in mapping {
            let keyField = Field(node: keyNode, path: path, file: file)
            guard case .scalar(let scalar) = keyNode else {
                throw keyField.error("a key must be a word, got \(keyField.kindDescription)",
                                     expected: listing(keys))
            }
            let name = scalar.string
            let located = Field(node: keyNode, path: join(path, name), file: file)
            if let previous = entries.first(where: { $0.name == name }) {
                let mark = previous.key.node.mark
                let first = mark.map { " (first at line \($0.line), column \($0.column))" } ?? ""
                throw located.error("duplicate key '\(name)'\(first)")
            }
            guard keys.contains(name) else {
                var message = "unknown key '\(name)'"
                if let home = elsewhere[name] { message += " here; it belongs under '\(home)'" }
                if name == "<<" { message = "merge keys ('<<') are not supported; write the keys out" }
                throw located.error(message, expected: listing(keys),
                                    suggestion: elsewhere[name] == nil ? didYouMean(name, among: keys) : nil)
            }
            entries.append(Fields.Entry(name: name, key: located, value: child(value, key: name)))
        }
        return Fields(container: self, entries: entries)
    }

    /// The elements of a list; null reads as an empty list. An empty item
    /// (`- ` with nothing after it) is an error: no list of the schema has a
    /// use for one, and it is usually an unfinished edit.
    func sequence(expected: String) throws(InputError) -> [Field] {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else { throw typeError(expected: expected) }
        let elements = sequence.enumerated().map { element($1, index: $0) }
        if let empty = elements.first(where: \.isNull) {
            throw empty.error("empty list item", expected: expected)
        }
        return elements
    }

    /// A scalar's text (numbers and booleans too, as written); null reads as "".
    func string() throws(InputError) -> String {
        if isNull { return "" }
        guard case .scalar(let scalar) = node else { throw typeError(expected: "a string") }
        return scalar.string
    }

    /// A non-negative number in the platform-file syntax (see `NumberSyntax`).
    func number(expected: String = "an integer or size like 4K") throws(InputError) -> UInt64 {
        guard case .scalar(let scalar) = node, !isNull else { throw typeError(expected: expected) }
        switch NumberSyntax.parse(scalar.string) {
        case .success(let value): return value
        case .failure(let failure): throw error(failure.message(for: scalar.string), expected: expected)
        }
    }

    /// A number that must lie in `range`.
    func integer(in range: ClosedRange<UInt64>, expected: String? = nil) throws(InputError) -> UInt64 {
        let expected = expected ?? "an integer from \(range.lowerBound) to \(range.upperBound)"
        let value = try number(expected: expected)
        guard range.contains(value) else { throw error("\(value) is out of range", expected: expected) }
        return value
    }

    /// A number that must lie in `range`, as an `Int`.
    func int(in range: ClosedRange<Int>, expected: String? = nil) throws(InputError) -> Int {
        Int(try integer(in: UInt64(range.lowerBound)...UInt64(range.upperBound), expected: expected))
    }

    /// A 32-bit cell (a device-tree `u32`, an SRAT proximity domain).
    func u32(_ what: String = "a 32-bit integer") throws(InputError) -> UInt32 {
        let value = try number(expected: what)
        guard let cell = UInt32(exactly: value) else {
            throw error("\(value) does not fit 32 bits", expected: what)
        }
        return cell
    }

    /// `true` or `false` (YAML 1.2 core spellings).
    func bool() throws(InputError) -> Bool {
        let expected = "true or false"
        guard case .scalar(let scalar) = node, !isNull else { throw typeError(expected: expected) }
        switch scalar.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            let word = scalar.string.lowercased()
            let suggestion: String? = ["yes", "on", "y", "1", "enabled"].contains(word) ? "true"
                : ["no", "off", "n", "0", "disabled"].contains(word) ? "false" : nil
            throw error("'\(scalar.string)' is not a boolean", expected: expected, suggestion: suggestion)
        }
    }
}

/// The entries of a mapping whose keys have been checked, by name.
struct Fields {
    struct Entry {
        let name: String
        /// The key node (for positions), with the entry's key path.
        let key: Field
        let value: Field
    }

    let container: Field
    let entries: [Entry]

    /// The value of `name`; nil when the key is absent or its value is null
    /// (an optional key with no value means "use the default").
    subscript(_ name: String) -> Field? {
        guard let entry = entries.first(where: { $0.name == name }), !entry.value.isNull else { return nil }
        return entry.value
    }

    /// Whether `name` is written at all (even with no value).
    func has(_ name: String) -> Bool {
        entries.contains { $0.name == name }
    }

    /// The key node of `name`, for errors about the key rather than its value.
    func key(_ name: String) -> Field? {
        entries.first { $0.name == name }?.key
    }

    /// The value of a key that must be there, with a value.
    func required(_ name: String, expected: String) throws(InputError) -> Field {
        if let value = self[name] { return value }
        throw absent(name, expected: expected)
    }

    /// The error for a required key without a value: "has no value" at the key
    /// when it is written with none, "missing key" otherwise.
    func absent(_ name: String, expected: String) -> InputError {
        if let entry = entries.first(where: { $0.name == name }) {
            return entry.key.error("'\(name)' has no value", expected: expected)
        }
        return missing(name, expected: expected)
    }

    /// The error for a required key that is absent: located at the mapping that
    /// lacks it, except at the root, where the whole file lacks it.
    func missing(_ name: String, expected: String?) -> InputError {
        let atRoot = container.path.isEmpty
        return InputError(file: container.file,
                          line: atRoot ? nil : container.node.mark?.line,
                          column: atRoot ? nil : container.node.mark?.column,
                          keyPath: join(container.path, name), message: "missing key '\(name)'", expected: expected)
    }
}
