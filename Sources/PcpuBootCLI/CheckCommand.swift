import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot check LOG`: replay a real boot log and report every line that differs.
struct CheckCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Replay a real memblock=debug boot log and report every per-CPU line that differs.",
        discussion: "Reads the log's command line, kernel version and static per-CPU size, boots the machine "
            + "(from --dtb, or a platform file given with --platform) with memblock started from the log's "
            + "MEMBLOCK configuration dump, and compares the percpu:/pcpu-alloc: lines and the memblock "
            + "trace of the per-CPU setup. Exit status 0 when everything matches, 1 when something differs.")

    @Argument(help: ArgumentHelp("A real boot log (serial console or dmesg) taken with memblock=debug.", valueName: "log"))
    var logPath: String

    @Option(help: ArgumentHelp("The machine's flattened device tree.", valueName: "file"))
    var dtb: String?

    @Option(name: .customLong("acpi-tables"),
            help: ArgumentHelp("The machine's binary ACPI tables (SRAT, SLIT, APIC, FACP or srat.dat, ...); RAM comes from the log's first memblock dump.",
                               valueName: "dir"))
    var acpiTables: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("The kernel's configuration (.config, /boot/config-*, /proc/config.gz).", valueName: "file"))
    var kernelConfig: String?

    @Option(name: .customLong("system-map"), help: ArgumentHelp("The kernel's System.map (__per_cpu_start for the __per_cpu_offset column).", valueName: "file"))
    var systemMap: String?

    @Option(help: ArgumentHelp("The kernel's vmlinux (ELF64), instead of --system-map.", valueName: "file"))
    var vmlinux: String?

    @Option(help: ArgumentHelp("A platform file or bundled name describing the machine instead of --dtb.", valueName: "platform"))
    var platform: String?

    @Option(name: .customLong("nr-cpus"), help: ArgumentHelp("CONFIG_NR_CPUS of the kernel that booted (default: the architecture's).", valueName: "n"))
    var nrCPUs: String?

    @Option(help: ArgumentHelp("Kernel profile of the kernel that booted (default: from the log's 'Linux version', else 6.8).",
                               valueName: "5.10|6.1|6.8|6.12"))
    var kernel: String?

    func execute() -> CommandOutput {
        guard let data = FileManager.default.contents(atPath: logPath) else {
            return .inputError("\(logPath): cannot read the boot log")
        }
        let text = String(decoding: data, as: UTF8.self)
        let real = RealBootLog(text: text)
        guard let arch = real.architecture else {
            return .inputError("\(logPath): cannot tell the architecture from the log (no 'Booting Linux on physical CPU' or x86 lines)")
        }
        guard let staticSize = real.staticSize else {
            return .inputError("\(logPath): the log has no 'percpu:' line with the static size")
        }
        var options = try! MachineOptions.parse([])
        options.platform = platform
        // Nothing but the log: the machine the log describes (x86 and ACPI arm64 print it).
        var imported: String?
        if platform == nil && dtb == nil && acpiTables == nil {
            switch Self.importedPlatform(text, logPath: logPath, arch: arch, kernel: real.kernelVersion) {
            case .success(let path): imported = path
            case .failure(let error): return error
            }
            options.platform = imported
        }
        defer { if let imported { try? FileManager.default.removeItem(atPath: imported) } }
        options.dtb = dtb
        options.acpiTables = acpiTables
        options.kernelConfig = kernelConfig
        options.systemMap = systemMap
        options.vmlinux = vmlinux
        options.arch = arch.rawValue
        // The log's 'Linux version' names the kernel that ran; a --config's header says the same.
        options.kernel = kernel ?? (real.kernelVersion ?? (kernelConfig == nil ? .v6_8 : nil))?.rawValue
        options.staticSize = String(staticSize)
        options.nrCPUs = nrCPUs
        options.cmdline = real.commandLine ?? ""
        options.memblockFrom = logPath
        let prepared: PreparedBoot
        switch options.prepare() {
        case .success(let p): prepared = p
        case .failure(let output): return output
        }
        let result: BootResult
        do { result = try Boot.run(prepared.platform, memblockLog: prepared.memblockLog) } catch {
            return .inputError(error.description)
        }
        let emulated = result.log.texts()
        var out = ""
        var differences = 0
        for (title, realLines, emulatedLines) in [
            ("per-CPU lines", real.percpuLines, RealBootLog.percpuLines(emulated)),
            ("memblock trace of the per-CPU setup", real.percpuMemblockTrace, RealBootLog.percpuMemblockTrace(emulated)),
        ] {
            let diff = LineDiff.compare(expected: realLines, actual: emulatedLines)
            differences += diff.count
            out += "\(title): \(realLines.count) real, \(emulatedLines.count) emulated, \(diff.isEmpty ? "identical" : "\(diff.count) differ")\n"
            for d in diff { out += d + "\n" }
        }
        return CommandOutput(stdout: out, stderr: prepared.noteText, status: differences == 0 ? 0 : 1)
    }
}

extension CheckCommand {
    /// `pcpu-boot import` of the log, written to a temporary platform file.
    static func importedPlatform(_ text: String, logPath: String, arch: Architecture,
                                 kernel: KernelVersion?) -> Result<String, CommandOutput> {
        let facts = BootLogFacts(text: text)
        let early: MemblockSetup?
        do {
            early = try Boot.MemblockLog(text: text, fileName: logPath)
                .earlyMemblock(arch: arch, kernel: kernel ?? .v6_8, config: .defaults(for: arch))
        } catch {
            return .failure(.inputError(error.description))
        }
        let yaml: String
        do { yaml = try PlatformImport.render(facts, logName: logPath, early: early) } catch {
            return .failure(.inputError(error.description + " (or give --platform or --acpi-tables)"))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pcpu-boot-import-\(UUID().uuidString).yaml").path
        do { try yaml.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            return .failure(.inputError("cannot write a temporary platform file: \(error)"))
        }
        return .success(path)
    }
}

/// Line-by-line comparison that names each differing line.
enum LineDiff {
    static func compare(expected: [String], actual: [String]) -> [String] {
        var out: [String] = []
        for i in 0..<max(expected.count, actual.count) {
            let e = i < expected.count ? expected[i] : nil
            let a = i < actual.count ? actual[i] : nil
            if e != a {
                out.append("  line \(i + 1):")
                out.append("    real:     " + (e.map { "\"\($0)\"" } ?? "(none)"))
                out.append("    emulated: " + (a.map { "\"\($0)\"" } ?? "(none)"))
            }
        }
        return out
    }
}
