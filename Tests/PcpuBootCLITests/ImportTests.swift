import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// `pcpu-boot import LOG`, then `pcpu-boot FILE`: the imported platform boots to the real
/// log's per-CPU lines, on every x86 and ACPI boot recorded (the expected lines are the log's).
@Suite struct ImportTests {
    static let logs = ["firmware-boots/x86-2node-embed", "firmware-boots/arm64-acpi-2node", "firmware-boots/x86-hotplug",
                       "firmware-boots/x86-memoryless", "firmware-boots/x86-q35-32cpu", "firmware-boots/x86-nonuma",
                       "firmware-boots/x86-hotplug-6.12", "firmware-boots/x86-memoryless-6.12",
                       "firmware-boots/x86-q35-hotplug", "firmware-boots/x86-memoryless-node2", "firmware-boots/x86-32cpu-4node-slit",
                       "firmware-boots/arm64-acpi-4node-memoryless", "firmware-boots/x86-sparse-apic-cpuless",
                       "firmware-boots/x86-memoryless-node0-hotplug", "firmware-boots/x86-q35-page-nrcpus",
                       "firmware-boots/x86-tiny-node", "firmware-boots/x86-page-4level-32cpu", "firmware-boots/x86-mem-limit",
                       "firmware-boots/x86-q35-hotplug-6.12", "firmware-boots/x86-sparse-apic-cpuless-6.12",
                       "firmware-boots/x86-q35-page-nrcpus-6.12", "firmware-boots/arm64-acpi-4node-memoryless-6.12",
                       "firmware-boots/x86-q35-hotplug-7.2", "firmware-boots/x86-sparse-apic-cpuless-7.2",
                       "firmware-boots/x86-q35-page-nrcpus-7.2", "firmware-boots/x86-memoryless-node0-hotplug-7.2",
                       "firmware-boots/arm64-acpi-4node-memoryless-7.2",
                       "firmware-boots/x86-memhotplug", "firmware-boots/x86-nonuma-hotplug", "firmware-boots/x86-numa-off",
                       "firmware-boots/x86-numa-noacpi",
                       "firmware-boots/arm64-acpi-hotplug", "firmware-boots/arm64-acpi-hotplug-6.12", "firmware-boots/arm64-acpi-hotplug-7.2",
                       "firmware-boots/arm64-acpi-numa-memoryless", "firmware-boots/arm64-acpi-numa-memoryless-6.12",
                       "firmware-boots/arm64-acpi-numa-memoryless-7.2", "firmware-boots/arm64-acpi-numa-hotplug",
                       "firmware-boots/arm64-acpi-numa-hotplug-6.12", "firmware-boots/arm64-acpi-numa-hotplug-7.2",
                       "firmware-boots/arm64-acpi-32cpu-4node", "firmware-boots/arm64-acpi-page-cpuless",
                       "firmware-boots/arm64-acpi-page-cpuless-6.12", "firmware-boots/arm64-acpi-page-cpuless-7.2",
                       "firmware-boots/x86-q35-8node-128maxcpus", "firmware-boots/x86-q35-hotplug-nrcpus1",
                       "firmware-boots/x86-q35-hotplug-possible12", "firmware-boots/x86-numa-fake",
                       "kernel-boots/x86-2node-embed", "kernel-boots/x86-1cpu"]

    static func log(_ name: String) -> String { Fixtures.testsDirectory.appendingPathComponent("Fixtures/\(name)/console.log").path }

    @Test(arguments: logs)
    func importedPlatformBootsToTheRealLines(_ name: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The arm64 ACPI logs lost their 'Linux version' line: the release is said (the README).
        let kernel = name.contains("arm64-acpi") ? ["--kernel", FirmwareBootTests.kernel(name)] : []
        let imported = PcpuBootCLI.run(["import", Self.log(name), "-o", file] + kernel)
        #expect(imported.status == 0, "\(imported.stderr)")
        let boot = PcpuBootCLI.run([file, "--format", "dmesg"])
        #expect(boot.status == 0, "\(boot.stderr)")
        let real = RealBootLog(text: try String(contentsOfFile: Self.log(name), encoding: .utf8))
        #expect(real.percpuLines.count >= 3)
        #expect(RealBootLog.percpuLines(boot.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
                == real.percpuLines)
    }

    /// `sizeof(pg_data_t)` is the build's: import takes it from the first NODE_DATA line
    /// (B + 1 − A of its range), and node 0's NODE_DATA then lands where the real one did.
    /// Debian 6.1: [0x3ffd5000-0x3fffffff] = 0x2b000 (page-rounded); 6.12.117:
    /// [0x3ffd5680-0x3fffffff] = 0x2a980 and 7.2.13: [0x3ffd4f80-0x3fffffff] = 0x2b080
    /// (cache-line rounded by the generic alloc_node_data).
    @Test(arguments: [("kernel-boots/x86-2node-embed", "0x2b000"), ("kernel-boots-6.12/x86-2node-embed", "0x2a980"),
                      ("kernel-boots-7.2/x86-2node-embed", "0x2b080")])
    func nodeDataSizeFromTheLog(_ name: String, _ size: String) throws {
        let output = PcpuBootCLI.run(["import", Self.log(name)])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("  pg-data-size: \(size)    # line "))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try output.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let boot = PcpuBootCLI.run([file, "--format", "dmesg"])
        let real = RealBootLog(text: try String(contentsOfFile: Self.log(name), encoding: .utf8))
        let node0 = { (lines: [String]) in lines.first { $0.hasPrefix("NODE_DATA(0) allocated") } }
        #expect(node0(boot.stdout.split(separator: "\n").map(String.init)) == node0(real.lines))
        #expect(node0(real.lines) != nil)
    }

    /// Every `# line N: "…"` comment quotes line N of the log exactly.
    @Test(arguments: logs)
    func commentsQuoteTheirLines(_ name: String) throws {
        let output = PcpuBootCLI.run(["import", Self.log(name)])
        #expect(output.status == 0)
        let lines = RealBootLog(text: try String(contentsOfFile: Self.log(name), encoding: .utf8)).lines
        var quoted = 0
        for line in output.stdout.split(separator: "\n") {
            guard let range = line.range(of: "# line ") else { continue }
            let rest = line[range.upperBound...]
            let number = try #require(Int(rest.prefix { $0.isNumber }))
            let text = rest.drop { $0 != "\"" }.dropFirst().dropLast()
            #expect(lines[number - 1] == String(text), "line \(number)")
            quoted += 1
        }
        #expect(quoted >= 6)
    }

    /// The hot-pluggable CPUs: 4 present processors and `hotplug-cpus: 4`, from
    /// "smpboot: Allowing 8 CPUs, 4 hotplug CPUs" and the SRAT's PXM lines.
    @Test func hotplugCPUs() throws {
        let output = PcpuBootCLI.run(["import", Self.log("firmware-boots/x86-hotplug")])
        #expect(output.stdout.contains("hotplug-cpus: 4    # line 166: \"smpboot: Allowing 8 CPUs, 4 hotplug CPUs\""))
        #expect(output.stdout.contains("- { id: 0x3, pxm: 0 }    # line 91: \"SRAT: PXM 0 -> APIC 0x03 -> Node 0\""))
        #expect(!output.stdout.contains("id: 0x4,"))
    }

    /// arm64 VA bits from the early allocations' `from=` (see BootLogFacts.vaBits52On48): the
    /// 6.12 log's wrapped __pa(PAGE_OFFSET) gives `va-bits: 52` when the kernel is known to have
    /// LPA2 (--kernel 6.12; 4K pages); under the assumed default 6.8 it is only a comment, so
    /// the file still loads. Debian's 6.1 is VA_BITS=48: `from=0x0000000000000000`, no va-bits.
    @Test func arm64VABitsFromTheLog() throws {
        let log = Self.log("firmware-boots/arm64-acpi-4node-memoryless-6.12")
        let given = PcpuBootCLI.run(["import", log, "--kernel", "6.12"])
        #expect(given.status == 0, "\(given.stderr)")
        #expect(given.stdout.contains("kernel: \"6.12\"    # assumed: no 'Linux version' line: --kernel"))
        #expect(given.stdout.contains("  va-bits: 52    # line 940: \"memblock_alloc_exact_nid_raw: 52428800 bytes"))
        let assumed = PcpuBootCLI.run(["import", log])
        #expect(!assumed.stdout.contains("va-bits: 52"))
        #expect(assumed.stderr.contains("the log has no 'Linux version' line: kernel 6.8 assumed (give --kernel)"))
        #expect(!given.stderr.contains("assumed"))
        #expect(assumed.stdout.contains("# not written: va-bits 52 (4K pages) needs a kernel with LPA2, not 6.8 (give --kernel): line 940"))
        let v61 = PcpuBootCLI.run(["import", Self.log("firmware-boots/arm64-acpi-2node")])
        #expect(v61.status == 0)
        #expect(!v61.stdout.contains("va-bits"))
        #expect(PcpuBootCLI.run(["import", log, "--kernel", "9.1"]).status == 2)
    }

    /// Debian 7.2.13's arm64 image keeps memblock_free's frame: the distance table's free
    /// before the per-CPU setup (numa_reset_distance → memblock_free) is traced from
    /// `memblock_free+0x5c/0x80` (line 819), so import writes `memblock-free-frame: true`; the
    /// 6.12.117 image tail-calls (its free names numa_reset_distance): nothing written.
    @Test func memblockFreeFrameFromTheLog() throws {
        let v72 = PcpuBootCLI.run(["import", Self.log("firmware-boots/arm64-acpi-4node-memoryless-7.2"), "--kernel", "7.2"])
        #expect(v72.stdout.contains("  memblock-free-frame: true    # line 819: \"memblock_phys_free: [0x00000000ff9fc000-0x00000000ff9fc00f] memblock_free+0x5c/0x80\""))
        let v612 = PcpuBootCLI.run(["import", Self.log("firmware-boots/arm64-acpi-4node-memoryless-6.12"), "--kernel", "6.12"])
        #expect(v612.status == 0)
        #expect(!v612.stdout.contains("memblock-free-frame"))
    }

    /// Under TCG each secondary CPU's `calibrate_delay_direct() failed` lines cut announce_cpu's
    /// pr_cont: x86-numa-off (no SRAT lines: numa=off) announces `.... node  #0, CPUs:      #1`,
    /// then ` #2` and ` #3` on lines of their own. All four CPUs are read, on node 0.
    @Test func bringUpContinuationLines() throws {
        let output = PcpuBootCLI.run(["import", Self.log("firmware-boots/x86-numa-off")])
        #expect(output.status == 0)
        #expect(output.stdout.contains("      - { id: 0x2, pxm: 0 }    # assumed: from the bring-up lines: APIC id = CPU number, domain = node (QEMU); \" #2\" (line 316)"))
        #expect(output.stdout.contains("      - { id: 0x3, pxm: 0 }    # assumed: from the bring-up lines: APIC id = CPU number, domain = node (QEMU); \" #3\" (line 319)"))
    }

    /// A device-tree boot's log does not describe the tree: exit 2, saying what is missing.
    @Test func deviceTreeLogNeedsItsDTB() {
        let output = PcpuBootCLI.run(["import", Fixtures.kernelBoots.appendingPathComponent("arm64-4node-embed/console.log").path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("a device-tree boot"))
        #expect(output.stderr.contains("--dtb"))
    }
}

/// `pcpu-boot check LOG` with nothing else: the machine comes from the log itself
/// (what `import` reads), whenever the log describes it.
@Suite struct CheckFromTheLogAloneTests {
    static let logs = ImportTests.logs + ["kernel-boots-6.12/x86-2node-embed"]

    @Test(arguments: logs)
    func identical(_ name: String) throws {
        // The arm64 ACPI logs lost their 'Linux version' line: Debian 6.1.0-56, 6.12.117 or 7.2.13 (the README).
        let kernel = name.contains("arm64-acpi") ? ["--kernel", FirmwareBootTests.kernel(name)] : []
        let output = PcpuBootCLI.run(["check", ImportTests.log(name)] + kernel)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.components(separatedBy: "identical").count == 3)
    }

    /// The 6.12 log, whose SRAT processor lines are pr_debug: the CPUs' nodes from the
    /// bring-up lines; and its /proc/config.gz-style configuration on top.
    @Test func v612WithItsConfig() throws {
        let dir = Fixtures.testsDirectory.appendingPathComponent("Fixtures/kernel-boots-6.12/x86-2node-embed").path
        let output = PcpuBootCLI.run(["check", dir + "/console.log", "--config", dir + "/config.gz"])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("nr-cpus=8192 [CONFIG_NR_CPUS=8192"))
        let imported = PcpuBootCLI.run(["import", dir + "/console.log"])
        #expect(imported.stdout.contains("- { id: 0x3, pxm: 1 }    # assumed: from the bring-up lines"))
    }

    /// A device-tree log alone: exit 2, naming what to add.
    @Test func deviceTreeLogSaysWhatIsMissing() {
        let output = PcpuBootCLI.run(["check", Fixtures.kernelBoots.appendingPathComponent("arm64-1cpu/console.log").path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("needs the machine's DTB"))
        #expect(output.stderr.contains("--acpi-tables"))
    }
}

/// Logs that lie: numbers no kernel prints are passed over, never a trap or a huge allocation.
@Suite struct ImportRobustnessTests {
    @Test func absurdNumbers() throws {
        let text = """
            [    0.000000] Linux version 6.1.0-56-amd64 (x) #1
            [    0.000000] BIOS-provided physical RAM map:
            [    0.000000] ACPI: SRAT 0x000000007FFE1CA8 000130 (v01 BOCHS  BXPC     00000001 BXPC 00000001)
            [    0.000000] ACPI: SLIT 0x000000007FFE1DD8 000030 (v01 BOCHS  BXPC     00000001 BXPC 00000001)
            [    0.000000] SRAT: PXM 4294967295 -> APIC 0xffffffffffff -> Node 0
            [    0.000000] ACPI: SRAT: Node 0 PXM 4000000000 [mem 0x00000000-0xffffffffffffffff]
            [    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x0000ffff]
            [    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]
            [    0.000000] smpboot: Allowing 99999999999 CPUs, 5 hotplug CPUs
            [    0.000000] smpboot: Allowing 3 CPUs, 5 hotplug CPUs
            [    0.000000] percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u524288
            """
        let facts = BootLogFacts(text: text)
        #expect(facts.cpuCounts == nil)
        #expect(facts.memory.count == 1)                    // not the full range, nor the reversed one
        let yaml = try PlatformImport.render(facts, logName: "lies.log", early: nil)
        #expect(!yaml.contains("slit:"))                    // domain 4294967295 is beyond MAX_PXM_DOMAINS
        #expect(yaml.contains("processors:"))
    }
}
