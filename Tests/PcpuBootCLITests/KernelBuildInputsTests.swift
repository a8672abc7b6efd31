import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// The 6.1 device-tree boots run from the kernel build's own files — Debian's
/// configuration (`--config`) and System.map (`--system-map`, the excerpt in
/// Tests/Fixtures/kernel-build) — instead of `--arch/--kernel/--static-size/--nr-cpus`:
/// the same lines as the real log, and the `__per_cpu_offset` column filled.
@Suite struct KernelBuildInputsTests {
    static let config = Fixtures.kernelBoots.appendingPathComponent("configs/config-6.1.0-56-arm64").path
    static let systemMap = Fixtures.testsDirectory.appendingPathComponent("Fixtures/kernel-build/System.map-6.1.0-56-arm64.percpu").path

    static func arguments(_ name: String, format: String, memblockFrom: Bool) throws -> [String] {
        let dir = Fixtures.kernelBoots.appendingPathComponent(name).path
        var extra = try Fixtures.extraCommandLine(name)
        if memblockFrom { extra = (extra + " memblock=debug").trimmingCharacters(in: .whitespaces) }
        var args = ["--dtb", dir + "/board.dtb", "--config", config, "--system-map", systemMap, "--cmdline", extra,
                    "--format", format]
        if memblockFrom { args += ["--memblock-from", dir + "/console.log"] }
        return args
    }

    @Test(arguments: Fixtures.deviceTreeCases)
    func percpuLinesFromTheBuildFiles(_ name: String) throws {
        let real = RealBootLog(text: try Fixtures.text("\(name)/console.log"))
        let output = PcpuBootCLI.run(try Self.arguments(name, format: "dmesg", memblockFrom: false))
        #expect(output.status == 0, "\(output.stderr)")
        let emulated = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(!real.percpuLines.isEmpty)
        #expect(RealBootLog.percpuLines(emulated) == real.percpuLines)
        // What was taken from where is said on stderr.
        #expect(output.stderr.contains("nr-cpus=256 [CONFIG_NR_CPUS=256 (line 429)]"))
        #expect(output.stderr.contains("static size 87272 = __per_cpu_end 0xffff8000098194e8 - __per_cpu_start 0xffff800009804000"))
    }

    struct Probe: Decodable {
        struct CPU: Decodable { var cpu: Int; var address: String; var perCpuOffset: String? }
        var cpus: [CPU]
    }

    /// Every row has `__per_cpu_offset = address - __per_cpu_start`; on arm64-4node-embed,
    /// worked by hand: the log reserves node 0's group at 0x7ffbc000 (`memblock_reserve:
    /// [0x000000007ffbc000-…] … pcpu_fc_alloc`), CPU 0 is its unit 0 and the lowest
    /// group, so its address is __va(0x7ffbc000) = 0xffff000000000000 + (0x7ffbc000 −
    /// memstart 0x40000000) = 0xffff00003ffbc000, and its offset 0xffff00003ffbc000 −
    /// 0xffff800009804000 = 0xffff8000367b8000 (mod 2^64).
    @Test(arguments: Fixtures.deviceTreeCases)
    func perCPUOffsetColumnFilled(_ name: String) throws {
        let output = PcpuBootCLI.run(try Self.arguments(name, format: "json", memblockFrom: true))
        #expect(output.status == 0, "\(output.stderr)")
        let probe = try JSONDecoder().decode(Probe.self, from: Data(output.stdout.utf8))
        #expect(!probe.cpus.isEmpty)
        for cpu in probe.cpus {
            let address = try #require(UInt64(cpu.address.dropFirst(2), radix: 16))
            #expect(cpu.perCpuOffset == "0x" + String(address &- 0xffff_8000_0980_4000, radix: 16))
        }
        if name == "arm64-4node-embed" {
            #expect(probe.cpus.first?.address == "0xffff00003ffbc000")
            #expect(probe.cpus.first?.perCpuOffset == "0xffff8000367b8000")
        }
    }

    /// `check` with the build files instead of `--nr-cpus`.
    @Test func checkWithTheBuildFiles() throws {
        let dir = Fixtures.kernelBoots.appendingPathComponent("arm64-4node-page").path
        let output = PcpuBootCLI.run(["check", dir + "/console.log", "--dtb", dir + "/board.dtb", "--config", Self.config,
                                      "--system-map", Self.systemMap])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }

    /// The x86 boot from its tables, gzip'd configuration and System.map.
    @Test func x86FromTablesAndBuildFiles() throws {
        let log = Fixtures.kernelBoots.appendingPathComponent("x86-2node-embed/console.log").path
        let tables = Fixtures.testsDirectory.appendingPathComponent("Fixtures/firmware-boots/x86-2node-embed/acpi").path
        let map = Fixtures.testsDirectory.appendingPathComponent("Fixtures/kernel-build/System.map-6.1.0-56-amd64.percpu").path
        let config = Fixtures.kernelBoots.appendingPathComponent("configs/config-6.1.0-56-amd64").path
        let output = PcpuBootCLI.run(["check", log, "--acpi-tables", tables, "--config", config, "--system-map", map])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("paging=5-level [CONFIG_X86_5LEVEL=y"))
    }

    /// Wrong or broken build files are input errors (status 2) naming the file.
    @Test func badBuildFiles() throws {
        let dtb = Fixtures.kernelBoots.appendingPathComponent("arm64-1cpu/board.dtb").path
        let amd = Fixtures.kernelBoots.appendingPathComponent("configs/config-6.1.0-56-amd64").path
        let wrongArch = PcpuBootCLI.run(["--dtb", dtb, "--arch", "arm64", "--config", amd, "--static-size", "87272"])
        #expect(wrongArch.status == 2)
        #expect(wrongArch.stderr.contains("a configuration for x86_64, but the machine is arm64"))
        let notMap = PcpuBootCLI.run(["--dtb", dtb, "--config", Self.config, "--system-map", dtb])
        #expect(notMap.status == 2)
        #expect(notMap.stderr.contains("board.dtb"))
        let notELF = PcpuBootCLI.run(["--dtb", dtb, "--config", Self.config, "--vmlinux", Self.systemMap])
        #expect(notELF.status == 2)
        #expect(notELF.stderr.contains("not an ELF file"))
        let both = PcpuBootCLI.run(["--dtb", dtb, "--config", Self.config, "--vmlinux", dtb, "--system-map", dtb])
        #expect(both.status == 2)
    }

    /// `--vmlinux` on a (tiny, ld-built) image: the static size from its symbols.
    @Test func vmlinuxGivesTheStaticSize() throws {
        let dtb = Fixtures.kernelBoots.appendingPathComponent("arm64-1cpu/board.dtb").path
        let vmlinux = Fixtures.testsDirectory.appendingPathComponent("Fixtures/kernel-build/tiny-vmlinux").path
        let output = PcpuBootCLI.run(["--dtb", dtb, "--arch", "arm64", "--vmlinux", vmlinux, "--format", "dmesg"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("s488 "))      // 0x1e8 bytes (readelf)
    }
}
