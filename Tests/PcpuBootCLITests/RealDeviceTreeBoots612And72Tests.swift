import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// Acceptance against the real device-tree boots of Debian 13's 6.12.117 and Debian
/// unstable's 7.2.13 (Tests/Fixtures/kernel-boots-6.12 and -7.2, copied from
/// shared/kernel-boots-*): each case boots from its `platform.yaml` (kernel, static size and
/// the config values of the case's `config`, the DTB QEMU handed the kernel). Every expected
/// line is read from the case's console.log.
@Suite struct RealDeviceTreeBoots612And72Tests {
    static let cases = ["kernel-boots-6.12/arm64-4node-embed", "kernel-boots-6.12/arm64-4node-page",
                        "kernel-boots-6.12/riscv64-2node", "kernel-boots-7.2/arm64-4node-embed",
                        "kernel-boots-7.2/arm64-4node-page", "kernel-boots-7.2/riscv64-2node"]

    static func path(_ name: String, _ file: String) -> String {
        Fixtures.testsDirectory.appendingPathComponent("Fixtures/\(name)/\(file)").path
    }

    static func text(_ name: String, _ file: String) throws -> String {
        try String(contentsOfFile: path(name, file), encoding: .utf8)
    }

    /// The platform's own command line (the QEMU `-append` without memblock=debug).
    static func platformCommandLine(_ name: String) throws -> String {
        let yaml = try text(name, "platform.yaml")
        let line = try #require(yaml.split(separator: "\n").first { $0.hasPrefix("cmdline: \"") })
        return String(line.dropFirst("cmdline: \"".count).dropLast())
    }

    static func boot(_ name: String, memblockDebug: Bool) throws -> (status: Int32, lines: [String], stderr: String) {
        var args = [path(name, "platform.yaml"), "--format", "dmesg"]
        if memblockDebug {
            args += ["--cmdline", try platformCommandLine(name) + " memblock=debug", "--memblock-from", path(name, "console.log")]
        }
        let output = PcpuBootCLI.run(args)
        return (output.status, output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                output.stderr)
    }

    @Test func everyCaseHasItsFixtures() {
        for name in Self.cases {
            for file in ["console.log", "board.dtb", "config", "qemu-command.txt", "platform.yaml"] {
                #expect(FileManager.default.fileExists(atPath: Self.path(name, file)), "\(name)/\(file)")
            }
        }
    }

    /// The platform file's config values are the ones the case's kernel config sets.
    @Test(arguments: cases)
    func platformMatchesTheKernelConfig(_ name: String) throws {
        let config = try Self.text(name, "config")
        func value(_ key: String) -> String? {
            config.split(separator: "\n").first { $0.hasPrefix("CONFIG_\(key)=") }.map { String($0.split(separator: "=")[1]) }
        }
        let platform = try PlatformLoader.load(path: Self.path(name, "platform.yaml"), dtbLoader: DeviceTreeBlob.load(path:))
        #expect(String(platform.config.nrCpus) == value("NR_CPUS"))
        #expect(String(platform.config.nodesShift) == value("NODES_SHIFT"))
        #expect(value("PAGE_SIZE_4KB") == "y" && platform.config.pageSize == 4096)
        if platform.arch == .arm64 { #expect(platform.config.vaBits.map(String.init) == value("ARM64_VA_BITS")) }
        #expect(platform.config.randomKmallocCaches == (value("RANDOM_KMALLOC_CACHES") == "y"))
        #expect(platform.config.memAllocProfiling == (value("MEM_ALLOC_PROFILING") == "y"))
        #expect(platform.config.lockdep == (value("LOCKDEP") == "y"))
        let real = RealBootLog(text: try Self.text(name, "console.log"))
        #expect(platform.staticSize == real.staticSize)
    }

    /// One test per case: the `percpu:`/`pcpu-alloc:` lines byte for byte from the platform
    /// alone; then, started from the log's last memblock dump with memblock=debug, the per-CPU
    /// memblock trace (sizes, aligns, nids, goals, each reserve, every free — zero-length unit
    /// tails included) and every memblock call after the `percpu:` line (pcpu_setup_first_chunk's
    /// tables, both first-chunk structs with their maps, the frees that end the setup).
    @Test(arguments: cases)
    func realBootIsReproduced(_ name: String) throws {
        let real = RealBootLog(text: try Self.text(name, "console.log"))

        let plain = try Self.boot(name, memblockDebug: false)
        #expect(plain.status == 0, "\(plain.stderr)")
        let expectedLines = real.percpuLines
        #expect(expectedLines.count == 3)
        #expect(expectedLines.last?.hasSuffix(" ") == true)
        #expect(RealBootLog.percpuLines(plain.lines) == expectedLines)

        let traced = try Self.boot(name, memblockDebug: true)
        #expect(traced.status == 0, "\(traced.stderr)")
        let expectedTrace = real.percpuMemblockTrace
        #expect(expectedTrace.count >= 14)
        #expect(RealBootLog.percpuMemblockTrace(traced.lines) == expectedTrace)
        let expectedAfter = memblockCallsAfterPercpuLine(real.lines)
        #expect(expectedAfter.count == 28)
        #expect(memblockCallsAfterPercpuLine(traced.lines) == expectedAfter)
    }

    /// `pcpu-boot check LOG --dtb DTB`: the riscv logs keep their `Linux version` line, so the
    /// log alone names the kernel; the arm64 logs lost their start to the memblock=debug flood,
    /// so the platform file supplies the kernel and the VA_BITS=52 / build facts.
    @Test(arguments: cases)
    func checkFindsNoDifference(_ name: String) {
        var args = ["check", Self.path(name, "console.log"), "--dtb", Self.path(name, "board.dtb")]
        if name.contains("arm64") { args += ["--platform", Self.path(name, "platform.yaml")] }
        let output = PcpuBootCLI.run(args)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("per-CPU lines: 3 real, 3 emulated, identical"))
        #expect(output.stdout.contains("memblock trace of the per-CPU setup:") && !output.stdout.contains("differ"))
        if name.contains("riscv64") { #expect(output.stdout.contains("from the log's 'Linux version")) }
    }

    /// `check LOG --dtb DTB --config CONFIG` with the booted kernel's own .config: enough where
    /// the trace needs no hardware/build fact the .config lacks (the 6.12 arm64 embed boot — its
    /// VA_BITS=52 comes from the config, vabits_actual 48 is the default — and both riscv64 boots).
    /// The 7.2 arm64 image keeps memblock_free's frame, which no .config says: check reads it
    /// from the log, from the frees after the compared trace (pcpu_free_alloc_info's, traced
    /// `memblock_free+0x5c/0x80`), so the embed boot is identical too. The page boots also need
    /// `kernel-image-size`: with the .config alone those lines differ, which `check` must report.
    @Test(arguments: [("kernel-boots-6.12/arm64-4node-embed", true), ("kernel-boots-6.12/riscv64-2node", true),
                      ("kernel-boots-7.2/riscv64-2node", true), ("kernel-boots-7.2/arm64-4node-embed", true),
                      ("kernel-boots-6.12/arm64-4node-page", false)])
    func checkWithTheKernelConfig(_ name: String, identical: Bool) {
        var args = ["check", Self.path(name, "console.log"), "--dtb", Self.path(name, "board.dtb"),
                    "--config", Self.path(name, "config")]
        if name.contains("arm64") { args += ["--kernel", name.contains("6.12") ? "6.12" : "7.2"] }
        let output = PcpuBootCLI.run(args)
        #expect(output.status == (identical ? 0 : 1), "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("per-CPU lines: 3 real, 3 emulated, identical"))
        if !identical {
            // Without kernel-image-size the early vm area sits elsewhere: one PTE page too few.
            #expect(output.stdout.contains("real:     \"memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 pcpu_populate_pte\""))
        }
    }

    /// NUMA init (mm/numa_memblks.c, drivers/base/arch_numa.c) from the platform alone, against
    /// the log: the distance-map line, the distance table's memblock_alloc (nr_node_ids² bytes,
    /// page aligned, traced from numa_set_distance, into which these builds inline
    /// numa_alloc_distance), "Initialized distance table" in 6.12 but not 7.2 (pr_debug there),
    /// and NODE_DATA(n) for every node but the last: each is the top `pg-data-size` bytes of its
    /// node. The last node also holds what setup_arch reserved before NUMA init (DTB, log
    /// buffer, page tables), which the platform does not describe, so only its size is compared.
    @Test(arguments: cases)
    func numaInitMatchesTheLog(_ name: String) throws {
        func numaLines(_ lines: [String]) -> [String] {
            lines.map(RealBootLog.stripCallerOffset).filter {
                $0.hasPrefix("OF: NUMA: ") || $0.hasPrefix("NUMA: ") || $0.hasPrefix("NODE_DATA(")
                    || $0.hasSuffix(" numa_set_distance")
            }
        }
        func size(_ line: String) -> UInt64? {
            guard let range = line.range(of: "[mem "), line.hasSuffix("]") else { return nil }
            let ends = line[range.upperBound...].dropLast().split(separator: "-").compactMap { UInt64($0.dropFirst(2), radix: 16) }
            return ends.count == 2 ? ends[1] + 1 - ends[0] : nil
        }
        let real = numaLines(RealBootLog(text: try Self.text(name, "console.log")).lines)
        let args = [Self.path(name, "platform.yaml"), "--format", "dmesg", "--cmdline",
                    try Self.platformCommandLine(name) + " memblock=debug"]
        let emulated = numaLines(PcpuBootCLI.run(args).stdout.split(separator: "\n").map(String.init))
        #expect(real.count >= 4)   // 7.2 riscv: map line, table alloc, 2 × NODE_DATA
        #expect(real.contains("NUMA: Initialized distance table, cnt=\(name.contains("riscv") ? 2 : 4)") == name.contains("6.12"))
        #expect(emulated.count == real.count)
        #expect(Array(emulated.dropLast()) == Array(real.dropLast()))
        let last = try #require(real.last)
        #expect(last.hasPrefix("NODE_DATA(") && emulated.last?.hasPrefix(String(last.prefix(12))) == true)
        #expect(emulated.last.flatMap(size) == size(last))
    }

    /// QEMU's riscv64 DTB says `mmu-type = "riscv,sv48"` on every hart: 7.2 caps the paging
    /// mode there (set_satp_mode_from_fdt, 17e9521044c9, 6.18); 6.12 keeps the platform's Sv57.
    @Test func riscvPagingModeFollowsTheDTBFrom6_18() throws {
        for (name, mode) in [("kernel-boots-6.12/riscv64-2node", PagingMode.sv57), ("kernel-boots-7.2/riscv64-2node", .sv48)] {
            let platform = try PlatformLoader.load(path: Self.path(name, "platform.yaml"), dtbLoader: DeviceTreeBlob.load(path:))
            guard case .deviceTree(let dt) = platform.firmware else { Issue.record("\(name): not a DT platform"); continue }
            #expect(dt.cpus.allSatisfy { $0.mmuType == "riscv,sv48" })
            let result = try Boot.run(platform)
            #expect(result.profile.pagingMode == mode, "\(name)")
        }
    }

    /// The goal `pcpu_fc_alloc` passes is `__pa(MAX_DMA_ADDRESS)` = `__pa(PAGE_OFFSET)` =
    /// memstart_addr. Worked by hand for the VA_BITS=52 kernel on the 48-bit cortex-a57:
    /// round_down(0x40000000, 1G) − (_PAGE_OFFSET(48) − _PAGE_OFFSET(52))
    /// = 0x40000000 − (0xffff000000000000 − 0xfff0000000000000) = 0x40000000 − 0xf000000000000
    /// = 0xfff1000040000000 (mod 2^64); with a 52-bit CPU memstart_addr stays 0x40000000.
    @Test func arm64GoalOfAVABits52Kernel() throws {
        var platform = try PlatformLoader.load(path: Self.path("kernel-boots-6.12/arm64-4node-embed", "platform.yaml"),
                                               dtbLoader: DeviceTreeBlob.load(path:))
        let cmdline = KernelCommandLine("")
        var profile = ArchProfile(arch: .arm64, kernel: platform.kernel, config: platform.config, cmdline: cmdline)
        #expect(profile.perCPUAllocationGoal(dramStart: 0x4000_0000) == 0xfff1_0000_4000_0000)
        // __va() of the first per-CPU area stays in the 48-bit linear map: 0xffff000000000000 + offset.
        #expect(profile.linearVirtual(0x7ffb_5000, dramStart: 0x4000_0000) == 0xffff_0000_3ffb_5000)
        platform.config.vaBitsActual = 52
        profile = ArchProfile(arch: .arm64, kernel: platform.kernel, config: platform.config, cmdline: cmdline)
        #expect(profile.perCPUAllocationGoal(dramStart: 0x4000_0000) == 0x4000_0000)
        // Before 5.4 (no 52-bit kernel VA, arm64VA52On48BitHardware) nothing moves.
        platform.config.vaBitsActual = nil
        platform.config.pageSize = 65536
        profile = ArchProfile(arch: .arm64, kernel: KernelVersion(5, 3), config: platform.config, cmdline: cmdline)
        #expect(profile.perCPUAllocationGoal(dramStart: 0x4000_0000) == 0x4000_0000)
    }
}
