/// A kernel configuration as `make` writes it to `.config` and Debian installs it as
/// `/boot/config-*`, or as `/proc/config.gz` holds it (gzip, CONFIG_IKCONFIG_PROC):
/// `CONFIG_X=y|m|"text"|number` lines and `# CONFIG_X is not set` lines.
public struct KernelConfigFile: Equatable, Sendable {
    /// One option's value.
    public enum Value: Equatable, Sendable {
        case yes, module, no
        case number(Int64)
        case text(String)
    }

    /// Values by name without the `CONFIG_` prefix, with the line each was read from.
    public var values: [String: (value: Value, line: Int)]
    /// `# Linux/arm64 6.1.192 Kernel Configuration`: the architecture directory name and the version.
    public var headerArch: String?
    public var headerVersion: String?
    public var fileName: String

    public static func == (a: KernelConfigFile, b: KernelConfigFile) -> Bool {
        a.fileName == b.fileName && a.headerArch == b.headerArch && a.headerVersion == b.headerVersion
            && a.values.mapValues(\.value) == b.values.mapValues(\.value)
    }

    public subscript(name: String) -> Value? { values[name]?.value }

    /// `=y` (or `=m`, for an option where a module counts).
    public func isEnabled(_ name: String) -> Bool { self[name] == .yes || self[name] == .module }

    /// Parses a file's bytes, decompressing gzip first. Lines that are neither options,
    /// comments nor blank are errors with their line number: the file is not a kernel
    /// configuration. A file without a single `CONFIG_` line is refused too.
    public static func parse(_ bytes: [UInt8], fileName: String) throws(KernelBuildError) -> KernelConfigFile {
        let plain = Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, fileName: fileName) : bytes
        guard let text = String(validating: plain, as: UTF8.self) else {
            throw KernelBuildError(fileName: fileName, "not text (nor gzip): not a kernel configuration")
        }
        var config = KernelConfigFile(values: [:], headerArch: nil, headerVersion: nil, fileName: fileName)
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let number = index + 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if line.hasPrefix("#") {
                if let name = notSet(line) { config.values[name] = (.no, number) }
                if line.hasPrefix("# Linux/"), line.hasSuffix(" Kernel Configuration") {
                    let words = line.dropFirst("# Linux/".count).split(separator: " ")
                    if words.count >= 2 {
                        config.headerArch = String(words[0])
                        config.headerVersion = String(words[1])
                    }
                }
                continue
            }
            guard line.hasPrefix("CONFIG_"), let equals = line.firstIndex(of: "=") else {
                throw KernelBuildError(fileName: fileName, line: number,
                                       "'\(line.prefix(60))' is neither CONFIG_NAME=value nor a comment: not a kernel configuration")
            }
            let name = String(line[line.index(line.startIndex, offsetBy: 7)..<equals])
            let value = line[line.index(after: equals)...]
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw KernelBuildError(fileName: fileName, line: number, "'CONFIG_\(name)' is not an option name")
            }
            config.values[name] = (try parseValue(value, fileName: fileName, line: number), number)
        }
        guard !config.values.isEmpty else {
            throw KernelBuildError(fileName: fileName, "no CONFIG_ lines: not a kernel configuration")
        }
        return config
    }

    /// `# CONFIG_X is not set` → X.
    static func notSet(_ line: Substring) -> String? {
        guard line.hasPrefix("# CONFIG_"), line.hasSuffix(" is not set") else { return nil }
        return String(line.dropFirst("# CONFIG_".count).dropLast(" is not set".count))
    }

    static func parseValue(_ text: Substring, fileName: String, line: Int) throws(KernelBuildError) -> Value {
        switch text {
        case "y": return .yes
        case "m": return .module
        case "n": return .no
        default: break
        }
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else {
                throw KernelBuildError(fileName: fileName, line: line, "an unterminated string value")
            }
            return .text(String(text.dropFirst().dropLast()))
        }
        if text.hasPrefix("0x"), let v = UInt64(text.dropFirst(2), radix: 16) { return .number(Int64(bitPattern: v)) }
        if let v = Int64(text) { return .number(v) }
        throw KernelBuildError(fileName: fileName, line: line, "value '\(text.prefix(40))' is not y, m, n, a number or a string")
    }
}
