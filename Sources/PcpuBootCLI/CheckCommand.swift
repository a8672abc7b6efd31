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

    @Option(help: ArgumentHelp("A platform file or bundled name describing the machine instead of --dtb.", valueName: "platform"))
    var platform: String?

    @Option(name: .customLong("nr-cpus"), help: ArgumentHelp("CONFIG_NR_CPUS of the kernel that booted (default: the architecture's).", valueName: "n"))
    var nrCPUs: String?

    @Option(help: ArgumentHelp("The kernel that booted, when the log lost its 'Linux version' line (3.10 to 7.2).",
                               valueName: "version"))
    var kernel: String?

    @Option(name: .customLong("config"),
            help: ArgumentHelp("The booted kernel's own .config (/boot/config-*): NR_CPUS, NODES_SHIFT, page size, VA bits, ... (over the platform's).",
                               valueName: "file"))
    var kernelConfig: String?

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
        options.dtb = dtb
        options.arch = arch.rawValue
        let version: KernelChoice
        switch KernelChoice.choose(log: real, flag: kernel, platformPath: platform) {
        case .success(let choice): version = choice
        case .failure(let message): return .inputError("\(logPath): \(message)")
        }
        options.kernel = version.version?.description
        options.staticSize = String(staticSize)
        options.nrCPUs = nrCPUs
        options.cmdline = real.commandLine ?? ""
        options.memblockFrom = logPath
        var prepared: PreparedBoot
        switch options.prepare() {
        case .success(let p): prepared = p
        case .failure(let output): return output
        }
        if let kernelConfig {
            guard let data = FileManager.default.contents(atPath: kernelConfig) else {
                return .inputError("\(kernelConfig): cannot read the kernel config")
            }
            do throws(InputError) {
                prepared.platform.config = try KernelConfigFile.apply(String(decoding: data, as: UTF8.self), fileName: kernelConfig,
                                                                      to: prepared.platform.config, arch: prepared.platform.arch)
            } catch {
                return .inputError(error.description)
            }
            if let nrCPUs, let value = PlatformLoader.parseNumber(nrCPUs) { prepared.platform.config.nrCpus = Int(value) }
        }
        let result: BootResult
        do { result = try Boot.run(prepared.platform, memblockLog: prepared.memblockLog) } catch {
            return .inputError(error.description)
        }
        let emulated = result.log.texts()
        var out = "kernel \(result.profile.kernel): \(version.reason)\n"
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
        return CommandOutput(stdout: out, status: differences == 0 ? 0 : 1)
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

/// Which kernel `check` emulates, and why (issue 7: the log decides; a log that lost
/// its start leaves it to `--kernel` or the platform's `kernel:`).
struct KernelChoice {
    /// nil: the platform file's own `kernel:` stays.
    var version: KernelVersion?
    var reason: String

    static func choose(log: RealBootLog, flag: String?, platformPath: String?) -> Result<KernelChoice, CheckFailure> {
        let flagVersion: KernelVersion?
        do throws(KernelVersionError) { flagVersion = try flag.map(KernelVersion.parse) } catch {
            return .failure(CheckFailure("--kernel: \(error)"))
        }
        if let text = log.linuxVersionText {
            let logVersion: KernelVersion
            do throws(KernelVersionError) { logVersion = try KernelVersion.parse(text) } catch {
                return .failure(CheckFailure("'Linux version \(text)': \(error)"))
            }
            var reason = "from the log's 'Linux version \(text)'"
            if let flagVersion, flagVersion != logVersion {
                reason += " (--kernel \(flagVersion) contradicts the log and is not used)"
            }
            return .success(KernelChoice(version: logVersion, reason: reason))
        }
        if let flagVersion {
            return .success(KernelChoice(version: flagVersion,
                                         reason: "from --kernel (the log has no 'Linux version' line: its start was lost)"))
        }
        if let platformPath {
            return .success(KernelChoice(version: nil,
                                         reason: "from the platform \(platformPath) (the log has no 'Linux version' line)"))
        }
        return .failure(CheckFailure("the log has no 'Linux version' line (its start was lost, e.g. to an early "
                                     + "buffer overflow with memblock=debug): name the kernel that booted with --kernel"))
    }
}

/// A reason `check` cannot start, said once.
struct CheckFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
