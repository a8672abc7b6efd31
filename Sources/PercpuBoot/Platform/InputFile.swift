#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading an input file (platform, DTB, boot log) with the right reason when it
/// cannot be read: missing, a directory, a FIFO or a device (which would block or
/// never end), permission, or too large.
public enum InputFile {
    /// Larger inputs are refused: no real platform, DTB or boot log comes near.
    public static let maximumSize: Int = 1 << 30

    /// The bytes of the regular file at `path`; `what` names it in messages ("boot log").
    public static func read(_ path: String, what: String) throws(InputError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw InputError(file: path, message: reason(errno, what)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw InputError(file: path, message: "is a directory, not a \(what)", expected: "a regular file")
        case S_IFIFO: throw InputError(file: path, message: "is a FIFO (named pipe), not a \(what)",
                                       expected: "a regular file; save the stream to a file first")
        case S_IFCHR, S_IFBLK: throw InputError(file: path, message: "is a device, not a \(what)", expected: "a regular file")
        case S_IFSOCK: throw InputError(file: path, message: "is a socket, not a \(what)", expected: "a regular file")
        default: throw InputError(file: path, message: "is not a regular file", expected: "a \(what)")
        }
        guard info.st_size <= maximumSize else {
            throw InputError(file: path, message: "is \(info.st_size) bytes, more than any \(what) (at most 1 GiB)")
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InputError(file: path, message: reason(errno, what)) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(file: path, message: "cannot read the \(what): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes += chunk.prefix(n)
            guard bytes.count <= maximumSize else {
                throw InputError(file: path, message: "is more than 1 GiB, more than any \(what)")
            }
        }
        return bytes
    }

    /// The file as text (invalid UTF-8 replaced: logs carry stray bytes).
    public static func text(_ path: String, what: String) throws(InputError) -> String {
        String(decoding: try read(path, what: what), as: UTF8.self)
    }

    static func reason(_ code: Int32, _ what: String) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES: "cannot read the \(what): permission denied"
        case ENOTDIR: "no such file (a part of the path is not a directory)"
        default: "cannot read the \(what): \(String(cString: strerror(code)))"
        }
    }
}

/// `read(2)` (a file-scope name: inside `InputFile`, `read` is the method).
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
