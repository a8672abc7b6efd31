#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to stdout or stderr failed.
public enum OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reader went away (EPIPE): the tool ends quietly.
    case brokenPipe
    /// Any other write error (ENOSPC on /dev/full, EBADF on a closed descriptor, EIO, ...).
    case failed(stream: String, errno: Int32)

    public var description: String {
        switch self {
        case .brokenPipe: "broken pipe"
        case .failed(let stream, let code): "cannot write to \(stream): \(String(cString: strerror(code)))"
        }
    }
}

/// A checked writer on a file descriptor: every byte goes through `write(2)`,
/// retried on EINTR and after partial writes, and every failure is a typed
/// error instead of the trap `FileHandle.write` ends in.
///
/// SIGPIPE keeps the disposition the process was started with: by default a
/// reader that exits ends the process by the signal, as for any Unix tool;
/// with SIGPIPE ignored (`trap '' PIPE`) the write fails with EPIPE and
/// `OutputError.brokenPipe` lets the caller end quietly.
public struct OutputSink: Sendable {
    public let fd: Int32
    public let name: String

    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    public static let standardOutput = OutputSink(fd: 1, name: "standard output")
    public static let standardError = OutputSink(fd: 2, name: "standard error")

    /// Writes all of `s` or throws.
    public func write(_ s: String) throws(OutputError) {
        var s = s
        // withUTF8 rethrows untyped errors: carry the typed one out by hand.
        let failure: OutputError? = s.withUTF8 { buffer in
            do throws(OutputError) { try writeAll(buffer); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    /// Writes all of `bytes` or throws.
    public func write(bytes: [UInt8]) throws(OutputError) {
        let failure: OutputError? = bytes.withUnsafeBufferPointer { buffer in
            do throws(OutputError) { try writeAll(buffer); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    private func writeAll(_ buffer: UnsafeBufferPointer<UInt8>) throws(OutputError) {
        guard var p = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = systemWrite(fd, p, min(left, 1 << 30))
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EPIPE { throw .brokenPipe }
                throw .failed(stream: name, errno: code)
            }
            if n == 0 { throw .failed(stream: name, errno: EIO) }
            p += n
            left -= n
        }
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
    write(fd, p, count)
}
