import Foundation
import Testing
@testable import KernelSupport

/// `OutputSink` turns every write failure into a typed error (never a trap).
@Suite struct OutputSinkTests {
    @Test func devFullIsENOSPC() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let sink = OutputSink(fd: fd, name: "standard output")
        #expect(throws: OutputError.failed(stream: "standard output", errno: ENOSPC)) { try sink.write("x\n") }
        #expect(throws: OutputError.failed(stream: "standard output", errno: ENOSPC)) { try sink.write(bytes: [1, 2]) }
    }

    @Test func closedDescriptorIsEBADF() throws {
        let fd = open("/dev/null", O_WRONLY)
        try #require(fd >= 0)
        close(fd)
        #expect(throws: OutputError.failed(stream: "s", errno: EBADF)) { try OutputSink(fd: fd, name: "s").write("x") }
    }

    /// A pipe holds 64 KiB: 4 MiB need many partial writes, all of which must arrive in order.
    @Test func largeWriteThroughAPipeArrivesWhole() async throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let payload = String(repeating: "0123456789abcdef", count: 1 << 18)
        let reader = fds[0]
        let collected = Task.detached { () -> [UInt8] in
            var all: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(reader, &buffer, buffer.count)
                if n <= 0 { break }
                all += buffer.prefix(n)
            }
            close(reader)
            return all
        }
        try OutputSink(fd: fds[1], name: "pipe").write(payload)
        close(fds[1])
        let received = await collected.value
        #expect(received == Array(payload.utf8))
    }

    @Test func emptyWriteSucceedsEvenOnABadDescriptor() throws {
        try OutputSink(fd: -1, name: "nothing").write("")
    }

    @Test func messagesNameTheStreamAndTheReason() {
        #expect(OutputError.failed(stream: "standard output", errno: ENOSPC).description
                == "cannot write to standard output: No space left on device")
    }
}
