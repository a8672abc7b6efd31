import Testing
@testable import PcpuBootCLI

/// What an installed tool offers besides its commands: `--version`, a man page and
/// shell completions, all generated from the argument parser.
@Suite struct InstalledToolTests {
    @Test func version() {
        let output = PcpuBootCLI.run(["--version"])
        #expect(output.status == 0)
        #expect(output.stdout == "pcpu-boot \(PcpuBootVersion.string)\n")
    }

    /// Every visible option of every command appears in the man page, escaped for roff.
    @Test func manualListsEveryOption() {
        let output = PcpuBootCLI.run(["manual"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix(".TH PCPU-BOOT 1 "))
        for command in ["boot", "list", "compare", "check", "manual"] {
            #expect(output.stdout.contains(".SS pcpu-boot \(command)\n"))
        }
        for option in ["dtb", "acpi-tables", "config", "system-map", "vmlinux", "static-size", "nr-cpus",
                       "per-cpu-start", "cmdline", "memblock-from", "format", "pr-debug"] {
            let escaped = ("--" + option).replacingOccurrences(of: "-", with: "\\-")
            #expect(output.stdout.contains("\\fB\(escaped)\\fR"), "missing --\(option)")
        }
        // No roff line may start with an unescaped dot from the text.
        #expect(!output.stdout.split(separator: "\n").contains { $0.hasPrefix(".") && $0.dropFirst().first == " " })
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completions(_ shell: String) {
        let output = PcpuBootCLI.run(["--generate-completion-script", shell])
        #expect(output.status == 0)
        #expect(output.stdout.contains("acpi-tables"))
        #expect(output.stdout.contains("system-map"))
    }
}
