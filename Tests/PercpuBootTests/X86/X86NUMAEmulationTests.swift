import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// `numa=fake=` (arch/x86/mm/numa_emulation.c, v6.1), every line worked out by hand from
/// the kernel's arithmetic. The real boot (firmware-boots/x86-numa-fake, `numa=fake=2` on a
/// 2 GiB machine without SRAT) is checked line for line in FirmwareBootTests.
///
/// Both machines have RAM [0x1000, 0x9fc00) and [0x100000, top): below 4 GiB the holes are
/// page 0 and pages 0x9f…0xff, 0x62 pages (0x62000 bytes), plus everything from top to 4 GiB.
@Suite struct X86NUMAEmulationTests {
    /// `numa=fake=4` on the two-node machine (SRAT: node 0 [0, 1G), node 1 [1G, 2G) clipped to
    /// max_addr 0x7ffe0000; SLIT 10/21).
    ///
    ///     size = (0x7ffe0000 − 0x62000) / 4 pages = 0x1ffdf000; big = (0x1fdf000 × 4) / 32M = 3;
    ///     size &= ~(32M − 1) = 0x1e000000; fake nodes 0…2 get 32M more (nid < big).
    ///
    ///     round 1  phys 0: [0, 0x20000000)              fake 0 (usable 0x1ff9e000 ≥ size)
    ///              phys 1: [0x40000000, 0x60000000)     fake 1
    ///     round 2  phys 0: [0x20000000, 0x40000000)     fake 2 (what is left < size: to the block's end)
    ///              phys 1: [0x60000000, 0x7ffe0000)     fake 3 (below 4G only 0x1fe0000 usable
    ///                                                   would remain: end = 4G, then min(end, limit))
    ///
    ///     0        0x20000000  0x40000000  0x60000000   0x7ffe0000
    ///     |  fake 0  |  fake 2   |  fake 1   |  fake 3    |
    ///     |------ phys 0 --------|------ phys 1 ----------|
    ///
    /// emu_nid_to_phys = [0, 1, 0, 1]: distances are the SLIT's between the physical nodes
    /// (0–2 and 1–3 local, 10); APICs 0–2 (node 0) go to fake 0, 3–5 (node 1) to fake 1.
    /// The SLIT's table (cnt 2, at 0x7ffdf000) is still reserved when the copy is taken
    /// (at 0x7ffde000); it is freed, the cnt-4 table takes 0x7ffdf000 again, the copy is freed:
    /// NODE_DATA(3) = 0x7ffdf000 − 0x2b000; the others sit at the top of their nodes.
    @Test func fourFakeNodesOverTwoPhysicalNodes() throws {
        let result = try Boot.run(qemuTwoNodes(cmdline: "numa=fake=4"))
        let lines = result.printkLines
        let merge = try #require(lines.firstIndex { $0.hasPrefix("NUMA: Node 0 [mem") })
        #expect(Array(lines[(merge + 1)...].prefix(10)) == [
            "Faking node 0 at [mem 0x0000000000000000-0x000000001fffffff] (512MB)",
            "Faking node 1 at [mem 0x0000000040000000-0x000000005fffffff] (512MB)",
            "Faking node 2 at [mem 0x0000000020000000-0x000000003fffffff] (512MB)",
            "Faking node 3 at [mem 0x0000000060000000-0x000000007ffdffff] (511MB)",
            "NUMA: Initialized distance table, cnt=4",
            "NODE_DATA(0) allocated [mem 0x1ffd5000-0x1fffffff]",
            "NODE_DATA(1) allocated [mem 0x5ffd5000-0x5fffffff]",
            "NODE_DATA(2) allocated [mem 0x3ffd5000-0x3fffffff]",
            "NODE_DATA(3) allocated [mem 0x7ffb4000-0x7ffdefff]",
            "smpboot: Allowing 6 CPUs, 0 hotplug CPUs",
        ])
        let topology = try #require(result.topology)
        #expect(topology.nodes == [0, 1, 2, 3])
        #expect(topology.cpuToNode == [0, 0, 0, 1, 1, 1])
        let d = topology.distances
        #expect([d.distance(0, 1), d.distance(0, 2), d.distance(0, 3), d.distance(1, 2), d.distance(1, 3), d.distance(2, 3)]
                == [21, 10, 21, 21, 10, 21])
        // The copy of the physical table, allocated and freed under memblock=debug.
        let traced = try Boot.run(qemuTwoNodes(cmdline: "numa=fake=4 memblock=debug")).log.texts([.memblockDebug])
        #expect(traced.contains { $0.hasPrefix("memblock_phys_alloc_range: 4 bytes align=0x1000 from=0x0000000000000000 max_addr=") && $0.hasSuffix(" numa_emulation") })
        #expect(traced.contains("memblock_phys_free: [0x000000007ffde000-0x000000007ffde003] numa_emulation"))
    }

    /// `numa=fake=256M:10,30,40` on a 1 GiB machine without SRAT (the dummy node [0, 0x3ffe0000)).
    ///
    ///     min_size = (0x3ffe0 − 0x62 pages) / MAX_NUMNODES(1024) = 0xff pages → raised to 32M: 256M stands.
    ///     fake 0: [0, 0x10000000) holds 0x62000 of holes → one more 32M: [0, 0x12000000) (288MB)
    ///     fake 1: [0x12000000, 0x22000000) (256MB)
    ///     fake 2: [0x22000000, 0x32000000), but only 0xdfe0000 < 256M would remain: to 0x3ffe0000 (479MB)
    ///
    /// Distances: get_option() counts a value only when a comma follows it, so (0,0) = 10 and
    /// (0,1) = 30 are taken, "40" (no comma) is not: (0,2) and the rest are the default, 10
    /// (every fake node sits on the one physical node, and there was no table to copy).
    /// No SRAT: CPUs go round-robin over the online nodes (numa_init_array): 0 1 2 0.
    @Test func sizedFakeNodesWithGivenDistances() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 0), (2, 0), (3, 0)], ram: [(0x1000, 0x9_ec00), (0x10_0000, 0x3fee_0000)],
                                   cmdline: "numa=fake=256M:10,30,40")
        let result = try Boot.run(platform)
        #expect(Array(result.printkLines.prefix(9)) == [
            "No NUMA configuration found",
            "Faking a node at [mem 0x0000000000000000-0x000000003ffdffff]",
            "Faking node 0 at [mem 0x0000000000000000-0x0000000011ffffff] (288MB)",
            "Faking node 1 at [mem 0x0000000012000000-0x0000000021ffffff] (256MB)",
            "Faking node 2 at [mem 0x0000000022000000-0x000000003ffdffff] (479MB)",
            "NUMA: Initialized distance table, cnt=3",
            "NODE_DATA(0) allocated [mem 0x11fd5000-0x11ffffff]",
            "NODE_DATA(1) allocated [mem 0x21fd5000-0x21ffffff]",
            "NODE_DATA(2) allocated [mem 0x3ffb4000-0x3ffdefff]",
        ])
        let topology = try #require(result.topology)
        #expect(topology.cpuToNode == [0, 1, 2, 0])
        #expect(topology.distances.distance(0, 1) == 30 && topology.distances.distance(0, 2) == 10
                && topology.distances.distance(1, 0) == 10)
    }

    /// RAM 32 TiB apart, [0, 2G) and [2^45, 2^45 + 2G), `numa=fake=2`: size = 4G / 2 = 2G.
    ///
    ///     fake 0: [0, 2G) holds 2G; below 4G nothing usable would remain → [0, 4G) (4096MB)
    ///     fake 1: from 4G, 2G usable is reached only at 2^45 + 2G, the block's end:
    ///             (2^45 − 4G) / 32M = 2^20 − 128 steps of the kernel's loop, found by bisection
    ///             → [4G, 2^45 + 2G), (2^45 − 2G) >> 20 = 33552384MB
    @Test func nodesAcrossAHugeHole() throws {
        let top: UInt64 = 1 << 45
        let platform = x86Platform(cpus: [(0, 0), (1, 0)], ram: [(0, 0x8000_0000), (top, 0x8000_0000)], cmdline: "numa=fake=2")
        let lines = try Boot.run(platform).printkLines
        #expect(lines.contains("Faking node 0 at [mem 0x0000000000000000-0x00000000ffffffff] (4096MB)"))
        #expect(lines.contains("Faking node 1 at [mem 0x0000000100000000-0x000020007fffffff] (33552384MB)"))
    }

    /// Forms that do nothing: CONFIG_NUMA_EMU off; a count of 0 (split_nodes_interleave: -1);
    /// too little memory for even 32 MiB a node ("Not enough memory for each node").
    @Test func emulationOffOrImpossible() throws {
        var platform = qemuTwoNodes(cmdline: "numa=fake=4")
        platform.config.numaEmu = false
        #expect(try Boot.run(platform).topology?.nodes == [0, 1])
        #expect(try Boot.run(qemuTwoNodes(cmdline: "numa=fake=0")).topology?.nodes == [0, 1])
        // 2 GiB / 128 nodes = 16 MiB a node: rounded down to 32 MiB multiples, nothing.
        var many = qemuTwoNodes(cmdline: "numa=fake=128")
        many.config.nodesShift = 10
        let result = try Boot.run(many)
        #expect(result.printkLines.contains("Not enough memory for each node.  NUMA emulation disabled."))
        #expect(result.topology?.nodes == [0, 1])
    }
}
