import Foundation
import Testing
@testable import PcpuBootCLI
import PcpuBootTestSupport

/// Real device trees from Debian's kernel packages (Tests/Fixtures/debian-dtbs,
/// expectations from `dtc -I dtb -O dts`, see its README): each ends in exit 0,
/// 1 or 2 with one precise line; a tree whose memory the boot loader fills in
/// says so and boots once `--memory` supplies it. The full sweep over every DTB
/// is scripts/check-debian-dtbs.sh.
@Suite struct DebianDTBSampleTests {
    static let folder = Fixtures.testsDirectory.appendingPathComponent("Fixtures/debian-dtbs").path

    static let samples: [(String, String)] = [
        ("arm64", "mt7988a-bananapi-bpi-r4.dtb"), ("arm64", "ipq5018-rdp432-c2.dtb"), ("arm64", "mt6755-evb.dtb"),
        ("arm64", "hip07-d05.dtb"), ("riscv64", "cv1800b-milkv-duo.dtb"), ("riscv64", "hifive-unleashed-a00.dtb"),
    ]

    static func path(_ arch: String, _ file: String) -> String { "\(folder)/\(arch)/\(file)" }

    static func boot(_ arch: String, _ file: String, _ extra: [String] = []) -> CommandOutput {
        PcpuBootCLI.run(["--dtb", path(arch, file), "--arch", arch, "--static-size", "87272", "--format", "dmesg"] + extra)
    }

    @Test(arguments: samples.indices) func everySampleEndsWithinTheContract(_ index: Int) {
        let (arch, file) = Self.samples[index]
        let output = Self.boot(arch, file)
        #expect([0, 1, 2].contains(output.status))
        if output.status == 2 {
            #expect(output.stderr.split(separator: "\n").count == 1)
            #expect(output.stderr.contains(Self.path(arch, file)))
        }
    }

    @Test func aTreeWithoutMemoryNodeSaysHowToSupplyRAM() {
        let output = Self.boot("arm64", "mt7988a-bananapi-bpi-r4.dtb")
        #expect(output.status == 2)
        #expect(output.stderr.contains("mt7988a-bananapi-bpi-r4.dtb: no usable memory: the tree has no memory node"), "\(output.stderr)")
        #expect(output.stderr.contains("--memory BASE:SIZE[@NODE]"))
        let fixed = Self.boot("arm64", "mt7988a-bananapi-bpi-r4.dtb", ["--memory", "0x40000000:1G"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("percpu: Embedded"))
    }

    @Test func aZeroSizeMemoryNodeIsNamed() {
        let output = Self.boot("arm64", "ipq5018-rdp432-c2.dtb")
        #expect(output.status == 2)
        #expect(output.stderr.contains("its memory node /memory@40000000: reg <0x40000000 0x0> describes no RAM of non-zero size"),
                "\(output.stderr)")
        let fixed = PcpuBootCLI.run(["--dtb", Self.path("arm64", "ipq5018-rdp432-c2.dtb"), "--arch", "arm64",
                                     "--static-size", "87272", "--memory", "0x40000000:512M", "--format", "json"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        // memblock.memory is the supplied bank: 0x40000000, 512 MiB.
        #expect(fixed.stdout.contains("\"base\" : \"0x40000000\"") || fixed.stdout.contains("\"base\":\"0x40000000\""))
    }

    /// hip07-d05: 64 CPUs with reg 0x10000 onwards, but the blob's header says
    /// boot_cpuid_phys 0x0 (fdtdump), which stands in for the boot CPU's MPIDR here:
    /// smp_init_cpus finds no CPU node for it (arch/arm64/kernel/smp.c) and boots one CPU.
    @Test func hip07WithItsHeadersBootCPUBootsOneCPU() {
        let output = Self.boot("arm64", "hip07-d05.dtb")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("CPU: missing boot CPU MPIDR, not enabling secondaries\n"))
        #expect(output.stdout.contains("NUMA: Initmem setup node 3 [<memory-less node>]"))
    }

    @Test func riscvBoardsBoot() {
        #expect(Self.boot("riscv64", "cv1800b-milkv-duo.dtb").status == 0)
        #expect(Self.boot("riscv64", "hifive-unleashed-a00.dtb").status == 0)
    }

    @Test func bootLoaderMemoryInAPlatformFile() throws {
        let yaml = """
        arch: arm64
        static-size: 87272
        firmware:
          device-tree:
            dtb: \(Self.path("arm64", "ipq5018-rdp432-c2.dtb"))
            boot-loader-memory:
              - { base: 0x40000000, size: 256M }
              - { base: 0x80000000, size: 256M, numa-node-id: 0 }
        """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bl-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path, "--format", "dmesg"])
        #expect(output.status == 0, "\(output.stderr)")
    }

    /// A written-out memory node of size 0: the message names the platform file's line.
    @Test func aZeroSizeMemoryNodeInYAMLNamesItsLine() throws {
        let yaml = """
        arch: arm64
        static-size: 87272
        firmware:
          device-tree:
            cpu-count: 2
            memory:
              - { reg: [0x40000000, 0] }
        """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zero-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let output = PcpuBootCLI.run([path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("\(path):7:"), "\(output.stderr)")
        #expect(output.stderr.contains("firmware.device-tree.memory[0]"))
    }

    @Test func badMemoryFlagsAreExplained() {
        for bad in ["0x40000000", "x:1G", "0x40000000:0", "0x40000000:1G@x", "0xffffffffffffffff:2"] {
            let output = Self.boot("arm64", "mt6755-evb.dtb", ["--memory", bad])
            #expect(output.status == 2, "\(bad)")
            #expect(output.stderr.contains("--memory '\(bad)'"), "\(output.stderr)")
        }
    }
}
