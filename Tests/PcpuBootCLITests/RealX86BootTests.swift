import Foundation
import Testing
@testable import PcpuBootCLI
@testable import PercpuBoot
import PcpuBootTestSupport

/// Acceptance against the real x86_64 boots in Tests/Fixtures/kernel-boots (Debian's
/// 6.1.0-56-amd64 under QEMU), each machine described by Tests/Fixtures/platforms/<case>.yaml.
/// The expected lines are always read from the case's console.log.
@Suite struct RealX86BootTests {
    static let cases = ["x86-2node-embed", "x86-1cpu"]

    static func platformPath(_ name: String) -> String {
        Fixtures.testsDirectory.appendingPathComponent("Fixtures/platforms/\(name).yaml").path
    }

    static func logPath(_ name: String) -> String {
        Fixtures.kernelBoots.appendingPathComponent("\(name)/console.log").path
    }

    /// The brief's command: the platform file with Debian's kernel facts on the command line.
    static func arguments(_ name: String, cmdline: String, memblockFrom: Bool) -> [String] {
        var args = [platformPath(name), "--kernel", "6.1", "--static-size", "217088", "--nr-cpus", "8192",
                    "--cmdline", cmdline, "--format", "dmesg"]
        if memblockFrom { args += ["--memblock-from", logPath(name)] }
        return args
    }

    static func run(_ name: String, cmdline: String, memblockFrom: Bool) -> (status: Int32, lines: [String], stderr: String) {
        let output = PcpuBootCLI.run(arguments(name, cmdline: cmdline, memblockFrom: memblockFrom))
        return (output.status, output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                output.stderr)
    }

    static func real(_ name: String) throws -> RealBootLog {
        // RealBootLog strips "\r" and the timestamps.
        RealBootLog(text: try Fixtures.text("\(name)/console.log"))
    }

    /// `setup_percpu:`, `percpu:` and `pcpu-alloc:` lines, from the platform file alone.
    @Test(arguments: cases)
    func percpuLinesMatchByteForByte(_ name: String) throws {
        let real = try Self.real(name)
        let emulated = Self.run(name, cmdline: "console=ttyS0", memblockFrom: false)
        #expect(emulated.status == 0, "\(emulated.stderr)")
        let expected = real.percpuLines
        #expect(expected.count == 4)
        #expect(expected.first?.hasPrefix("setup_percpu: NR_CPUS:8192") == true)
        #expect(RealBootLog.percpuLines(emulated.lines) == expected)
    }

    /// Started from the log's last `MEMBLOCK configuration:` dump (after NUMA init), with every
    /// logged call up to setup_per_cpu_areas replayed: the per-CPU setup's memblock calls —
    /// the alloc info, the areas array, each group's 2 MiB on its node, the frees of empty
    /// units and unit tails — land where the real kernel put them.
    @Test(arguments: cases)
    func memblockTraceMatchesFromTheLogsDump(_ name: String) throws {
        let real = try Self.real(name)
        let emulated = Self.run(name, cmdline: "console=ttyS0 memblock=debug", memblockFrom: true)
        #expect(emulated.status == 0, "\(emulated.stderr)")
        let expected = real.percpuMemblockTrace
        #expect(expected.count > 4)
        #expect(RealBootLog.percpuMemblockTrace(emulated.lines) == expected)
    }

    /// The rest of setup_per_cpu_areas' memblock calls, after the `percpu:` line:
    /// pcpu_setup_first_chunk's tables, pcpu_alloc_first_chunk's chunks, maps and blocks, the
    /// alloc info and areas array given back, and the node and local cpumasks, callers
    /// included (Debian's amd64 build inlines pcpu_free_alloc_info into pcpu_embed_first_chunk).
    @Test(arguments: cases)
    func allocationsAfterThePercpuLineMatch(_ name: String) throws {
        let real = try Self.real(name)
        let emulated = Self.run(name, cmdline: "console=ttyS0 memblock=debug", memblockFrom: true)
        let expected = memblockCallsAfterPercpuLine(real.lines)
        #expect(expected.count >= 20)
        #expect(memblockCallsAfterPercpuLine(emulated.lines) == expected)
    }

    /// x86 NUMA init from the platform file alone, against the log: from the first SRAT /
    /// NUMA line through the memblock dump numa_register_memblks ends with — the SRAT and
    /// SLIT lines, the distance table and NODE_DATA allocations at the same addresses, the
    /// merge message, and every region of the dump with its node — then the MADT's
    /// `smpboot: Allowing` line.
    @Test(arguments: cases)
    func numaInitMatchesTheLog(_ name: String) throws {
        let real = try Self.real(name).lines.map(RealBootLog.stripCallerOffset)
        let emulated = Self.run(name, cmdline: "console=ttyS0 memblock=debug", memblockFrom: false)
        #expect(emulated.status == 0, "\(emulated.stderr)")
        let expected = try #require(Self.numaInitLines(real))
        #expect(expected.count >= 15)
        #expect(Self.numaInitLines(emulated.lines) == expected)
        let smpboot = real.first { $0.hasPrefix("smpboot: Allowing") }
        #expect(smpboot != nil)
        #expect(emulated.lines.first { $0.hasPrefix("smpboot: Allowing") } == smpboot)
    }

    static func numaInitLines(_ lines: [String]) -> [String]? {
        guard let start = lines.firstIndex(where: { $0.hasPrefix("SRAT: PXM") || $0 == "No NUMA configuration found" }),
              let dump = lines[start...].firstIndex(of: "MEMBLOCK configuration:") else { return nil }
        var end = dump + 1
        while end < lines.count && lines[end].hasPrefix(" ") { end += 1 }
        return Array(lines[start..<end])
    }

    /// The replayed boot's `__per_cpu_offset[]` on the 2-node machine: node 0's 2 MiB at
    /// 0x3ec00000, node 1's at 0x7a200000 (the log's memblock_reserve lines), units of 512 KiB
    /// → unit offsets 0, 0x80000, 0x100000 and 0x3b600000 + the same for cpus 3–5; the base
    /// is __va(0x3ec00000) with 5-level paging's PAGE_OFFSET 0xff11000000000000 (nokaslr).
    @Test func perCPUOffsetsOfTheTwoNodeBoot() throws {
        let dir = Fixtures.kernelBoots.appendingPathComponent("x86-2node-embed").path
        var platform = try PlatformLoader.load(path: Self.platformPath("x86-2node-embed"), dtbLoader: DeviceTreeBlob.load(path:))
        platform.cmdline = "console=ttyS0"
        let log = Boot.MemblockLog(text: try Fixtures.text("x86-2node-embed/console.log"), fileName: dir + "/console.log")
        let result = try Boot.run(platform, memblockLog: log)
        #expect(result.groupPhys == [0x3ec0_0000, 0x7a20_0000])
        #expect(result.cpus.map(\.unitOffset) == [0, 0x8_0000, 0x10_0000, 0x3b60_0000, 0x3b68_0000, 0x3b70_0000])
        let base: UInt64 = 0xff11_0000_0000_0000 + 0x3ec0_0000
        #expect(result.cpus.map(\.perCPUOffset) == result.cpus.map { base + $0.unitOffset })
    }

    /// `pcpu-boot check LOG --platform FILE` finds nothing to report on either boot.
    @Test(arguments: cases)
    func checkCommandFindsNoDifference(_ name: String) {
        let output = PcpuBootCLI.run(["check", Self.logPath(name), "--platform", Self.platformPath(name),
                                      "--kernel", "6.1", "--nr-cpus", "8192"])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("identical"))
    }
}
