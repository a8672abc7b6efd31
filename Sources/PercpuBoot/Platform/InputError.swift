/// An unusable input: a platform file, a flag or a referenced file that cannot
/// be turned into a `Platform`.
///
/// It names where the problem is as precisely as the input allows (file, line,
/// column, the key path inside the YAML document) so that a user can go
/// straight to it, and it reads like a compiler diagnostic:
///
///     arm64.yaml:12:3: error: at 'config.nr-cpuss': unknown key 'nr-cpuss' (expected nr-cpus, ...);
///         did you mean 'nr-cpus'?
///
/// (one line; wrapped here).
///
/// Only *structural* problems are input errors. A firmware description the
/// real kernel would reject (a node id beyond MAX_NUMNODES, a bad distance
/// map, overlapping memory) loads, so that the emulator can print the warning
/// the kernel would.
public struct InputError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file the problem is in, as the user named it (or `<command line>` for flags).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column (counted in Unicode scalars, as libyaml does), when known.
    public var column: Int?
    /// Where in the document, e.g. `firmware.device-tree.memory[2].reg`; nil for the
    /// document as a whole.
    public var keyPath: String?
    /// What is wrong.
    public var message: String
    /// What was expected instead, when there is a short answer.
    public var expected: String?
    /// The closest valid spelling, when the input looks like a typo.
    public var suggestion: String?

    public init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String? = nil,
                message: String, expected: String? = nil, suggestion: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
        self.expected = expected
        self.suggestion = suggestion
    }

    /// `FILE:LINE:COLUMN` (as much of it as is known).
    public var location: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }

    /// One line, clang-like:
    /// `FILE:LINE:COLUMN: error: at 'KEYPATH': MESSAGE (expected EXPECTED); did you mean 'SUGGESTION'?`
    /// Parts that are unknown are left out (`FILE: error: MESSAGE` at the least).
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": error: "
        if let keyPath, !keyPath.isEmpty { text += "at '\(Self.cut(keyPath, to: 120))': " }
        text += Self.cutQuoted(message)
        if let expected { text += " (expected \(Self.cutQuoted(expected)))" }
        if let suggestion { text += "; did you mean '\(Self.cut(suggestion, to: 60))'?" }
        return text
    }

    /// `text` if short, else its start and how long it was: a diagnostic never
    /// echoes a value of millions of characters.
    public static func cut(_ text: some StringProtocol, to limit: Int) -> String {
        guard text.count > limit else { return String(text) }
        return String(text.prefix(limit)) + "... (\(text.count) characters)"
    }

    /// Every `'quoted'` value in `message` cut to 60 characters, and the whole to 400.
    static func cutQuoted(_ message: String) -> String {
        guard message.count > 100 else { return message }
        var out = ""
        var inQuote = false
        for part in message.split(separator: "'", omittingEmptySubsequences: false) {
            if !out.isEmpty || inQuote { out += "'" }
            out += inQuote ? cut(part, to: 60) : String(part)
            inQuote.toggle()
        }
        return cut(out, to: 400)
    }
}

// MARK: - Did you mean

/// The candidate closest to `word`, when it is close enough to be a plausible
/// typo, otherwise nil.
///
/// Closeness is the optimal-string-alignment (Damerau–Levenshtein) distance,
/// computed both on the words as written and on a normalized form (lowercased,
/// without `-` and `_`), so `nr_cpus` and `nrCpus` both find `nr-cpus`. A
/// candidate qualifies when its distance is at most 1 for words of up to 4
/// characters, else at most 2 or a third of the word's length; ties go to the
/// earlier candidate. A candidate that the word extends, or that extends the
/// word, by a stem of at least 4 characters (`hotpluggable` → `hotplug`) also
/// qualifies.
public func didYouMean(_ word: String, among candidates: [String]) -> String? {
    guard !word.isEmpty else { return nil }
    let normalizedWord = normalizedForComparison(word)
    let allowed = word.count <= 4 ? 1 : max(2, word.count / 3)
    var best: (candidate: String, distance: Int)?
    for candidate in candidates where candidate != word {
        let normalizedCandidate = normalizedForComparison(candidate)
        var distance = min(editDistance(word, candidate), editDistance(normalizedWord, normalizedCandidate))
        // "hotpluggable" for "hotplug", "srat" for "srat-revision": one word extends the other.
        let (shorter, longer) = normalizedWord.count < normalizedCandidate.count
            ? (normalizedWord, normalizedCandidate) : (normalizedCandidate, normalizedWord)
        if shorter.count >= 4, longer.hasPrefix(shorter) { distance = min(distance, allowed) }
        if best == nil || distance < best!.distance {
            best = (candidate, distance)
        }
    }
    guard let best else { return nil }
    return best.distance <= allowed ? best.candidate : nil
}

/// Lowercased, without the separators people mix up (`-`, `_`).
private func normalizedForComparison(_ word: String) -> String {
    String(word.lowercased().filter { $0 != "-" && $0 != "_" })
}

/// Optimal string alignment distance: insertions, deletions, substitutions and
/// transpositions of adjacent characters each cost 1.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    // Three rolling rows: i-2, i-1, i.
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, previous2[j - 2] + 1)
            }
            current[j] = value
        }
        (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
}

/// "a, b or c", for `expected` texts.
func listing(_ items: [String], conjunction: String = "or") -> String {
    switch items.count {
    case 0: return ""
    case 1: return items[0]
    default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
    }
}
