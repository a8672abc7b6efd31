import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// Acceptance against Tests/Fixtures/firmware-boots: real boots of Debian's 6.1.0-56 under
/// QEMU whose initramfs printed the machine's own ACPI tables. `check LOG --acpi-tables DIR`
/// must find the per-CPU lines and the per-CPU memblock trace identical; the expected lines
/// are always read from the case's console.log. Besides the two shared cases: CPUs the MADT
/// lists disabled (`maxcpus=`, hot-pluggable, placed by numa_init_array), CPU-only
/// (memory-less) nodes, q35 with 32 CPUs on 4 nodes, a machine without SRAT, and the hot-plug
/// machine under Debian 13's 6.12, which drops the disabled MADT entries under TCG; then q35
/// with hot-pluggable CPUs and a SLIT, a CPU-only node beside two with memory, 32 CPUs on 4
/// nodes with a SLIT and memory above the PCI hole, arm64 ACPI with 4 nodes (one CPU-only),
/// sparse APIC IDs (3 sockets x 3 cores) with hot-pluggable CPUs and a memory-only node, a
/// memory-less node 0 with a hot-pluggable CPU, `percpu_alloc=page nr_cpus=7` on q35, a 2 MiB
/// node, the page first chunk under 4-level paging (`no5lvl`) with 32 CPUs, `mem=` and
/// `possible_cpus=`; and four of them again under Debian 13's 6.12.117, five under Debian
/// unstable's 7.2.13. arm64 ACPI NUMA itself works only with a newer UEFI (trixie's edk2
/// 2025.02; bookworm's hands its empty flash bank to the kernel as RAM on no node): the
/// arm64-acpi-numa-* and arm64-acpi-32cpu-4node cases.
@Suite struct FirmwareBootTests {
    static let cases = ["x86-2node-embed", "arm64-acpi-2node", "x86-hotplug", "x86-memoryless", "x86-q35-32cpu", "x86-nonuma",
                         "x86-hotplug-6.12", "x86-memoryless-6.12",
                         "x86-q35-hotplug", "x86-memoryless-node2", "x86-32cpu-4node-slit", "arm64-acpi-4node-memoryless",
                         "x86-sparse-apic-cpuless", "x86-memoryless-node0-hotplug", "x86-q35-page-nrcpus",
                         "x86-tiny-node", "x86-page-4level-32cpu", "x86-mem-limit",
                         "x86-q35-hotplug-6.12", "x86-sparse-apic-cpuless-6.12", "x86-q35-page-nrcpus-6.12",
                         "arm64-acpi-4node-memoryless-6.12",
                         "x86-q35-hotplug-7.2", "x86-sparse-apic-cpuless-7.2", "x86-q35-page-nrcpus-7.2",
                         "x86-memoryless-node0-hotplug-7.2", "arm64-acpi-4node-memoryless-7.2",
                         "x86-memhotplug", "x86-nonuma-hotplug", "x86-numa-off", "x86-numa-noacpi",
                         "arm64-acpi-hotplug", "arm64-acpi-hotplug-6.12", "arm64-acpi-hotplug-7.2",
                         "arm64-acpi-numa-memoryless", "arm64-acpi-numa-memoryless-6.12", "arm64-acpi-numa-memoryless-7.2",
                         "arm64-acpi-numa-hotplug", "arm64-acpi-numa-hotplug-6.12", "arm64-acpi-numa-hotplug-7.2",
                         "arm64-acpi-32cpu-4node", "arm64-acpi-page-cpuless", "arm64-acpi-page-cpuless-6.12",
                         "arm64-acpi-page-cpuless-7.2", "x86-q35-8node-128maxcpus",
                         "x86-q35-hotplug-nrcpus1", "x86-q35-hotplug-possible12", "x86-numa-fake"]
    static let directory = Fixtures.testsDirectory.appendingPathComponent("Fixtures/firmware-boots")

    static func path(_ name: String, _ file: String) -> String { directory.appendingPathComponent("\(name)/\(file)").path }

    /// The Debian kernel of a case: 6.1.0-56, or the 6.12.117 / 7.2.13 its name ends with (the
    /// arm64 ACPI logs lost their 'Linux version' line; the others agree with it).
    static func kernel(_ name: String) -> String { name.hasSuffix("-6.12") ? "6.12" : name.hasSuffix("-7.2") ? "7.2" : "6.1" }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    @Test(arguments: cases)
    func checkFromTheTablesFindsNoDifference(_ name: String) throws {
        // Every case is Debian's 6.1.0-56 (the folder's README); a log that lost its 'Linux version'
        // line (arm64-acpi-2node) needs it said, and for the others it agrees with the log.
        let output = PcpuBootCLI.run(["check", Self.path(name, "console.log"), "--acpi-tables", Self.path(name, "acpi"),
                                      "--kernel", Self.kernel(name)])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        let real = RealBootLog(text: try String(contentsOfFile: Self.path(name, "console.log"), encoding: .utf8))
        #expect(real.percpuLines.count >= 3)
        #expect(real.percpuMemblockTrace.count > 4)
        #expect(output.stdout.contains("per-CPU lines: \(real.percpuLines.count) real, \(real.percpuLines.count) emulated, identical"))
        #expect(output.stdout.contains("memblock trace of the per-CPU setup: \(real.percpuMemblockTrace.count) real, "
                                       + "\(real.percpuMemblockTrace.count) emulated, identical"))
    }

    /// The emulated boot from the tables prints the NUMA and CPU lines this kernel printed:
    /// on x86 the SRAT lines and `smpboot: Allowing 6 CPUs, 0 hotplug CPUs`; on arm64 the
    /// failed SRAT NUMA init (UEFI's flash at 0x4000000 is RAM on no node: `invalid memblk
    /// node 16`), the faked node, and `acpi_map_cpus_to_nodes`' `-> Node -1` lines.
    @Test(arguments: cases)
    func numaAndCPULinesMatchTheLog(_ name: String) throws {
        let log = RealBootLog(text: try String(contentsOfFile: Self.path(name, "console.log"), encoding: .utf8))
        let real = log.lines
        let x86 = name.hasPrefix("x86")
        let v612 = Self.kernel(name) != "6.1"     // 6.12 and 7.2: x86's SRAT processor lines are pr_debug
        let output = PcpuBootCLI.run(["--acpi-tables", Self.path(name, "acpi"), "--arch", x86 ? "x86_64" : "arm64",
                                      "--kernel", Self.kernel(name),
                                      "--static-size", String(try #require(log.staticSize)),
                                      "--memblock-from", Self.path(name, "console.log"), "--format", "dmesg"]
                                     + ["--cmdline", log.commandLine ?? ""])   // nr_cpus=7 in x86-q35-page-nrcpus
        #expect(output.status == 0, "\(output.stderr)")
        let prefixes = ["SRAT: PXM", "ACPI: SRAT: Node", "ACPI: NUMA: SRAT", "NUMA: Warning: invalid memblk",
                        "NUMA: Faking", "Faking ", "NUMA: no nodes coverage", "smpboot: Allowing", "smpboot: 8 Processors exceeds", "CPU topo: Allowing", "NUMA: Node 0 [mem", "Initializing node", "No NUMA configuration found", "NUMA turned off", "NUMA: Initmem setup node"]
        func pick(_ lines: [String]) -> [String] { lines.filter { line in prefixes.contains { line.hasPrefix($0) } } }
        let expected = pick(real)
        let withSRAT = real.contains { $0.hasPrefix("ACPI: SRAT: Node") }
        #expect(expected.count >= (!withSRAT ? 2 : x86 ? (v612 ? 3 : 9) : 6))
        #expect(pick(Self.lines(output.stdout)) == expected)
    }

    /// x86-q35-page-nrcpus (`percpu_alloc=page`): `populate_extra_pte` maps the page first
    /// chunk's vm area, 7 units x 237568 bytes = 0x196000 from VMALLOC_START, inside one PMD
    /// entry (2 MiB). QEMU's `-cpu max` has LA57 and Debian's 6.1 has CONFIG_X86_5LEVEL, so the
    /// kernel ran 5-level paging (`max_arch_pfn = 0x10000000000` = 1 << (52 - 12)): VMALLOC_START
    /// 0xffa0000000000000 with every level empty, one `spp_getpage` each for the P4D, PUD, PMD
    /// and PTE pages — 4, as the log has them. The ACPI tables do not say the paging mode; check
    /// takes it from the log (under the 4-level default it would be 3: PUD, PMD, PTE).
    @Test func pageFirstChunkPageTablesFollowTheLogsPaging() throws {
        let name = "x86-q35-page-nrcpus"
        let real = RealBootLog(text: try String(contentsOfFile: Self.path(name, "console.log"), encoding: .utf8))
        #expect(real.percpuMemblockTrace.filter { $0.hasSuffix(" spp_getpage") }.count == 4)
        #expect(real.lines.contains { $0.hasSuffix("max_arch_pfn = 0x10000000000") })
        let output = PcpuBootCLI.run(["check", Self.path(name, "console.log"), "--acpi-tables", Self.path(name, "acpi")])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(!output.stderr.contains("note: paging"))       // the 4-level default is replaced silently
        // A platform file that says 4-level is overridden by the log, and the note says so.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("paging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: Self.path(name, "acpi"), toPath: dir.appendingPathComponent("acpi").path)
        try "arch: x86_64\nkernel: 6.1\nstatic-size: 217088\nconfig:\n  paging: 4-level\nfirmware:\n  acpi:\n    tables: acpi\n"
            .write(to: dir.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let withFile = PcpuBootCLI.run(["check", Self.path(name, "console.log"), "--platform", dir.appendingPathComponent("m.yaml").path])
        #expect(withFile.status == 0, "\(withFile.stdout)\(withFile.stderr)")
        #expect(withFile.stderr.contains("note: paging 5-level, not 4-level: the log's line 30"))
    }

    /// arm64-acpi-4node-memoryless-6.12: Debian's 6.12.117 under UEFI, whose empty flash bank
    /// [0x4000000, 0x8000000) is RAM (NOMAP) outside the SRAT. 6.12.y's arch_numa refuses
    /// memory on no valid node (180bbad69864, memblock_validate_numa_coverage(0)): 64 MiB of
    /// 0x4000000 + 3 GiB = 3136 MiB, then the faked node — the log's lines, where 6.12.0 went
    /// on to an Oops. The kernel is VA_BITS=52 on a 48-bit cortex-a57: the early allocations
    /// ask for memory above __pa(PAGE_OFFSET) = round_down(0x4000000, 1 GiB) − 0xf000000000000
    /// = 0xfff1000000000000 (mod 2^64), which the log shows before the per-CPU setup; check
    /// reads it there, and the Debian config (kernel-boots-6.12's) says the same.
    @Test func arm64UncoveredMemoryFakesANodeOn612() throws {
        let name = "arm64-acpi-4node-memoryless-6.12"
        let text = try String(contentsOfFile: Self.path(name, "console.log"), encoding: .utf8)
        let real = RealBootLog(text: text)
        #expect(real.lines.contains("NUMA: no nodes coverage for 64MB of 3136MB RAM"))
        #expect(real.lines.contains("NUMA: Faking a node at [mem 0x0000000004000000-0x00000000ffffffff]"))
        let wrapped = try #require(BootLogFacts(text: text).vaBits52On48)
        #expect(wrapped.text?.hasPrefix("memblock_alloc_exact_nid_raw: 52428800 bytes align=0x200000 nid=0 from=0xfff1000000000000 ") == true)
        let config = Fixtures.testsDirectory.appendingPathComponent("Fixtures/kernel-boots-6.12/arm64-4node-embed/config").path
        for extra in [["--acpi-tables", Self.path(name, "acpi")], [], ["--config", config]] {
            let output = PcpuBootCLI.run(["check", Self.path(name, "console.log"), "--kernel", "6.12"] + extra)
            #expect(output.status == 0, "\(extra): \(output.stdout)\(output.stderr)")
            #expect(output.stdout.contains("memblock trace of the per-CPU setup: 14 real, 14 emulated, identical"))
        }
    }

    /// `numa=fake=2` (x86-numa-fake): no SRAT, so the dummy node [0, 0x7ffe0000) is split in two
    /// (`Faking node 1 at [mem 0x0000000040000000-0x000000007ffdffff] (1023MB)`, nr_node_ids:2),
    /// CPUs round-robin 0 1 0 1: `[0] 0 2 [1] 1 3`. From the tables, and from the log alone.
    @Test func numaFakeIsEmulated() throws {
        let name = "x86-numa-fake"
        let real = RealBootLog(text: try String(contentsOfFile: Self.path(name, "console.log"), encoding: .utf8))
        #expect(real.percpuLines.first == "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:4 nr_cpu_ids:4 nr_node_ids:2")
        #expect(real.lines.contains("Faking node 0 at [mem 0x0000000000000000-0x000000003fffffff] (1024MB)"))
        for extra in [["--acpi-tables", Self.path(name, "acpi")], []] {
            let output = PcpuBootCLI.run(["check", Self.path(name, "console.log")] + extra)
            #expect(output.status == 0, "\(extra): \(output.stdout)\(output.stderr)")
            #expect(output.stdout.contains("per-CPU lines: 4 real, 4 emulated, identical"))
            #expect(!output.stderr.contains("not emulated"))
        }
        // The uniform form is not emulated, and says so.
        let uniform = PcpuBootCLI.run(["x86_64-2socket", "--cmdline", "numa=fake=2U", "--format", "dmesg"])
        #expect(uniform.stderr.contains("'numa=fake=2U': the uniform form (numa=fake=<N>U, split_nodes_size_interleave_uniform) is not emulated"))
    }

    /// kernel-boots/x86-2node-embed is the same QEMU machine (its log lists the SRAT, SLIT
    /// and APIC at the same addresses with the same lengths): its check passes from these
    /// tables instead of the hand-written platform file.
    @Test func theKernelBootsX86CaseChecksFromTheRecordedTables() throws {
        let log = Fixtures.kernelBoots.appendingPathComponent("x86-2node-embed/console.log").path
        func tableLines(_ path: String) throws -> [String] {
            RealBootLog(text: try String(contentsOfFile: path, encoding: .utf8)).lines
                .filter { $0.hasPrefix("ACPI: SRAT 0x") || $0.hasPrefix("ACPI: SLIT 0x") || $0.hasPrefix("ACPI: APIC 0x") }
        }
        let lines = try tableLines(log)
        #expect(lines.count == 3)
        #expect(lines == (try tableLines(Self.path("x86-2node-embed", "console.log"))))
        let output = PcpuBootCLI.run(["check", log, "--acpi-tables", Self.path("x86-2node-embed", "acpi")])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }

    /// The reader gives the model the hand-written platform file describes (every value of
    /// that file was read off the boot log): the same CPUs, enabled memory, SLIT and SRAT
    /// revision. The tables add a disabled, empty memory affinity entry QEMU writes last.
    @Test func theTablesGiveTheModelOfTheHandWrittenPlatform() throws {
        let yaml = Fixtures.testsDirectory.appendingPathComponent("Fixtures/platforms/x86-2node-embed.yaml").path
        let platform = try PlatformLoader.load(path: yaml, dtbLoader: DeviceTreeBlob.load(path:))
        guard case .acpi(let written) = platform.firmware else { Issue.record("not ACPI"); return }
        let read = try ACPITablesFirmware.load(directory: Self.path("x86-2node-embed", "acpi"))
        #expect(read.processors.map(\.hardwareID) == written.processors.map(\.hardwareID))
        #expect(read.processors.map(\.proximityDomain) == written.processors.map(\.proximityDomain))
        #expect(read.processors.map(\.enabled) == written.processors.map(\.enabled))
        #expect(read.memory.filter(\.enabled) == written.memory)
        #expect(read.memory.count == 4 && !read.memory[3].enabled && read.memory[3].length == 0)
        #expect(read.slit == written.slit)
        #expect(read.sratRevision == written.sratRevision)
        #expect(read.madt?.map(\.hardwareID) == [0, 1, 2, 3, 4, 5])
        #expect(read.onlineCapableSupported == false)
    }

    /// A damaged table is exit status 2 with the file, the table and the offset.
    @Test func corruptTableIsAnInputError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var srat = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.path("x86-2node-embed", "acpi/SRAT"))))
        srat = Array(srat.prefix(200))
        try Data(srat).write(to: dir.appendingPathComponent("srat.dat"))
        let output = PcpuBootCLI.run(["check", Self.path("x86-2node-embed", "console.log"), "--acpi-tables", dir.path])
        #expect(output.status == 2)
        #expect(output.stderr.contains("srat.dat: error: SRAT at offset 0x4: truncated: the length field says 304 bytes, the file holds 200"))
    }

    /// `firmware.acpi.tables` in a platform file reads the directory relative to the file.
    @Test func platformFileKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: Self.path("x86-2node-embed", "acpi"), toPath: dir.appendingPathComponent("acpi").path)
        let yaml = """
            arch: x86_64
            kernel: 6.1
            static-size: 217088
            firmware:
              acpi:
                tables: acpi
            """
        try yaml.write(to: dir.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let platform = try PlatformLoader.load(path: dir.appendingPathComponent("m.yaml").path, dtbLoader: DeviceTreeBlob.load(path:))
        guard case .acpi(let acpi) = platform.firmware else { Issue.record("not ACPI"); return }
        #expect(acpi.madt?.count == 6)
        #expect(acpi.memory.count == 4)
        let bad = yaml + "\n    slit: [[10]]\n"
        try bad.write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) {
            try PlatformLoader.load(path: dir.appendingPathComponent("bad.yaml").path, dtbLoader: DeviceTreeBlob.load(path:))
        }
    }
}
