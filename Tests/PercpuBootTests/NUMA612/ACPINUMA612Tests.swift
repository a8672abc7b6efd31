import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// arm64 ACPI NUMA under the 6.12 profile: drivers/acpi/numa/srat.c feeding
/// mm/numa_memblks.c through arch_numa.c's `arch_acpi_numa_init`.
@Suite struct ACPINUMA612Tests {
    /// Two GICC entries per proximity domain, one memory affinity entry per domain, a SLIT.
    static func platform(memory: [SRATMemory], ram: [PhysRange] = [], slit: [[UInt8]]? = [[10, 22], [22, 10]]) -> Platform {
        let cpus = [0, 0, 1, 1].enumerated().map { i, pxm in
            SRATProcessor(hardwareID: UInt64(i), proximityDomain: UInt32(pxm))
        }
        return Platform(name: "acpi-612", arch: .arm64, kernel: .v6_12, config: .defaults(for: .arm64), staticSize: 87272,
                        firmware: .acpi(ACPIFirmware(processors: cpus, memory: memory, slit: slit)),
                        memblock: MemblockSetup(memory: ram))
    }

    /// `pr_info("SRAT: Node %u PXM %u [mem %#010Lx-%#010Lx]%s%s\n")` (pr_fmt "ACPI: ") per memory
    /// entry — numa_add_memblk only records it, node_set follows; the SLIT's first
    /// numa_set_distance allocates cnt = 1 + 1 = 2 (4 bytes at round_down(0xc000_0000 − 4, 4096)
    /// = 0xbfff_f000); NODE_DATA(0) at 0x8000_0000 − 0x2c80 = 0x7fff_d380, NODE_DATA(1) under the
    /// table at 0xbfff_f000 − 0x2c80 = 0xbfff_c380.
    @Test func twoDomains() throws {
        let result = try Boot.run(Self.platform(memory: [SRATMemory(base: 0x4000_0000, length: 1 << 30, proximityDomain: 0),
                                                        SRATMemory(base: 0x8000_0000, length: 1 << 30, proximityDomain: 1)]))
        #expect(Array(result.kernelLines.prefix(5)) == [
            "ACPI: SRAT: Node 0 PXM 0 [mem 0x40000000-0x7fffffff]",
            "ACPI: SRAT: Node 1 PXM 1 [mem 0x80000000-0xbfffffff]",
            "NUMA: Initialized distance table, cnt=2",
            "NODE_DATA(0) allocated [mem 0x7fffd380-0x7fffffff]",
            "NODE_DATA(1) allocated [mem 0xbfffc380-0xbfffefff]",
        ])
        #expect(result.topology?.method == .acpi)
        #expect(result.topology?.cpuToNode == [0, 0, 1, 1])
        #expect(result.topology?.distances.distance(0, 1) == 22)
    }

    /// Every memory entry disabled (the RAM comes from the UEFI map): acpi_numa_init has parsed no memblk → -ENOENT, which
    /// arch_acpi_numa_init reports with `pr_debug("Failed to initialise from firmware\n")`
    /// (pr_info up to 6.8). The SLIT had already allocated the table (cnt 2 from the GICC
    /// domains); numa_init frees it and the dummy node covers the RAM.
    @Test func noMemoryAffinityFallsBackToDummy() throws {
        let result = try Boot.run(Self.platform(memory: [
            SRATMemory(base: 0x4000_0000, length: 1 << 30, proximityDomain: 0, enabled: false)],
            ram: [PhysRange(base: 0x4000_0000, size: 1 << 30)]))
        #expect(result.log.texts([.dynamicDebug]).contains("NUMA: Failed to initialise from firmware"))
        #expect(Array(result.kernelLines.prefix(2)) == [
            "NUMA: Initialized distance table, cnt=2",
            "NUMA: Faking a node at [mem 0x0000000040000000-0x000000007fffffff]",
        ])
        #expect(result.topology?.method == .dummy)
    }
}
