/// Every way reading a kernel build's files (`.config`, `/proc/config.gz`,
/// `System.map`, `vmlinux`) can fail: the file, where in it (a line, or a byte
/// offset), and what is wrong — never a trap.
public struct KernelBuildError: Error, Equatable, Sendable, CustomStringConvertible {
    public var fileName: String
    /// 1-based line of a text file.
    public var line: Int?
    /// Byte offset in a binary file (the compressed stream for gzip).
    public var offset: Int?
    public var message: String

    public init(fileName: String, line: Int? = nil, offset: Int? = nil, _ message: String) {
        self.fileName = fileName
        self.line = line
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var text = fileName
        if let line { text += ":\(line)" }
        text += ": "
        if let offset { text += "offset 0x" + String(offset, radix: 16) + ": " }
        return text + message
    }
}
