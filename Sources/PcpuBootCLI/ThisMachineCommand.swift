import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot this-machine`: the running Linux machine, from its own firmware tables,
/// memory map, command line, kernel configuration, per-CPU symbols and boot log
/// (`RunningMachine`), emulated and compared line by line with what its kernel printed —
/// the report of `check`, after a header naming every source and what stood in for a
/// missing one.
struct ThisMachineCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "this-machine",
        abstract: "Emulate the running machine's boot from its own firmware and compare with what its kernel printed.",
        discussion: "Reads /sys/firmware/acpi/tables (SRAT, SLIT, APIC) or /sys/firmware/fdt, /sys/firmware/memmap, "
            + "/proc/cmdline, /proc/config.gz or /boot/config-RELEASE, __per_cpu_start/__per_cpu_end from /proc/kallsyms or "
            + "/boot/System.map-RELEASE, /proc/sys/kernel/osrelease and the boot log (/dev/kmsg, else /var/log/dmesg). "
            + "Missing or unreadable sources are listed with what was assumed instead; only what the kernel itself "
            + "restricts needs root. Exit status 0 when the emulated per-CPU lines are the kernel's, 1 when something "
            + "differs (or the emulated kernel panicked), 2 when a source is corrupt.")

    @Option(help: ArgumentHelp("Output: text (sources, then the comparison), dmesg (only the emulated kernel log; the sources on stderr), or json.",
                               valueName: "text|dmesg|json"))
    var format: String = "text"

    @Option(help: ArgumentHelp("Read every path under this directory instead of / (a recorded snapshot).", valueName: "dir"))
    var root: String = "/"

    @Option(help: ArgumentHelp("The boot log to compare with, instead of /dev/kmsg or /var/log/dmesg (e.g. saved with `dmesg > FILE`).",
                               valueName: "file"))
    var log: String?

    enum Format: String, CaseIterable { case text, dmesg, json }

    func execute() -> CommandOutput {
        guard let format = Format(rawValue: format) else {
            return .inputError(unknownValue("--format", format, Format.allCases.map(\.rawValue)))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .inputError("--root \(InputError.cut(root, to: 100)): no such directory")
        }
        let machine: RunningMachine
        do throws(InputError) { machine = try RunningMachine.read(root: root, logFile: log) } catch {
            return .inputError(error.description)
        }
        let assembled: ThisMachinePlatform
        switch ThisMachinePlatform.assemble(machine) {
        case .success(let a): assembled = a
        case .failure(var output):
            // Say what was tried: the missing and unreadable sources behind the error.
            let tried = machine.sources.filter { $0.status != .read }.map { "pcpu-boot: warning: \($0.name): \($0.path): \($0.detail)\n" }
            output.stderr = tried.joined() + output.stderr
            return output
        }
        let result: BootResult
        do { result = try Boot.run(assembled.platform, memblockLog: assembled.memblockLog, dynamicDebug: false) } catch {
            return .bootFailure(error, subject: machine.logPath ?? root)
        }
        let emulated = result.log.texts()
        let parts = assembled.real.map { LogComparison.parts(real: $0, emulated: emulated) }
        let differences = parts?.reduce(0) { $0 + $1.diff.count } ?? 0
        let status: Int32 = result.outcome != .booted || differences > 0 ? 1 : 0
        let header = Self.header(machine, assembled, kernel: result.profile.kernel)
        var stderr = Self.warnings(machine, assembled).map { "pcpu-boot: warning: \($0)\n" }.joined()
        stderr += assembled.buildNotes.map { "pcpu-boot: note: \($0)\n" }.joined()
        switch format {
        case .text:
            var out = header
            if let real = assembled.real, let parts {
                out += "per-CPU lines, line by line (= the same, ≠ differs):\n"
                let emulatedLines = parts[0].emulated
                for i in 0..<max(parts[0].real.count, emulatedLines.count) {
                    let r = i < parts[0].real.count ? parts[0].real[i] : nil
                    let e = i < emulatedLines.count ? emulatedLines[i] : nil
                    out += r == e ? "  = \(r ?? "")\n" : "  ≠ real:     \(r ?? "(none)")\n    emulated: \(e ?? "(none)")\n"
                }
                out += LogComparison.report(real: real, emulated: emulated).text
            } else {
                out += "no boot log: nothing to compare; the emulated per-CPU lines:\n"
                for line in RealBootLog.percpuLines(emulated) { out += "  \(line)\n" }
            }
            if result.outcome != .booted { out += "the emulated kernel panicked (see --format dmesg)\n" }
            return CommandOutput(stdout: out, stderr: stderr, status: status)
        case .dmesg:
            return CommandOutput(stdout: DmesgReport.render(result, dynamicDebug: false), stderr: header + stderr, status: status)
        case .json:
            do {
                let json = try Self.json(machine, assembled, result: result, parts: parts)
                return CommandOutput(stdout: json + "\n", stderr: stderr, status: status)
            } catch {
                return CommandOutput(stderr: "pcpu-boot: error: cannot render the report: \(error)\n", status: 2)
            }
        }
    }

    /// Every source, read from where or what stood in; then the assumptions.
    static func header(_ machine: RunningMachine, _ assembled: ThisMachinePlatform, kernel: KernelVersion) -> String {
        var out = "this machine (root \(machine.root)): \(assembled.platform.arch.rawValue), kernel \(kernel) \(assembled.kernelReason)\n"
        out += "sources:\n"
        let width = min(machine.sources.map(\.name.count).max() ?? 0, 32)
        for source in machine.sources {
            let name = source.name.padding(toLength: max(width, source.name.count), withPad: " ", startingAt: 0)
            let status = source.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            out += "  \(name)  \(status)  \(source.path): \(source.detail)\n"
        }
        if !assembled.assumptions.isEmpty {
            out += "assumed:\n"
            for line in assembled.assumptions { out += "  \(line)\n" }
        }
        return out
    }

    /// The missing and unreadable sources, except firmware of the other kind than the one read.
    static func warnings(_ machine: RunningMachine, _ assembled: ThisMachinePlatform) -> [String] {
        let otherFirmware: String
        switch assembled.platform.firmware {
        case .acpi: otherFirmware = "device tree"
        case .deviceTree: otherFirmware = "ACPI tables"
        }
        let sources = machine.sources
        return sources.indices.filter { i in
            let source = sources[i]
            guard source.status != .read, !(source.name == otherFirmware && source.status == .missing) else { return false }
            // A source another one of the same name stood in for (config.gz, then boot/config-RELEASE) is no warning.
            return !sources[(i + 1)...].contains { $0.name == source.name && $0.status == .read }
        }.map { "\(sources[$0].name): \(sources[$0].path): \(sources[$0].detail)" }
    }

    struct JSONPart: Encodable {
        var title: String
        var real: [String]
        var emulated: [String]
        var differing: Int
    }

    struct JSONHeader: Encodable {
        var root: String
        var arch: String
        var kernel: String
        var kernelReason: String
        var sources: [RunningMachine.Source]
        var assumptions: [String]
        var comparison: [JSONPart]?
    }

    /// `{"root", "arch", "kernel", "kernelReason", "sources", "assumptions", "comparison", "boot"}`: `boot` is `boot --format json`'s document.
    static func json(_ machine: RunningMachine, _ assembled: ThisMachinePlatform, result: BootResult,
                     parts: [LogComparison.Part]?) throws -> String {
        let header = JSONHeader(root: machine.root, arch: assembled.platform.arch.rawValue, kernel: result.profile.kernel.description,
                                kernelReason: assembled.kernelReason, sources: machine.sources, assumptions: assembled.assumptions,
                                comparison: parts?.map { JSONPart(title: $0.title, real: $0.real, emulated: $0.emulated, differing: $0.diff.count) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = String(decoding: try encoder.encode(header), as: UTF8.self)
        guard text.hasSuffix("}") else { return text }
        text.removeLast()
        let boot = try JSONReport.render(result).trimmingCharacters(in: .whitespacesAndNewlines)
        return text + ",\"boot\":" + boot + "}"
    }
}
