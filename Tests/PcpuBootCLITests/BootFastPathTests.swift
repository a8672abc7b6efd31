import PercpuBoot
import Testing
@testable import PcpuBootCLI

/// The fast path of a plain boot reads the command line as ArgumentParser does:
/// for every command line it takes, the request is the one ArgumentParser builds
/// through the root command (default subcommand `boot`); the rest it leaves to
/// ArgumentParser.
@Suite struct BootFastPathTests {
    static func argumentParserRequest(_ arguments: [String]) throws -> BootRequest {
        let command = try PcpuBootCommand.parseAsRoot(arguments)
        return try #require(command as? BootCommand).request
    }

    static let taken: [[String]] = [
        ["arm64-4node"],
        ["boot", "arm64-4node", "--format", "dmesg"],
        ["platforms/arm64-4node.yaml", "--format=json", "--pr-debug"],
        ["--format", "svg", "x86_64-2socket"],
        ["--dtb", "board.dtb", "--arch", "arm64", "--static-size", "87272", "--kernel", "6.1", "up"],
        ["p.yaml", "--memory", "0x40000000:2G", "--memory=0x100000000:1G@1", "--cmdline", "percpu_alloc=page memblock=debug"],
        ["p.yaml", "--acpi-tables", "acpi", "--config", "config.gz", "--system-map", "System.map", "--nr-cpus", "64",
         "--per-cpu-start", "0xffff800081a20000", "--memblock-from", "console.log"],
        ["p.yaml", "--vmlinux", "vmlinux", "--cmdline=numa=off"],
    ]

    @Test(arguments: taken) func takesWhatArgumentParserTakes(_ arguments: [String]) throws {
        let fast = try #require(BootFastPath.parse(arguments))
        #expect(fast == (try Self.argumentParserRequest(arguments)))
    }

    /// Help, version, other subcommands, unknown, repeated or value-less options,
    /// values that look like options, and a second platform go to ArgumentParser.
    @Test(arguments: [
        [], ["--help"], ["arm64-4node", "-h"], ["--version"], ["list"], ["check", "console.log"],
        ["arm64-4node", "--bogus", "1"], ["arm64-4node", "--format"], ["arm64-4node", "--format", "dmesg", "--format", "json"],
        ["arm64-4node", "--cmdline", "-x"], ["a.yaml", "b.yaml"], ["arm64-4node", "--pr-debug=yes"], ["-v"],
        ["arm64-4node", "--", "x"], ["p.yaml", "--cmdline="], ["help", "boot"], ["arm64-4node", "--generate-completion-script", "bash"], ["--dtb", "board.dtb"],
    ] as [[String]]) func leavesTheRestToArgumentParser(_ arguments: [String]) {
        #expect(BootFastPath.parse(arguments) == nil)
    }

    @Test func knowsEverySubcommand() {
        let names = PcpuBootCommand.configuration.subcommands.compactMap { $0.configuration.commandName }
        for name in names + ["help"] { #expect(BootFastPath.isSubcommandName(name), "\(name)") }
        #expect(!BootFastPath.isSubcommandName("arm64-4node"))
    }

    /// The same command line gives the same output either way.
    @Test func sameOutputAsThroughArgumentParser() throws {
        let arguments = ["arm64-4node", "--format", "dmesg"]
        var sink = StringSink()
        let viaArgumentParser = try Self.argumentParserRequest(arguments).execute(stdout: &sink)
        let whole = PcpuBootCLI.run(arguments)
        #expect(whole.stdout == sink.text + viaArgumentParser.stdout)
        #expect(whole.status == viaArgumentParser.status)
        #expect(whole.stdout.contains("pcpu-alloc: [0] 0 [0] 1 [1] 2 [1] 3 "))
    }
}
