import ArgumentParser
import Foundation
import PercpuBoot

/// `pcpu-boot import LOG`: write a platform file from a real boot log.
struct ImportCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write a platform file from a real boot log (dmesg or serial console).",
        discussion: "Reads the kernel's own lines: Linux version, the command line, setup_percpu:/rcu: NR_CPUS, "
            + "the SRAT lines, smpboot's hotplug CPUs, the BIOS-e820 map or the memblock=debug dump, and the "
            + "static size of the percpu: line. Every value is commented with the log line it came from; what "
            + "the log does not tell is marked ASSUMED. Device-tree boots print no device tree: use --dtb with boot or check.")

    @Argument(help: ArgumentHelp("A real boot log.", valueName: "log"))
    var logPath: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the platform file here instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The platform's name (default: the log's file name without extension).", valueName: "name"))
    var name: String?

    func execute() -> CommandOutput {
        guard let data = FileManager.default.contents(atPath: logPath) else {
            return .inputError("\(logPath): cannot read the boot log")
        }
        let facts = BootLogFacts(text: String(decoding: data, as: UTF8.self))
        let url = URL(fileURLWithPath: logPath).standardizedFileURL
        var platformName = url.deletingPathExtension().lastPathComponent
        if ["console", "dmesg", "kern", "serial", "boot"].contains(platformName.lowercased()) {
            platformName = url.deletingLastPathComponent().lastPathComponent   // …/x86-2node-embed/console.log
        }
        platformName = name ?? platformName
        let yaml: String
        do throws(LogImport.Missing) {
            yaml = try LogImport.platformYAML(facts, logPath: url.path, name: platformName)
        } catch {
            return .inputError("\(logPath): \(error.description)")
        }
        guard let output else { return CommandOutput(stdout: yaml) }
        guard FileManager.default.createFile(atPath: output, contents: Data(yaml.utf8)) else {
            return .inputError("\(output): cannot write the platform file")
        }
        return CommandOutput(stdout: "wrote \(output)\n")
    }
}
