import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// x86_64 NUMA init (arch/x86/mm/numa.c, srat.c, drivers/acpi/numa/srat.c, v6.1) with
/// every expected line worked out by hand. RAM here has no log buffers reserved, so
/// NODE_DATA lands at the very top of each node: top − 0x2b000 (pg_data_t rounded to pages).
@Suite struct X86NUMAInitTests {
    /// The real 2-node QEMU machine: PXM 0/1 → nodes 0/1 in order of appearance; node 0's
    /// two blocks merge (nothing of node 1 lies in [0, 1G)); the SLIT's first distance
    /// allocates the table: cnt = highest node + 1 = 2, 4 bytes at the top of RAM
    /// (round_down(0x7ffe0000 − 4, 4K) = 0x7ffdf000), so node 1's NODE_DATA sits below it:
    /// 0x7ffdf000 − 0x2b000 = 0x7ffb4000; node 0's is 0x40000000 − 0x2b000 = 0x3ffd5000.
    @Test func realTwoNodeMachine() throws {
        let result = try Boot.run(qemuTwoNodes())
        let lines = result.printkLines
        let smpboot = try #require(lines.firstIndex { $0.hasPrefix("smpboot:") })
        #expect(Array(lines[..<(smpboot + 1)]) == [
            "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
            "SRAT: PXM 0 -> APIC 0x01 -> Node 0",
            "SRAT: PXM 0 -> APIC 0x02 -> Node 0",
            "SRAT: PXM 1 -> APIC 0x03 -> Node 1",
            "SRAT: PXM 1 -> APIC 0x04 -> Node 1",
            "SRAT: PXM 1 -> APIC 0x05 -> Node 1",
            "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]",
            "ACPI: SRAT: Node 0 PXM 0 [mem 0x00100000-0x3fffffff]",
            "ACPI: SRAT: Node 1 PXM 1 [mem 0x40000000-0x7fffffff]",
            "NUMA: Initialized distance table, cnt=2",
            "NUMA: Node 0 [mem 0x00000000-0x0009ffff] + [mem 0x00100000-0x3fffffff] -> [mem 0x00000000-0x3fffffff]",
            "NODE_DATA(0) allocated [mem 0x3ffd5000-0x3fffffff]",
            "NODE_DATA(1) allocated [mem 0x7ffb4000-0x7ffdefff]",
            "smpboot: Allowing 6 CPUs, 0 hotplug CPUs",
        ])
        let topology = try #require(result.topology)
        #expect(topology.method == .acpi)
        #expect(topology.cpuToNode == [0, 0, 0, 1, 1, 1])
        #expect(topology.nodes == [0, 1])
        #expect(topology.nodeData == [0: 0x3ffd_5000, 1: 0x7ffb_4000])
        #expect(topology.distances.distance(0, 1) == 21 && topology.distances.distance(1, 1) == 10)
    }

    /// No SRAT (QEMU without -numa): acpi_numa_init finds no memory affinity → -ENOENT,
    /// silently; the dummy node spans [0, PFN_PHYS(max_pfn)) = [0, 0x3ffe0000).
    @Test func noSRATFakesOneNode() throws {
        let platform = x86Platform(cpus: [(0, 0)], ram: [(0x1000, 0x9_ec00), (0x10_0000, 0x3fee_0000)])
        let result = try Boot.run(platform)
        #expect(Array(result.printkLines.prefix(4)) == [
            "No NUMA configuration found",
            "Faking a node at [mem 0x0000000000000000-0x000000003ffdffff]",
            "NODE_DATA(0) allocated [mem 0x3ffb5000-0x3ffdffff]",
            "smpboot: Allowing 1 CPUs, 0 hotplug CPUs",
        ])
        #expect(result.topology?.method == .dummy)
        #expect(result.topology?.distances.count == 0)
    }

    /// `numa=off`: SRAT and SLIT are never read; x86's dummy says "NUMA turned off".
    @Test func numaOff() throws {
        let result = try Boot.run(qemuTwoNodes(cmdline: "numa=off"))
        #expect(Array(result.printkLines.prefix(4)) == [
            "NUMA turned off",
            "Faking a node at [mem 0x0000000000000000-0x000000007ffdffff]",
            "NODE_DATA(0) allocated [mem 0x7ffb5000-0x7ffdffff]",
            "smpboot: Allowing 6 CPUs, 0 hotplug CPUs",
        ])
        #expect(result.topology?.cpuToNode == [0, 0, 0, 0, 0, 0])
    }

    /// Nodes are numbered by first appearance, processor entries first: PXM 7 → 0,
    /// PXM 3 → 1, then the memory-only PXM 9 → 2. NODE_DATA goes node by node:
    /// node 0 owns [1G, 2G) → 0x7ffd5000, node 1 [0, 1G) → 0x3ffd5000, node 2 → 0xbffd5000.
    @Test func proximityDomainsNumberedInOrderOfAppearance() throws {
        let platform = x86Platform(cpus: [(0, 7), (1, 3), (2, 7), (3, 3)],
                                   srat: [(0, 1 << 30, 3), (1 << 30, 1 << 30, 7), (2 << 30, 1 << 30, 9)],
                                   ram: [(0x10_0000, 0xbff0_0000)])
        let result = try Boot.run(platform)
        #expect(Array(result.printkLines.prefix(12)) == [
            "SRAT: PXM 7 -> APIC 0x00 -> Node 0",
            "SRAT: PXM 3 -> APIC 0x01 -> Node 1",
            "SRAT: PXM 7 -> APIC 0x02 -> Node 0",
            "SRAT: PXM 3 -> APIC 0x03 -> Node 1",
            "ACPI: SRAT: Node 1 PXM 3 [mem 0x00000000-0x3fffffff]",
            "ACPI: SRAT: Node 0 PXM 7 [mem 0x40000000-0x7fffffff]",
            "ACPI: SRAT: Node 2 PXM 9 [mem 0x80000000-0xbfffffff]",
            "NODE_DATA(0) allocated [mem 0x7ffd5000-0x7fffffff]",
            "NODE_DATA(1) allocated [mem 0x3ffd5000-0x3fffffff]",
            "NODE_DATA(2) allocated [mem 0xbffd5000-0xbfffffff]",
            "smpboot: Allowing 4 CPUs, 0 hotplug CPUs",
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:4 nr_cpu_ids:4 nr_node_ids:3",
        ])
        #expect(result.topology?.cpuToNode == [0, 1, 0, 1])
    }

    /// SRAT revision 1: proximity domains are 8 bits (LAPIC entries ignore proximity_domain_hi,
    /// memory entries mask to 0xff), so 0x102 reads as PXM 2. Revision 2+ keeps all 32 bits,
    /// and 0x102 = 258 ≥ MAX_PXM_DOMAINS (256) has no node: `%x` → "102", SRAT dropped.
    @Test func sratRevisionOneMasksDomains() throws {
        let v1 = x86Platform(cpus: [(0, 0x102)], srat: [(0, 1 << 30, 0x102)], ram: [(0x10_0000, 0x3ff0_0000)],
                             sratRevision: 1)
        #expect(Array(try Boot.run(v1).printkLines.prefix(2)) == [
            "SRAT: PXM 2 -> APIC 0x00 -> Node 0", "ACPI: SRAT: Node 0 PXM 2 [mem 0x00000000-0x3fffffff]",
        ])
        let v3 = x86Platform(cpus: [(0, 0x102)], srat: [(0, 1 << 30, 0x102)], ram: [(0x10_0000, 0x3ff0_0000)])
        #expect(Array(try Boot.run(v3).printkLines.prefix(3)) == [
            "SRAT: Too many proximity domains 102", "ACPI: SRAT: SRAT not used.", "No NUMA configuration found",
        ])
    }

    /// An APIC id above 0xfe is an x2APIC affinity entry: printed with four hex digits.
    @Test func x2apicEntries() throws {
        let platform = x86Platform(cpus: [(0, 0), (0x100, 0)], srat: [(0, 1 << 30, 0)], ram: [(0x10_0000, 0x3ff0_0000)])
        let result = try Boot.run(platform)
        #expect(result.printkLines.contains("SRAT: PXM 0 -> APIC 0x0100 -> Node 0"))
        #expect(result.topology?.possibleCPUs == [0, 1])
    }

    /// slit_valid(): a diagonal entry other than 10, or an off-diagonal one ≤ 10, rejects the
    /// whole table — no numa_set_distance, so no table is allocated and every remote node
    /// is at REMOTE_DISTANCE; node 1's NODE_DATA is then at the very top: 0x7ffe0000 − 0x2b000.
    @Test(arguments: [[[10, 21], [21, 11]], [[10, 10], [10, 10]]] as [[[UInt8]]])
    func invalidSLITIsIgnored(_ slit: [[UInt8]]) throws {
        let result = try Boot.run(qemuTwoNodes(slit: slit))
        #expect(result.printkLines.contains("ACPI: SLIT table looks invalid. Not used."))
        #expect(!result.printkLines.contains { $0.hasPrefix("NUMA: Initialized distance table") })
        #expect(result.printkLines.contains("NODE_DATA(1) allocated [mem 0x7ffb5000-0x7ffdffff]"))
        #expect(result.topology?.distances.count == 0)
        #expect(result.topology?.distances.distance(0, 1) == 20)
    }

    /// A valid SLIT is taken one direction at a time (15 one way, 25 back), and a locality
    /// whose domain has no node (PXM 2 here) is skipped; cnt stays 2.
    @Test func asymmetricSLITWithUnknownLocality() throws {
        let result = try Boot.run(qemuTwoNodes(slit: [[10, 15, 30], [25, 10, 30], [30, 30, 10]]))
        let distances = try #require(result.topology?.distances)
        #expect(distances.count == 2)
        #expect(distances.distance(0, 1) == 15 && distances.distance(1, 0) == 25)
    }

    /// PXM 300 ≥ MAX_PXM_DOMAINS: no node → `SRAT: Too many proximity domains 12c` (%x)
    /// and bad_srat(); memory entries are then skipped, nothing is parsed → -ENOENT → dummy.
    @Test func tooManyProximityDomains() throws {
        let platform = x86Platform(cpus: [(0, 300)], srat: [(0, 1 << 30, 0)], ram: [(0x10_0000, 0x3ff0_0000)])
        #expect(Array(try Boot.run(platform).printkLines.prefix(4)) == [
            "SRAT: Too many proximity domains 12c",
            "ACPI: SRAT: SRAT not used.",
            "No NUMA configuration found",
            "Faking a node at [mem 0x0000000000000000-0x000000003fffffff]",
        ])
    }

    /// Blocks of different nodes that overlap fail numa_cleanup_meminfo (-EINVAL): the
    /// APIC map is forgotten and the dummy node takes over.
    @Test func crossNodeOverlapFallsBackToDummy() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 1)], srat: [(0, 1 << 30, 0), (512 << 20, 1 << 30, 1)],
                                   ram: [(0x10_0000, 0x7ff0_0000)])
        let result = try Boot.run(platform)
        #expect(Array(result.printkLines.dropFirst(2).prefix(5)) == [
            "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]",
            "ACPI: SRAT: Node 1 PXM 1 [mem 0x20000000-0x5fffffff]",
            "node 0 [mem 0x00000000-0x3fffffff] overlaps with node 1 [mem 0x20000000-0x5fffffff]",
            "No NUMA configuration found",
            "Faking a node at [mem 0x0000000000000000-0x000000007fffffff]",
        ])
        #expect(result.topology?.cpuToNode == [0, 0])
    }

    /// Node 0's blocks [0, 1G) and [2G, 3G) are not merged: their hull would swallow node 1's
    /// [1G, 2G). NODE_DATA(0) goes to the top of node 0's memory, in its upper block.
    @Test func mergeBlockedByAnotherNode() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 1)],
                                   srat: [(0, 1 << 30, 0), (1 << 30, 1 << 30, 1), (2 << 30, 1 << 30, 0)],
                                   ram: [(0x10_0000, 0xbff0_0000)])
        let lines = try Boot.run(platform).printkLines
        #expect(!lines.contains { $0.hasPrefix("NUMA: Node 0") })
        #expect(lines.contains("NODE_DATA(0) allocated [mem 0xbffd5000-0xbfffffff]"))
        #expect(lines.contains("NODE_DATA(1) allocated [mem 0x7ffd5000-0x7fffffff]"))
    }

    /// numa_meminfo_cover_memory: the SRAT gives node 0 only [0, 1G) of [1M, 2G) of RAM.
    /// numaram = pages of node-0 memory in [0, 0x40000) = 0x3ff00 → 1023 MB; e820ram =
    /// all pages below max_pfn 0x80000 = 0x7ff00 → 2047 MB; short by ≥ 256 pages → -EINVAL.
    @Test func nodesMustCoverTheRAM() throws {
        let platform = x86Platform(cpus: [(0, 0)], srat: [(0, 1 << 30, 0)], ram: [(0x10_0000, 0x7ff0_0000)])
        #expect(Array(try Boot.run(platform).printkLines.prefix(4)) == [
            "SRAT: PXM 0 -> APIC 0x00 -> Node 0",
            "ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x3fffffff]",
            "NUMA: nodes only cover 1023MB of your 2047MB e820 RAM. Not used.",
            "No NUMA configuration found",
        ])
    }
}
