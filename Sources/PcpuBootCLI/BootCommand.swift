import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot [boot] [PLATFORM]`: emulate one boot and report it.
struct BootCommand: StreamingOutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "boot",
        abstract: "Emulate one boot of a platform and report its per-CPU setup.",
        discussion: "PLATFORM is a YAML platform file or a bundled platform's name (`pcpu-boot list`). Without it, "
            + "--dtb and --arch describe the machine. Flags override what the platform file says.")

    @OptionGroup var machine: MachineOptions

    @Option(help: ArgumentHelp("Output: text (the full report), dmesg (only the emulated kernel log), json, or svg.",
                               valueName: "text|dmesg|json|svg"))
    var format: String = "text"

    @Flag(name: .customLong("pr-debug"), help: "Also print pr_debug lines (as with dynamic debug on).")
    var prDebug = false

    func execute() -> CommandOutput {
        var sink = StringSink()
        var output = execute(stdout: &sink)
        output.stdout = sink.text + output.stdout
        return output
    }

    /// The values given, as a plain value.
    var request: BootRequest { BootRequest(machine: machine.request, format: format, prDebug: prDebug) }

    func execute<Sink: ReportSink>(stdout: inout Sink) -> CommandOutput { request.execute(stdout: &stdout) }
}

/// A boot as asked for, parsed by ArgumentParser (`BootCommand`) or by the fast
/// path of a plain boot (`BootFastPath`).
struct BootRequest: Equatable {
    var machine: MachineRequest
    var format: String = "text"
    var prDebug = false

    func execute<Sink: ReportSink>(stdout: inout Sink) -> CommandOutput {
        guard let format = ReportFormat(rawValue: format) else {
            return .inputError(unknownValue("--format", format, ReportFormat.allCases.map(\.rawValue)))
        }
        let prepared: PreparedBoot
        switch machine.prepare() {
        case .success(let p): prepared = p
        case .failure(let output): return output
        }
        // A requested trace (pr_debug, memblock=debug) can be millions of lines: with
        // --format dmesg they are written as the emulated kernel prints them, not held.
        let streamed = format == .dmesg && (prDebug || KernelCommandLine(prepared.platform.cmdline).memblockDebug)
        let box = StreamedSink(stdout)
        var sources: Set<LogSource> = [.kernel, .memblockDebug]
        if prDebug { sources.insert(.dynamicDebug) }
        let stream = streamed ? KernelLogStream(sources: sources) { line in try box.buffered.write(line) } : nil
        let result: BootResult
        do {
            result = try Boot.run(prepared.platform, memblockLog: prepared.memblockLog, dynamicDebug: prDebug, stream: stream)
        } catch {
            try? box.buffered.flush()
            stdout = box.buffered.base
            return .bootFailure(error, subject: machine.platform ?? machine.dtb)
        }
        let status: Int32 = result.outcome == .booted ? 0 : 1
        do {
            if let stream {
                if let error = stream.error { throw error }
                try box.buffered.flush()
                stdout = box.buffered.base
            } else {
                try Reports.write(result, format: format, dynamicDebug: prDebug, to: &stdout)
            }
            return CommandOutput(stderr: prepared.noteText, status: status)
        } catch let error as OutputError {
            // The streamed report could not be written: one line (not for a broken pipe), status 3.
            if case .failed = error { try? OutputSink.standardError.write("pcpu-boot: error: \(error.description)\n") }
            return CommandOutput(status: PcpuBootCLI.outputErrorStatus)
        } catch {
            return CommandOutput(stderr: "pcpu-boot: error: cannot render the report: \(error)\n", status: 2)
        }
    }
}

/// The sink of a boot whose log is streamed: a reference, so the log's stream can
/// write through it while the boot runs.
final class StreamedSink<Base: ReportSink> {
    var buffered: BufferedSink<Base>
    init(_ base: Base) { buffered = BufferedSink(base) }
}

/// The report formats of `boot`.
enum ReportFormat: String, CaseIterable {
    case text, dmesg, json, svg
}

enum Reports {
    /// Writes the report through `sink`: JSON member by member, the kernel log
    /// line by line, the text and SVG reports (bounded in size) whole.
    static func write<Sink: ReportSink>(_ result: BootResult, format: ReportFormat, dynamicDebug: Bool,
                                        to sink: inout Sink) throws {
        switch format {
        case .json: try JSONReport.write(result, to: &sink)
        case .dmesg: try DmesgReport.write(result, dynamicDebug: dynamicDebug, to: &sink)
        case .text, .svg: try sink.write(try render(result, format: format, dynamicDebug: dynamicDebug))
        }
    }

    static func render(_ result: BootResult, format: ReportFormat, dynamicDebug: Bool) throws -> String {
        switch format {
        case .dmesg: DmesgReport.render(result, dynamicDebug: dynamicDebug)
        case .json: try JSONReport.render(result)
        case .text: TextReport.render(result, dynamicDebug: dynamicDebug)
        case .svg: SVGReport.render(result)
        }
    }
}

/// "unknown value 'x' for --flag; expected a, b or c; did you mean 'y'?"
func unknownValue(_ flag: String, _ value: String, _ choices: [String]) -> String {
    var message = "unknown value '\(value)' for \(flag); expected "
    message += choices.count > 1 ? choices.dropLast().joined(separator: ", ") + " or " + choices.last! : choices.joined()
    if let guess = didYouMean(value, among: choices) { message += "; did you mean '\(guess)'?" }
    return message
}

extension CommandOutput {
    /// A boot the emulator cannot run, naming what it is about: the platform file or
    /// DTB the user gave, unless the message already starts with a file.
    static func bootFailure(_ error: BootError, subject: String?) -> CommandOutput {
        guard case .emulation(let message) = error, let subject, !message.hasPrefix(subject),
              message.range(of: #"^\S+\.(dtb|yaml|log)[:)]"#, options: .regularExpression) == nil else {
            return .inputError(error.description)
        }
        return .inputError("\(subject): cannot emulate: \(message)")
    }
}
