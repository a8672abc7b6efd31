import ArgumentParser
import Foundation
import PercpuBoot
import KernelSupport

/// What a command produced: text for stdout and stderr, and the exit status
/// (0 the emulated boot completed, 1 the emulated kernel panicked, 2 unusable input).
public struct CommandOutput: Error, Equatable, Sendable {
    public var stdout: String = ""
    public var stderr: String = ""
    public var status: Int32 = 0

    public init(stdout: String = "", stderr: String = "", status: Int32 = 0) {
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
    }

    /// An input problem: a diagnostic on stderr, status 2. A message that is already a
    /// located diagnostic (`FILE:LINE:COL: error: …`, from `InputError`) is printed as it
    /// is, so that it says `error:` once; anything longer than `maximumMessageLength` is cut.
    public static func inputError(_ message: String) -> CommandOutput {
        let text = message.contains(": error: ") ? message : "pcpu-boot: error: " + message
        return CommandOutput(stderr: cut(text) + "\n", status: 2)
    }

    /// Diagnostics quote what they were given; a value of millions of characters is not echoed whole.
    public static let maximumMessageLength = 600

    static func cut(_ text: String) -> String {
        guard text.count > maximumMessageLength else { return text }
        return String(text.prefix(maximumMessageLength - 60)) + "... (\(text.count) characters in all)"
    }

    /// A remark on stderr that does not change the status (e.g. an assumed kernel version).
    public func note(_ text: String) -> CommandOutput {
        var copy = self
        copy.stderr = "pcpu-boot: note: " + text + "\n" + copy.stderr
        return copy
    }
}

/// A subcommand that computes its output instead of printing it, so tests can
/// run the whole command line in-process.
protocol OutputCommand: ParsableCommand {
    func execute() -> CommandOutput
}

/// A subcommand whose report can be large (`boot --format json` at 8192 CPUs):
/// it writes it through `stdout` as it is made; the returned output carries
/// only stderr, the status, and any stdout text not yet written.
protocol StreamingOutputCommand: OutputCommand {
    func execute<Sink: ReportSink>(stdout: inout Sink) -> CommandOutput
}

/// The command line, as a library: `PcpuBootCLI.run(["platforms/arm64-4node.yaml"])`.
public enum PcpuBootCLI {
    /// Parses `arguments` (without the program name) and runs the command,
    /// its whole standard output collected in the result's `stdout`.
    public static func run(_ arguments: [String]) -> CommandOutput {
        var sink = StringSink()
        var output = run(arguments, stdout: &sink)
        output.stdout = sink.text + output.stdout
        return output
    }

    /// Parses `arguments` and runs the command; a streaming command writes its
    /// report through `stdout` as it goes, the rest is left in the result's `stdout`.
    public static func run<Sink: ReportSink>(_ arguments: [String], stdout: inout Sink) -> CommandOutput {
        // A plain boot does not need ArgumentParser (see BootFastPath).
        if let boot = BootFastPath.parse(arguments) { return boot.execute(stdout: &stdout) }
        do {
            var command = try parseCommand(arguments)
            if let streaming = command as? any StreamingOutputCommand {
                return streaming.execute(stdout: &stdout)
            }
            if let runnable = command as? any OutputCommand {
                return runnable.execute()
            }
            try command.run()
            return CommandOutput()
        } catch {
            let message = PcpuBootCommand.fullMessage(for: error)
            let code = PcpuBootCommand.exitCode(for: error)
            if code == .success {
                return CommandOutput(stdout: message.isEmpty ? "" : message + "\n", status: 0)
            }
            return CommandOutput(stderr: message + "\n", status: 2)
        }
    }

    /// The command `arguments` name, through ArgumentParser.
    static func parseCommand(_ arguments: [String]) throws -> ParsableCommand {
        try PcpuBootCommand.parseAsRoot(arguments)
    }

    /// Runs with the process's arguments and exits with the command's status.
    /// Everything, ArgumentParser's help and errors included (`run` catches them
    /// through `fullMessage`), is written through `OutputSink`: see `emit`.
    public static func main() -> Never {
        var sink = CheckedReportSink(sink: .standardOutput)
        let output = run(Array(CommandLine.arguments.dropFirst()), stdout: &sink)
        exit(emit(output, stdout: .standardOutput, stderr: .standardError))
    }

    /// The exit status when the output could not be written (README, "Exit status").
    public static let outputErrorStatus: Int32 = 3

    /// Writes a command's output and returns the status to exit with: the
    /// command's own, or `outputErrorStatus` when a write failed. A failed write
    /// is reported in one line on stderr when stderr can still be written; a
    /// broken pipe (EPIPE, the reader went away with SIGPIPE ignored) is not.
    public static func emit(_ output: CommandOutput, stdout: OutputSink, stderr: OutputSink) -> Int32 {
        if output.status == outputErrorStatus { return outputErrorStatus }   // a streamed write already failed
        do throws(OutputError) {
            try stdout.write(output.stdout)
            try stderr.write(output.stderr)
            return output.status
        } catch {
            if case .failed = error {
                try? stderr.write("pcpu-boot: error: \(error.description)\n")
            }
            return outputErrorStatus
        }
    }
}

/// `pcpu-boot`: the root command; `boot` is the default subcommand.
struct PcpuBootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcpu-boot",
        abstract: "Emulate Linux's boot-time per-CPU setup (setup_per_cpu_areas) for a described machine.",
        discussion: "Turns a machine's NUMA layout into per-CPU groups, units, __per_cpu_offset[] and the first chunk, "
            + "printing the lines a real kernel prints. Exit status: 0 booted, 1 the emulated kernel panicked, 2 unusable input, "
            + "3 the output could not be written.",
        version: "pcpu-boot \(PcpuBootVersion.string)",
        subcommands: [BootCommand.self, ListCommand.self, CompareCommand.self, CheckCommand.self, ReplayCommand.self, ImportCommand.self, ThisMachineCommand.self, SweepCommand.self,
                      KernelsCommand.self, ManualCommand.self],
        defaultSubcommand: BootCommand.self)
}

/// The process's standard output as a report sink: every streamed write goes
/// through the checked `OutputSink` (write(2), EINTR, partial writes).
struct CheckedReportSink: ReportSink {
    let sink: OutputSink
    func write(_ s: String) throws { try sink.write(s) }
}
