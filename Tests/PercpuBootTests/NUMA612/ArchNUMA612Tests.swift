import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// arm64 / riscv64 NUMA init of the 6.12 profile: drivers/base/arch_numa.c on top of
/// mm/numa_memblks.c (6.12.0), every expected line worked out from the source.
///
/// Formats used below (no pr_fmt unless named):
/// - numa_memblks.c `printk(KERN_DEBUG "NUMA: Initialized distance table, cnt=%d\n")` — printed
///   at the first `numa_set_distance`, cnt = highest node in numa_nodes_parsed ∪ meminfo + 1,
///   table = `memblock_alloc(cnt², PAGE_SIZE)` (top-down: round_down(end − cnt², 4096));
/// - mm/numa.c `pr_info("NODE_DATA(%d) allocated [mem %#010Lx-%#010Lx]\n")` and
///   `pr_info("    NODE_DATA(%d) on node %d\n")`; size roundup(sizeof(pg_data_t), 64) =
///   the profile's 0x2c80, `memblock_phys_alloc_try_nid(0x2c80, 64, nid)` → top of the node's
///   free memory, 64-aligned;
/// - arch_numa.c (pr_fmt "NUMA: ") `pr_info("Initmem setup node %d [<memory-less node>]\n")`,
///   `pr_info("Faking a node at [mem %pap-%pap]\n")`;
/// - numa_memblks.c `pr_err("node %d [mem %#010Lx-%#010Lx] overlaps with node %d [mem %#010Lx-%#010Lx]\n")`,
///   `pr_warn_once("Warning: node ids are out of bound, from=%d to=%d distance=%d\n")`.
/// Per-CPU (6.12, no RKC/profiling): r = 8192, d = 28 << 10; PFN_ALIGN(87272 + 8192 + 28672 =
/// 124136) = 126976 = 31 pages, d = 126976 − 87272 − 8192 = 31512.
@Suite struct ArchNUMA612Tests {
    static let embedded = "percpu: Embedded 31 pages/cpu s87272 r8192 d31512 u126976"

    /// Four 1 GiB nodes at 1, 2, 3, 4 GiB, two CPUs each, a full distance map.
    /// The first triplet (0, 1, 20) allocates the table: cnt = 3 + 1 = 4, 16 bytes at
    /// round_down(0x1_4000_0000 − 16, 4096) = 0x1_3fff_f000. NODE_DATA(n) sits at the top of
    /// node n: 0x8000_0000 − 0x2c80 = 0x7fff_d380, 0xbfff_d380, 0xffff_d380; node 3's top page
    /// holds the table: 0x1_3fff_f000 − 0x2c80 = 0x1_3fff_c380 (end 0x1_3fff_efff).
    /// One group per node (distances 20+), 8 allocs of width 1·2 + 1 + 3 = 6 → one line.
    @Test func fourNodeDeviceTree() throws {
        let platform = deviceTreePlatform(kernel: .v6_12, cpuNodes: [0, 0, 1, 1, 2, 2, 3, 3],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1),
                                                   (0xc000_0000, 1 << 30, 2), (0x1_0000_0000, 1 << 30, 3)],
                                          distances: [(0, 1, 20), (0, 2, 30), (0, 3, 40), (1, 2, 20), (1, 3, 30), (2, 3, 20)])
        let result = try Boot.run(platform)
        #expect(result.kernelLines == [
            "OF: NUMA: parsing numa-distance-map-v1",
            "NUMA: Initialized distance table, cnt=4",
            "NODE_DATA(0) allocated [mem 0x7fffd380-0x7fffffff]",
            "NODE_DATA(1) allocated [mem 0xbfffd380-0xbfffffff]",
            "NODE_DATA(2) allocated [mem 0xffffd380-0xffffffff]",
            "NODE_DATA(3) allocated [mem 0x13fffc380-0x13fffefff]",
            Self.embedded,
            "pcpu-alloc: s87272 r8192 d31512 u126976 alloc=31*4096",
            "pcpu-alloc: [0] 0 [0] 1 [1] 2 [1] 3 [2] 4 [2] 5 [3] 6 [3] 7 ",
        ])
        let topology = try #require(result.topology)
        #expect(topology.method == .deviceTree)
        #expect(topology.nodes == [0, 1, 2, 3])
        #expect(topology.distances.count == 4)
        #expect(topology.distances.distance(0, 3) == 40 && topology.distances.distance(3, 0) == 40)
        #expect(topology.nodeData == [0: 0x7fff_d380, 1: 0xbfff_d380, 2: 0xffff_d380, 3: 0x1_3fff_c380])
    }

    /// Node 2 has CPUs and distances but no memory: cnt = 2 + 1 = 3 (9 bytes at 0xbfff_f000);
    /// NODE_DATA(1) below it at 0xbfff_f000 − 0x2c80 = 0xbfff_c380; node 2's pfn range is empty
    /// → "NUMA: Initmem setup node 2 [<memory-less node>]", and its NODE_DATA falls back to any
    /// node, top-down: 0xbfff_c380 − 0x2c80 = 0xbfff_9700 (end 0xbfff_c37f), in node 1's memory
    /// → "    NODE_DATA(2) on node 1". Its CPUs still form their own group.
    @Test func memorylessNode() throws {
        let platform = deviceTreePlatform(kernel: .v6_12, cpuNodes: [0, 0, 1, 1, 2, 2],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1)],
                                          distances: [(0, 1, 20), (0, 2, 20), (1, 2, 20)])
        let result = try Boot.run(platform)
        #expect(Array(result.kernelLines.prefix(7)) == [
            "OF: NUMA: parsing numa-distance-map-v1",
            "NUMA: Initialized distance table, cnt=3",
            "NODE_DATA(0) allocated [mem 0x7fffd380-0x7fffffff]",
            "NODE_DATA(1) allocated [mem 0xbfffc380-0xbfffefff]",
            "NUMA: Initmem setup node 2 [<memory-less node>]",
            "NODE_DATA(2) allocated [mem 0xbfff9700-0xbfffc37f]",
            "    NODE_DATA(2) on node 1",
        ])
        #expect(result.percpuLines.last == "pcpu-alloc: [0] 0 [0] 1 [1] 2 [1] 3 [2] 4 [2] 5 ")
        #expect(result.topology?.nodes == [0, 1, 2])
    }

    /// numa-node-id 99 ≥ MAX_NUMNODES (16): of_numa_parse_cpu_nodes warns for each CPU
    /// (`pr_warn("Node id %u exceeds maximum value\n")`, pr_fmt "OF: NUMA: "), the memory node
    /// warns too and is a "bad property" (-EINVAL) → numa_reset_distance, dummy node over
    /// [0x4000_0000, 0xc000_0000): NODE_DATA(0) at 0xc000_0000 − 0x2c80 = 0xbfff_d380. One group.
    @Test func nodeIdOutOfRange() throws {
        let platform = deviceTreePlatform(kernel: .v6_12, cpuNodes: [0, 0, 99, 99],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 99)])
        let result = try Boot.run(platform)
        #expect(Array(result.kernelLines.prefix(6)) == [
            "OF: NUMA: Node id 99 exceeds maximum value",
            "OF: NUMA: Node id 99 exceeds maximum value",
            "OF: NUMA: Node id 99 exceeds maximum value",
            "OF: NUMA: bad property in memory node",
            "NUMA: Faking a node at [mem 0x0000000040000000-0x00000000bfffffff]",
            "NODE_DATA(0) allocated [mem 0xbfffd380-0xbfffffff]",
        ])
        #expect(result.topology?.method == .dummy)
        #expect(result.percpuLines.last == "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ")
    }

    /// A distance to node 5, which nothing else names: 6.12 sizes the table when the first
    /// distance is set, cnt = 1 + 1 = 2, so (0, 5) is out of bound — warned once, without 6.8's
    /// "NUMA: " prefix (5 > 0 also tries (5, 0), silenced by pr_warn_once). 6.8 allocated
    /// MAX_NUMNODES² up front, so the same map is silent there.
    @Test(arguments: [(KernelVersion.v6_8, false), (.v6_12, true)])
    func distanceToUnknownNode(kernel: KernelVersion, warns: Bool) throws {
        let platform = deviceTreePlatform(kernel: kernel, cpuNodes: [0, 0, 1, 1],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1)],
                                          distances: [(0, 1, 20), (0, 5, 20)])
        let result = try Boot.run(platform)
        let warning = "Warning: node ids are out of bound, from=0 to=5 distance=20"
        #expect(result.kernelLines.filter { $0.hasSuffix(warning) } == (warns ? [warning] : []))
        #expect(result.topology?.method == .deviceTree)
        #expect(result.topology?.distances.count == (warns ? 2 : 16))
    }

    /// Node 0's memory [0x4000_0000, 0xc000_0000) overlaps node 1's [0x8000_0000, 0xc000_0000):
    /// numa_cleanup_meminfo compares block 0 with block 1 (0xc000_0000 > 0x8000_0000 and
    /// 0x4000_0000 < 0xc000_0000, nids differ) → pr_err, -EINVAL. The distance table the map
    /// had allocated (cnt 2, 4 bytes at round_down(0xc000_0000 − 4, 4096) = 0xbfff_f000) is
    /// freed by numa_reset_distance (`memblock_phys_free: [0x00000000bffff000-0x00000000bffff003]`
    /// under memblock=debug), and the dummy node takes over: NODE_DATA(0) at 0xbfff_d380.
    @Test func overlappingMemoryFallsBackToDummy() throws {
        let platform = deviceTreePlatform(kernel: .v6_12, cpuNodes: [0, 1],
                                          memory: [(0x4000_0000, 2 << 30, 0), (0x8000_0000, 1 << 30, 1)],
                                          distances: [(0, 1, 20)], cmdline: "memblock=debug")
        let result = try Boot.run(platform)
        #expect(Array(result.kernelLines.prefix(5)) == [
            "OF: NUMA: parsing numa-distance-map-v1",
            "NUMA: Initialized distance table, cnt=2",
            "node 0 [mem 0x40000000-0xbfffffff] overlaps with node 1 [mem 0x80000000-0xbfffffff]",
            "NUMA: Faking a node at [mem 0x0000000040000000-0x00000000bfffffff]",
            "NODE_DATA(0) allocated [mem 0xbfffd380-0xbfffffff]",
        ])
        #expect(result.log.texts([.memblockDebug]).contains(
            "memblock_phys_free: [0x00000000bffff000-0x00000000bffff003] numa_reset_distance"))
        #expect(result.topology?.method == .dummy)
        #expect(result.topology?.distances.count == 0)
        #expect(result.allocInfo?.groups.count == 1)
        // After the dummy init every memory region is on node 0 (6.12 dump: "on node 0").
        #expect(result.log.texts([.memblockDebug]).contains(
            " memory[0x0]\t[0x0000000040000000-0x00000000bfffffff], 0x0000000080000000 bytes on node 0 flags: 0x0"))
    }

    /// riscv64 (MAX_NUMNODES 4, Sv57), two 2 GiB nodes at 2 GiB and 4 GiB: cnt = 2 (4 bytes at
    /// round_down(0x1_8000_0000 − 4, 4096) = 0x1_7fff_f000); NODE_DATA(0) at 0x1_0000_0000 −
    /// 0x2c80 = 0xffff_d380, NODE_DATA(1) at 0x1_7fff_f000 − 0x2c80 = 0x1_7fff_c380.
    @Test func riscvTwoNodes() throws {
        let platform = deviceTreePlatform(kernel: .v6_12, arch: .riscv64, cpuNodes: [0, 0, 1, 1],
                                          memory: [(0x8000_0000, 2 << 30, 0), (0x1_0000_0000, 2 << 30, 1)],
                                          distances: [(0, 1, 20)])
        let result = try Boot.run(platform)
        #expect(result.kernelLines == [
            "OF: NUMA: parsing numa-distance-map-v1",
            "NUMA: Initialized distance table, cnt=2",
            "NODE_DATA(0) allocated [mem 0xffffd380-0xffffffff]",
            "NODE_DATA(1) allocated [mem 0x17fffc380-0x17fffefff]",
            Self.embedded,
            "pcpu-alloc: s87272 r8192 d31512 u126976 alloc=31*4096",
            "pcpu-alloc: [0] 0 [0] 1 [1] 2 [1] 3 ",
        ])
        #expect(result.topology?.nodes == [0, 1])
    }

    /// Two 6.12.0 regressions (memory whose node never became possible: an Oops, then
    /// "Attempted to kill the idle task!") that 6.12.y fixed and Debian's 6.12.117 — the
    /// model's 6.12 — carries. (a) Node 1 has memory but no CPU and no distance entry:
    /// ee4d098cbc91 makes of_numa `node_set` it, so parsed = possible = {0, 1} and each gets
    /// NODE_DATA at the top of its own memory, 0x8000_0000 − 0x2c80 = 0x7fff_d380 and
    /// 0xc000_0000 − 0x2c80 = 0xbfff_d380 (no distance map: no table, no cnt line).
    /// (b) A memory node without numa-node-id that is not the last one: its 1 GiB stays on
    /// no valid node, and 180bbad69864's memblock_validate_numa_coverage(0) refuses it
    /// ("no nodes coverage for 1024MB of 2048MB RAM", 1 GiB > 0) — as 6.8's "invalid memblk
    /// node" check did — and the dummy node spans all RAM: NODE_DATA(0) at 0xbfff_d380.
    @Test func memoryOnNodesThatAreNotPossible() throws {
        let unparsed = deviceTreePlatform(kernel: .v6_12, cpuNodes: [0],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1)])
        let a = try Boot.run(unparsed)
        #expect(a.outcome == .booted)
        #expect(Array(a.kernelLines.prefix(2)) == ["NODE_DATA(0) allocated [mem 0x7fffd380-0x7fffffff]",
                                                   "NODE_DATA(1) allocated [mem 0xbfffd380-0xbfffffff]"])
        #expect(a.topology?.method == .deviceTree)
        #expect(a.topology?.nodes == [0, 1])

        let untagged = deviceTreePlatform(kernel: .v6_12, cpuNodes: [0],
                                          memory: [(0x4000_0000, 1 << 30, -1), (0x8000_0000, 1 << 30, 0)])
        let b = try Boot.run(untagged)
        #expect(b.outcome == .booted)
        #expect(Array(b.kernelLines.prefix(3)) == ["NUMA: no nodes coverage for 1024MB of 2048MB RAM",
                                                   "NUMA: Faking a node at [mem 0x0000000040000000-0x00000000bfffffff]",
                                                   "NODE_DATA(0) allocated [mem 0xbfffd380-0xbfffffff]"])
        #expect(b.topology?.method == .dummy)
        var old = untagged
        old.kernel = .v6_8
        let v68 = try Boot.run(old)
        #expect(v68.outcome == .booted)
        #expect(v68.kernelLines.contains("NUMA: Warning: invalid memblk node 16 [mem 0x0000000040000000-0x000000007fffffff]"))
        #expect(v68.topology?.method == .dummy)
    }
}
