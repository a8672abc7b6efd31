/// The one number syntax of platform files and command-line flags.
///
/// Addresses and sizes are what platform files are made of, so numbers are
/// written the way kernel engineers write them: `87272`, `0x4000_0000`,
/// `0b1010`, `1G`, `64KiB`. One parser serves the YAML loader and the flags so
/// that `--static-size 0x15428` and `static-size: 0x15428` can never disagree.
///
/// Syntax:
/// - decimal `87272`; hexadecimal `0x…`/`0X…`; binary `0b…`/`0B…`;
/// - `_` may separate digits anywhere after the first digit or the prefix;
/// - decimal numbers may carry a binary size suffix `K M G T P E` (either
///   case), optionally followed by `iB` or `B`: `4K` = `4KiB` = `4KB` = 4096.
///   Hexadecimal numbers take no suffix (`0x1E` is a hex number, not 1 EiB);
/// - a decimal number of several digits must not start with `0` (YAML 1.1
///   readers take `010` for octal 8, so such a number is ambiguous).
enum NumberSyntax {
    /// Why a text is not a number, worded for a diagnostic.
    enum Failure: Error, Equatable {
        case empty
        case negative
        case fractional
        case overflow
        case leadingZero
        case badSuffix(String)
        case invalid

        /// The diagnostic for `text` that failed this way.
        func message(for text: String) -> String {
            switch self {
            case .empty: "empty number"
            case .negative: "\(text) is negative"
            case .fractional: "\(text) is not an integer"
            case .overflow: "\(text) does not fit 64 bits"
            case .leadingZero: "\(text) has a leading zero, which YAML 1.1 reads as octal"
            case .badSuffix(let suffix): "'\(suffix)' is not a size suffix in \(text)"
            case .invalid: "'\(text)' is not a number"
            }
        }
    }

    /// The binary multipliers, by suffix letter (uppercased).
    private static let multipliers: [String: UInt64] = [
        "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50, "E": 1 << 60,
    ]

    /// Parses `text` (surrounding whitespace ignored) as an unsigned 64-bit number.
    static func parse(_ text: String) -> Result<UInt64, Failure> {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return .failure(.empty) }
        if trimmed.hasPrefix("-") {
            // "-1", "-0x10", "-4K": report the sign, but only when the rest is a number.
            switch parse(String(trimmed.dropFirst())) {
            case .success, .failure(.overflow): return .failure(.negative)
            case .failure(.empty): return .failure(.invalid)
            case .failure(let failure): return .failure(failure)
            }
        }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("0x") { return digits(trimmed.dropFirst(2), radix: 16) }
        if lower.hasPrefix("0b") { return digits(trimmed.dropFirst(2), radix: 2) }
        return decimalWithSuffix(Substring(trimmed))
    }

    /// `[0-9_]+` then an optional size suffix.
    private static func decimalWithSuffix(_ text: Substring) -> Result<UInt64, Failure> {
        if isFloatingPoint(text) { return .failure(.fractional) }
        let number = text.prefix { isDigit($0) || $0 == "_" }
        let rest = text.dropFirst(number.count)
        guard let first = number.first, first != "_" else { return .failure(.invalid) }
        let significant = number.filter { $0 != "_" }
        if significant.count > 1, significant.first == "0" { return .failure(.leadingZero) }
        let value: UInt64
        switch digits(number, radix: 10) {
        case .success(let v): value = v
        case .failure(let failure): return .failure(failure)
        }
        guard let letter = rest.first else { return .success(value) }
        let tail = rest.dropFirst()
        guard let multiplier = multipliers[letter.uppercased()],
              tail.isEmpty || tail == "iB" || tail == "B" else {
            return .failure(.badSuffix(String(rest)))
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? .failure(.overflow) : .success(product)
    }

    /// Digits of `radix` with `_` separators; at least one digit.
    private static func digits(_ text: Substring, radix: UInt64) -> Result<UInt64, Failure> {
        var value: UInt64 = 0
        var sawDigit = false
        for character in text {
            if character == "_" { continue }
            guard character.isASCII, let digit = character.hexDigitValue.map(UInt64.init), digit < radix else {
                return .failure(.invalid)
            }
            sawDigit = true
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return .failure(.overflow) }
            value = sum
        }
        return sawDigit ? .success(value) : .failure(.invalid)
    }

    private static func isDigit(_ character: Character) -> Bool {
        character.isASCII && character.isNumber
    }

    /// `1.5`, `.5`, `1.5G`, `2e3`: a number, just not written as an integer.
    private static func isFloatingPoint(_ text: Substring) -> Bool {
        var rest = text
        let integerPart = rest.prefix { isDigit($0) || $0 == "_" }
        rest = rest.dropFirst(integerPart.count)
        var hasPoint = false, fractionDigits = 0
        if rest.first == "." {
            hasPoint = true
            rest = rest.dropFirst()
            let fraction = rest.prefix { isDigit($0) || $0 == "_" }
            fractionDigits = fraction.filter(isDigit).count
            rest = rest.dropFirst(fraction.count)
        }
        guard integerPart.contains(where: isDigit) || fractionDigits > 0 else { return false }
        var hasExponent = false
        if rest.first == "e" || rest.first == "E" {
            var exponent = rest.dropFirst()
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            let exponentDigits = exponent.prefix(while: isDigit)
            if !exponentDigits.isEmpty {
                hasExponent = true
                rest = exponent.dropFirst(exponentDigits.count)
            }
        }
        guard hasPoint || hasExponent else { return false }
        if let letter = rest.first, multipliers[letter.uppercased()] != nil {
            rest = rest.dropFirst()
            return rest.isEmpty || rest == "iB" || rest == "B"
        }
        return rest.isEmpty
    }
}

extension PlatformLoader {
    /// Parses a number with the platform files' rules (`"87272"`, `"0x1000"`,
    /// `"0b101"`, `"4K"`, `"1GiB"`, `"1_000"`), for command-line flags. Nil when
    /// `text` is not a non-negative whole number that fits 64 bits.
    public static func parseNumber(_ text: String) -> UInt64? {
        try? NumberSyntax.parse(text).get()
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (no Foundation needed).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
