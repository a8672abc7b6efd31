import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot import LOG`: writes a platform file from a real boot log.
struct ImportCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write a platform file from a real boot log (x86, or arm64 with ACPI), every value commented with its log line.",
        discussion: "Reads Linux version, the command line, NR_CPUS, the static size, the SRAT lines, the CPU counts and "
            + "the first memblock dump. A device-tree boot's log does not describe its tree: give its DTB to boot or check instead.")

    @Argument(help: ArgumentHelp("A real boot log (serial console or dmesg), best taken with memblock=debug.", valueName: "log"))
    var logPath: String

    @Option(name: [.short, .long], help: ArgumentHelp("Write the platform file here instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The kernel that booted, when the log lost its 'Linux version' line (3.10 to 7.2).",
                               valueName: "version"))
    var kernel: String?

    func execute() -> CommandOutput {
        let given: KernelVersion?
        do throws(KernelVersionError) { given = try kernel.map(KernelVersion.parse) } catch {
            return .inputError("--kernel: \(error)")
        }
        guard let data = FileManager.default.contents(atPath: logPath) else {
            return .inputError("\(logPath): cannot read the boot log")
        }
        let text = String(decoding: data, as: UTF8.self)
        let facts = BootLogFacts(text: text)
        var early: MemblockSetup?
        if let arch = facts.architecture?.value {
            let log = Boot.MemblockLog(text: text, fileName: logPath)
            do throws(BootError) {
                early = try log.earlyMemblock(arch: arch, kernel: facts.kernel?.value ?? given ?? .v6_8, config: .defaults(for: arch))
            } catch {
                return .inputError(error.description)
            }
        }
        let yaml: String
        do throws(PlatformImport.Missing) {
            yaml = try PlatformImport.render(facts, logName: logPath, early: early, kernel: given)
        } catch {
            return .inputError(error.description)
        }
        // A log that lost its start (memblock=debug floods the early buffer) does not say its kernel:
        // the release changes the per-CPU sizes (PERCPU_DYNAMIC_EARLY_SIZE, …), so say what was assumed.
        let assumed = facts.kernel == nil && given == nil
            ? "pcpu-boot: note: \(logPath): the log has no 'Linux version' line: kernel \(KernelVersion.default) assumed (give --kernel)\n" : ""
        guard let output else { return CommandOutput(stdout: yaml, stderr: assumed) }
        do { try yaml.write(toFile: output, atomically: true, encoding: .utf8) } catch {
            return .inputError("\(output): cannot write the platform file")
        }
        return CommandOutput(stderr: assumed + "pcpu-boot: wrote \(output)\n")
    }
}
