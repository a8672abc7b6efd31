import Foundation
import Testing
@testable import PcpuBootCLI
import PcpuBootTestSupport

/// The built binary with stdout on /dev/full, closed, or a pipe nobody reads:
/// never a trap. A write error ends with one line on stderr and status 3; a
/// broken pipe ends quietly (killed by SIGPIPE when it is default, status 3
/// without a word when it is ignored).
@Suite(.serialized) struct OutputErrorTests {
    /// The `pcpu-boot` built beside this test bundle.
    static var binary: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("pcpu-boot").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Every subcommand and ArgumentParser's own output paths.
    static let invocations: [[String]] = [
        ["arm64-4node"], ["arm64-4node", "--format", "json"], ["--help"], ["check", "--help"],
        ["list"], ["compare", "arm64-4node", "riscv64-2node"],
    ]

    struct Run { var status: Int32; var signal: Int32?; var stderr: String }

    /// Runs `script` with `sh -c` (the binary is `$0`, the arguments `$@`), stdout on `stdout`.
    static func run(_ script: String, _ arguments: [String], stdout: FileHandle?) throws -> Run {
        let binary = try #require(binary, "pcpu-boot must be built beside the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, binary] + arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        let errors = Pipe()
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        if let stdout { process.standardOutput = stdout }
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationReason == .uncaughtSignal {
            return Run(status: -1, signal: process.terminationStatus, stderr: text)
        }
        return Run(status: process.terminationStatus, signal: nil, stderr: text)
    }

    @Test(arguments: invocations) func devFull(_ arguments: [String]) throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let run = try Self.run("exec \"$0\" \"$@\"", arguments, stdout: full)
        #expect(run.signal == nil)
        #expect(run.status == PcpuBootCLI.outputErrorStatus)
        #expect(run.stderr == "pcpu-boot: error: cannot write to standard output: No space left on device\n")
    }

    @Test(arguments: invocations) func closedStdout(_ arguments: [String]) throws {
        let run = try Self.run("exec \"$0\" \"$@\" >&-", arguments, stdout: nil)
        #expect(run.signal == nil)
        #expect(run.status == PcpuBootCLI.outputErrorStatus)
        #expect(run.stderr == "pcpu-boot: error: cannot write to standard output: Bad file descriptor\n")
    }

    /// An error path with stderr on /dev/full: status 2 stays, nothing traps.
    @Test func inputErrorWithStderrOnDevFull() throws {
        let run = try Self.run("exec \"$0\" \"$@\" 2>/dev/full", ["no-such-platform"], stdout: nil)
        #expect(run.signal == nil)
        #expect(run.status == PcpuBootCLI.outputErrorStatus)
        let both = try Self.run("exec \"$0\" \"$@\" >/dev/full 2>/dev/full", ["arm64-4node"], stdout: nil)
        #expect(both.signal == nil)
        #expect(both.status == PcpuBootCLI.outputErrorStatus)
    }

    /// A pipe whose read end is closed before the binary starts: the reader has exited.
    static func deadPipe() throws -> FileHandle {
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        return pipe.fileHandleForWriting
    }

    @Test(arguments: invocations) func brokenPipeWithSIGPIPEIgnored(_ arguments: [String]) throws {
        let run = try Self.run("trap '' PIPE; exec \"$0\" \"$@\"", arguments, stdout: try Self.deadPipe())
        #expect(run.signal == nil)
        #expect(run.status == PcpuBootCLI.outputErrorStatus)
        #expect(run.stderr == "", "a broken pipe ends quietly")
    }

    @Test(arguments: invocations) func brokenPipeWithSIGPIPEDefault(_ arguments: [String]) throws {
        let run = try Self.run("trap - PIPE; exec \"$0\" \"$@\"", arguments, stdout: try Self.deadPipe())
        // Killed by SIGPIPE like any Unix tool, or (if the shell was started with
        // SIGPIPE ignored and cannot reset it) the quiet status 3: never a trap (SIGILL).
        #expect(run.signal == SIGPIPE || (run.signal == nil && run.status == PcpuBootCLI.outputErrorStatus))
        #expect(run.stderr == "")
    }

    @Test func emitReportsStatusAndMessage() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let status = PcpuBootCLI.emit(CommandOutput(stdout: "report\n", status: 1),
                                      stdout: .init(fd: fd, name: "standard output"),
                                      stderr: .init(fd: fds[1], name: "standard error"))
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fds[0], &buffer, buffer.count)
        #expect(status == 3)
        #expect(String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self)
                == "pcpu-boot: error: cannot write to standard output: No space left on device\n")
    }
}
