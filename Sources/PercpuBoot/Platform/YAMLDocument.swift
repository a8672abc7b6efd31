import Yams

/// Turns the text of a platform file into a YAML node tree, converting every
/// Yams failure into an `InputError` that names the file, line and column.
///
/// Tags are not resolved from the scalars' text (`Resolver.basic`): Yams' default
/// resolver compiles a dozen NSRegularExpressions on first use, most of a small
/// platform's start-up, and the loader reads every value from its text anyway
/// (NumberSyntax, `bool()`, `isNull` after YAML 1.2's core schema).
///
/// Beyond what Yams reports, it
/// - refuses absurdly deep nesting before Yams' recursive composer could
///   exhaust the stack (no input may crash the tool);
/// - reports a duplicate key at its *second* occurrence with the key path of the
///   mapping it is in (Yams only gives the first occurrence's position).
enum YAMLDocument {
    /// Deeper than any platform file needs (they nest 6 levels), far below what
    /// the recursive composer can take.
    static let maximumNesting = 200

    /// The loader only composes nodes and never constructs Swift values from them:
    /// Yams' default constructor would build its type tables for nothing.
    nonisolated(unsafe) static let noConstructor = Constructor([:], [:], [:])

    /// The document's root node; nil for a file with no document (empty, or
    /// comments only).
    static func compose(_ text: String, file: String) throws(InputError) -> Node? {
        if let (line, depth) = excessiveNesting(in: text) {
            throw InputError(file: file, line: line, column: nil, message: "YAML nested \(depth) levels deep",
                             expected: "at most \(maximumNesting) levels")
        }
        do {
            return try Yams.compose(yaml: text, .basic, Self.noConstructor, .utf8)
        } catch let error as YamlError {
            throw convert(error, text: text, file: file)
        } catch {
            throw InputError(file: file, message: "invalid YAML: \(error)")
        }
    }

    // MARK: - Yams errors

    private static func convert(_ error: YamlError, text: String, file: String) -> InputError {
        func syntax(_ problem: String, _ mark: Mark, _ context: YamlError.Context?) -> InputError {
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return InputError(file: file, line: mark.line, column: mark.column, message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _):
            return syntax(problem, mark, context)
        case .parser(let context, let problem, let mark, _):
            return syntax(problem, mark, context)
        case .composer(let context, let problem, let mark, _):
            return syntax(problem, mark, context)
        case let .reader(problem, offset, _, _):
            let place = offset.map { position(ofCharacterOffset: $0, in: text) }
            return InputError(file: file, line: place?.line, column: place?.column,
                              message: "unreadable text: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return duplicateKeyError(key: duplicates.first ?? "?", first: context.mark, text: text, file: file)
        default:
            return InputError(file: file, message: "invalid YAML: \(error)")
        }
    }

    /// Line and column (1-based, columns in Unicode scalars) of a Character offset.
    private static func position(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for character in text.prefix(max(0, offset)) {
            if character == "\n" || character == "\r\n" || character == "\r" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }

    // MARK: - Duplicate keys

    /// Yams stops at a duplicate key with only the first occurrence's mark. To
    /// point at the second occurrence and name the key path, rename the first
    /// occurrence in a copy of the text, compose the copy and find the marked key.
    private static func duplicateKeyError(key: String, first: Mark, text: String, file: String) -> InputError {
        let fallback = InputError(file: file, line: first.line, column: first.column,
                                  message: "duplicate key '\(key)'")
        let marker = "pcpu-boot-duplicate-of-"
        guard let start = scalarIndex(line: first.line, column: first.column, in: text) else { return fallback }
        let view = text.unicodeScalars
        var insertion = start
        var insertionColumn = first.column
        if start < view.endIndex, view[start] == "\"" || view[start] == "'" {
            insertion = view.index(after: start)
            insertionColumn += 1
        }
        var copy = String.UnicodeScalarView(view[..<insertion])
        copy.append(contentsOf: marker.unicodeScalars)
        copy.append(contentsOf: view[insertion...])
        guard let root = try? Yams.compose(yaml: String(copy), .basic, Self.noConstructor, .utf8) else { return fallback }
        var budget = 100_000
        guard let (path, second) = findDuplicate(of: key, marked: marker + key, in: root, path: "",
                                                 budget: &budget),
              let line = second.mark?.line, var column = second.mark?.column else { return fallback }
        if line == first.line, column > insertionColumn { column -= marker.unicodeScalars.count }
        return InputError(file: file, line: line, column: column, keyPath: join(path, key),
                          message: "duplicate key '\(key)' (first at line \(first.line), column \(first.column))")
    }

    /// The mapping (by key path) holding both `marked` and `key`, and the node of `key`.
    private static func findDuplicate(of key: String, marked: String, in node: Node, path: String,
                                      budget: inout Int) -> (String, Node)? {
        budget -= 1
        guard budget > 0 else { return nil }
        switch node {
        case .mapping(let mapping):
            if mapping.keys.contains(where: { $0.scalar?.string == marked }),
               let twin = mapping.keys.first(where: { $0.scalar?.string == key }) {
                return (path, twin)
            }
            for (keyNode, value) in mapping {
                let name = keyNode.scalar?.string ?? "?"
                if let found = findDuplicate(of: key, marked: marked, in: value, path: join(path, name),
                                             budget: &budget) {
                    return found
                }
            }
        case .sequence(let sequence):
            for (index, element) in sequence.enumerated() {
                if let found = findDuplicate(of: key, marked: marked, in: element, path: "\(path)[\(index)]",
                                             budget: &budget) {
                    return found
                }
            }
        default:
            break
        }
        return nil
    }

    /// The Unicode-scalar index of a 1-based line and column.
    private static func scalarIndex(line: Int, column: Int, in text: String) -> String.UnicodeScalarView.Index? {
        guard line >= 1, column >= 1 else { return nil }
        let view = text.unicodeScalars
        var index = view.startIndex
        var currentLine = 1
        while currentLine < line {
            guard index < view.endIndex else { return nil }
            let scalar = view[index]
            index = view.index(after: index)
            if scalar == "\n" {
                currentLine += 1
            } else if scalar == "\r" {
                if index < view.endIndex, view[index] == "\n" { index = view.index(after: index) }
                currentLine += 1
            }
        }
        return view.index(index, offsetBy: column - 1, limitedBy: view.endIndex)
    }

    // MARK: - Nesting guard

    /// The first line where the document could nest deeper than
    /// `maximumNesting`, and that bound. The estimate never undercounts: flow
    /// nesting is at most the number of unclosed brackets, block nesting at most
    /// the width of a line's indentation and `-`/`?`/`:` indicators.
    private static func excessiveNesting(in text: String) -> (line: Int, depth: Int)? {
        var flowDepth = 0
        var line = 1
        var atLineStart = true
        var indentation = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r":
                line += scalar == "\n" ? 1 : 0
                atLineStart = true
                indentation = 0
                continue
            case "[", "{": flowDepth += 1
            case "]", "}": flowDepth = max(0, flowDepth - 1)
            default: break
            }
            if atLineStart {
                if scalar == " " || scalar == "\t" || scalar == "-" || scalar == "?" || scalar == ":" {
                    indentation += 1
                } else {
                    atLineStart = false
                }
            }
            let depth = flowDepth + indentation
            if depth > maximumNesting { return (line, depth) }
        }
        return nil
    }
}

/// `a.b`, or `b` at the root.
func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}
