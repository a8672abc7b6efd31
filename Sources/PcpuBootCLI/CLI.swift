import ArgumentParser
import Foundation
import PercpuBoot

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

    /// An input problem: a diagnostic on stderr, status 2.
    public static func inputError(_ message: String) -> CommandOutput {
        CommandOutput(stderr: "pcpu-boot: error: " + message + "\n", status: 2)
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
        do {
            var command = try PcpuBootCommand.parseAsRoot(arguments)
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

    /// Runs with the process's arguments and exits with the command's status.
    public static func main() -> Never {
        var sink = FileHandleSink(FileHandle.standardOutput)
        let output = run(Array(CommandLine.arguments.dropFirst()), stdout: &sink)
        FileHandle.standardOutput.write(Data(output.stdout.utf8))
        FileHandle.standardError.write(Data(output.stderr.utf8))
        exit(output.status)
    }
}

/// `pcpu-boot`: the root command; `boot` is the default subcommand.
struct PcpuBootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcpu-boot",
        abstract: "Emulate Linux's boot-time per-CPU setup (setup_per_cpu_areas) for a described machine.",
        discussion: "Turns a machine's NUMA layout into per-CPU groups, units, __per_cpu_offset[] and the first chunk, "
            + "printing the lines a real kernel prints. Exit status: 0 booted, 1 the emulated kernel panicked, 2 unusable input.",
        version: "pcpu-boot \(PcpuBootVersion.string)",
        subcommands: [BootCommand.self, ListCommand.self, CompareCommand.self, CheckCommand.self, ReplayCommand.self, ImportCommand.self, SweepCommand.self,
                      KernelsCommand.self, ManualCommand.self],
        defaultSubcommand: BootCommand.self)
}

/// The process's standard output as a report sink (the checked writer of the
/// output layer replaces it when merged).
struct FileHandleSink: ReportSink {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }
    func write(_ s: String) { handle.write(Data(s.utf8)) }
}
