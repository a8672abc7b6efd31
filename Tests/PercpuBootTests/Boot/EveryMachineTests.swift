import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// Whole boots of the machine kinds no real log in the fixtures covers; every
/// expected number is worked from the kernel's arithmetic in the comment.
@Suite struct EveryMachineTests {
    /// UP (`!CONFIG_SMP`, mm/percpu.c UP setup_per_cpu_areas): unit =
    /// roundup_pow_of_two(max(PCPU_MIN_UNIT_SIZE 32768, PERCPU_DYNAMIC_RESERVE 28672)) = 32768;
    /// no "Embedded" line, only the dump: `s0 r0 d32768 u32768 alloc=1*32768`, `[0] 0 `.
    @Test func uniprocessor() throws {
        let platform = deviceTreePlatform(arch: .riscv64, cpuNodes: [-1], memory: [(0x8000_0000, 256 << 20, -1)],
                                          configure: { $0.smp = false; $0.numa = false; $0.nrCpus = 1 })
        let result = try Boot.run(platform)
        #expect(result.outcome == .booted)
        #expect(result.percpuLines == ["pcpu-alloc: s0 r0 d32768 u32768 alloc=1*32768", "pcpu-alloc: [0] 0 "])
        #expect(result.firstChunkKind == .up)
        #expect(result.setup?.firstChunk.reservedChunk == nil)
    }

    /// nommu K210 (KERNEL-SPEC §10.C): s15264, no modules → r0;
    /// PFN_ALIGN(15264 + 28672 = 43936) = 45056 (11 pages), d = 29792;
    /// one group, max_distance = 2 × 45056 = 0x16000 > VMALLOC_TOTAL 0 × 3/4 → warned, kept;
    /// percpu-km: 22 pages → roundup_pow_of_two 32 → "wasting 10 pages per chunk".
    @Test func nommuK210() throws {
        let platform = deviceTreePlatform(arch: .riscv64, cpuNodes: [-1, -1], memory: [(0x8000_0000, 8 << 20, -1)],
                                          staticSize: 15264,
                                          configure: { $0.mmu = false; $0.numa = false; $0.modules = false
                                                       $0.nrCpus = 2; $0.needPerCpuPageFirstChunk = false })
        let result = try Boot.run(platform)
        #expect(result.outcome == .booted)
        #expect(result.percpuLines == [
            "percpu: max_distance=0x16000 too large for vmalloc space 0x0",
            "percpu: Embedded 11 pages/cpu s15264 r0 d29792 u45056",
            "percpu: wasting 10 pages per chunk",
            "pcpu-alloc: s15264 r0 d29792 u45056 alloc=11*4096",
            "pcpu-alloc: [0] 0 [0] 1 ",
        ])
    }

    /// riscv64 Sv39 (VMALLOC_TOTAL 0x1000000000, threshold 0xc00000000), 6.8, NODES_SHIFT 2;
    /// node 0: 4 GiB at 0x8000_0000, node 1: 4 GiB at 64 GiB. Memblock top-down, by hand:
    ///   distance table 4×4 = 16 B, align 4K, top of RAM        → 0x10_ffff_f000
    ///   NODE_DATA(0) 0x2c80 B on node 0: 0x1_8000_0000 − 0x2c80 → 0x1_7fff_d380
    ///   NODE_DATA(1) below the table: 0x10_ffff_f000 − 0x2c80  → 0x10_ffff_c380
    ///   pcpu_alloc_info 4K → 0x10_ffff_b000; areas[] 4K align 64 → 0x10_ffff_a000
    ///   unit = PFN_ALIGN(60416 + 8192 + 28672 = 97280) = 98304; a group = 2 units = 0x30000
    ///   group 0 (node 0): round_down(0x1_7fff_d380 − 0x30000, 4K) = 0x1_7ffc_d000
    ///   group 1 (node 1): 0x10_ffff_a000 − 0x30000             = 0x10_fffc_a000
    ///   max_distance = 0x10_fffc_a000 − 0x1_7ffc_d000 + 0x30000 = 0xf_8002_d000 > 0xc_0000_0000
    /// → -EINVAL → page chunk: PFN_ALIGN(60416 + 8192 + 20480 = 89088) = 90112 = 22 pages, d = 21504.
    @Test func riscvSv39HugeDistanceFallsBack() throws {
        let platform = deviceTreePlatform(arch: .riscv64, cpuNodes: [0, 0, 1, 1],
                                          memory: [(0x8000_0000, 4 << 30, 0), (0x10_0000_0000, 4 << 30, 1)],
                                          distances: [(0, 1, 20)], staticSize: 60416,
                                          configure: { $0.pagingMode = .sv39 })
        let result = try Boot.run(platform)
        #expect(result.percpuLines == [
            "percpu: max_distance=0xf8002d000 too large for vmalloc space 0x1000000000",
            "NUMA: PERCPU: auto allocator failed (-22), falling back to page size",
            "percpu: 22 4K pages/cpu s60416 r8192 d21504",
            "pcpu-alloc: s60416 r8192 d21504 u90112 alloc=22*4096",
            "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ",
        ])
        #expect(result.firstChunkKind == .page)
    }

    /// Same machine with Sv48 (32 TiB vmalloc): 64 GiB apart is nothing; embed works, 2 groups.
    @Test func riscvSv48Embeds() throws {
        let platform = deviceTreePlatform(arch: .riscv64, cpuNodes: [0, 0, 1, 1],
                                          memory: [(0x8000_0000, 4 << 30, 0), (0x10_0000_0000, 4 << 30, 1)],
                                          distances: [(0, 1, 20)], staticSize: 60416,
                                          configure: { $0.pagingMode = .sv48 })
        let result = try Boot.run(platform)
        #expect(result.percpuLines.first == "percpu: Embedded 24 pages/cpu s60416 r8192 d29696 u98304")
        #expect(result.allocInfo?.groups.count == 2)
    }

    /// Without the page allocator (arm64 before v5.16), a too-large max_distance
    /// only warns and the embed chunk stays.
    @Test func noPageFallbackKeepsEmbed() throws {
        let platform = deviceTreePlatform(kernel: .v5_10, cpuNodes: [0, 1],
                                          memory: [(0x8000_0000, 4 << 30, 0), (0x8000_0000_0000, 4 << 30, 1)],
                                          distances: [(0, 1, 20)],
                                          configure: { $0.pageSize = 65536; $0.vaBits = 52; $0.needPerCpuPageFirstChunk = false })
        let result = try Boot.run(platform)
        #expect(result.percpuLines[0].hasSuffix(" too large for vmalloc space 0x781fefff0000"))
        #expect(result.firstChunkKind == .embed)
        // A chunk spans more than the whole vmalloc space: no dynamic chunk can be placed.
        #expect(result.dynamicChunks?.placedBases == [])
        #expect(result.dynamicChunks?.failure != nil)
    }

    /// A memory-less node (KERNEL-SPEC §4 setup_node_data): node 2 has CPUs and
    /// a distance entry but no memory. NUMA init prints
    /// "NUMA: Initmem setup node 2 [<memory-less node>]" (arch_numa.c's pr_fmt), NODE_DATA(2) lands on another
    /// node, and its CPUs still form their own group (distance 20 to all).
    @Test func memorylessNode() throws {
        let platform = deviceTreePlatform(kernel: .v6_1, cpuNodes: [0, 0, 1, 1, 2, 2],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1)],
                                          distances: [(0, 1, 20), (0, 2, 20), (1, 2, 20)])
        let result = try Boot.run(platform)
        #expect(result.kernelLines.contains("NUMA: Initmem setup node 2 [<memory-less node>]"))
        #expect(result.kernelLines.contains("NUMA: NODE_DATA(2) on node 1"))
        #expect(result.percpuLines.last == "pcpu-alloc: [0] 0 [0] 1 [1] 2 [1] 3 [2] 4 [2] 5 ")
    }

    /// A numa-node-id beyond MAX_NUMNODES (16): of_numa warns, the memory node is
    /// a "bad property", OF NUMA fails and the dummy node takes over — one group.
    @Test func badNodeIdFallsBackToDummy() throws {
        let platform = deviceTreePlatform(kernel: .v6_1, cpuNodes: [0, 0, 99, 99],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 99)])
        let result = try Boot.run(platform)
        let lines = result.kernelLines
        #expect(lines.contains("OF: NUMA: Node id 99 exceeds maximum value"))
        #expect(lines.contains("OF: NUMA: bad property in memory node"))
        #expect(lines.contains("NUMA: Faking a node at [mem 0x0000000040000000-0x00000000bfffffff]"))
        #expect(result.percpuLines.last == "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ")
    }

    /// An invalid distance (node 0 → 1 = 10, i.e. not > LOCAL_DISTANCE) fails OF NUMA.
    @Test func invalidDistanceFallsBackToDummy() throws {
        let platform = deviceTreePlatform(cpuNodes: [0, 1], memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1)],
                                          distances: [(0, 1, 10)])
        let result = try Boot.run(platform)
        #expect(result.kernelLines.contains("OF: NUMA: Invalid distance[node0 -> node1] = 10"))
        #expect(result.topology?.method == .dummy)
        #expect(result.allocInfo?.groups.count == 1)
    }

    /// percpu_alloc= takes exact names only (percpu_alloc_setup).
    @Test func unknownAllocatorIsReported() throws {
        let platform = deviceTreePlatform(cpuNodes: [0], memory: [(0x4000_0000, 1 << 30, 0)], cmdline: "percpu_alloc=pages")
        let result = try Boot.run(platform)
        #expect(result.kernelLines.first == "percpu: unknown allocator pages specified")
        #expect(result.firstChunkKind == .embed)
    }

    /// nr_cpus=2 caps nr_cpu_ids: only CPUs 0 and 1 become possible.
    @Test func nrCpusCapsPossibleCPUs() throws {
        let platform = deviceTreePlatform(cpuNodes: [0, 0, 0, 0], memory: [(0x4000_0000, 1 << 30, 0)], cmdline: "nr_cpus=2")
        let result = try Boot.run(platform)
        #expect(result.topology?.possibleCPUs == [0, 1])
        #expect(result.kernelLines.contains("CPU: Number of cores (4) exceeds configured maximum of 2 - clipping"))
    }
}

/// Kernel-version differences visible in a boot.
@Suite struct KernelProfileTests {
    /// of_numa_parse_memory_nodes: 6.8 ignores a last memory node without
    /// numa-node-id (returns 0 after the loop); 6.12 returns that node's -EINVAL,
    /// so OF NUMA fails and the dummy node is used.
    @Test(arguments: [(KernelVersion.v6_8, Topology.Method.deviceTree), (.v6_12, .dummy)])
    func lastMemoryNodeWithoutNodeId(kernel: KernelVersion, method: Topology.Method) throws {
        // Both nodes' memory is tagged; a third memory node, last in DT order, has no
        // numa-node-id (and no reg, so it adds no RAM that would later be untagged).
        let platform = deviceTreePlatform(kernel: kernel, cpuNodes: [0, 1],
                                          memory: [(0x4000_0000, 1 << 30, 0), (0x8000_0000, 1 << 30, 1)],
                                          distances: [(0, 1, 20)])
        var p = platform
        guard case .deviceTree(var dt) = p.firmware else { return }
        dt.memory.append(DTMemoryNode(path: "/memory@c0000000", regs: [], numaNodeID: .absent))
        p.firmware = .deviceTree(dt)
        let result = try Boot.run(p)
        #expect(result.topology?.method == method)
    }

    /// 6.12 with MEM_ALLOC_PROFILING and RANDOM_KMALLOC_CACHES (KERNEL-SPEC §10.A):
    /// r = 65536, d = 28 << 12 = 114688: PFN_ALIGN(87272 + 65536 + 114688 = 267496) = 270336 (66 pages),
    /// d = 270336 − 87272 − 65536 = 117528.
    @Test func kernel612WithAllocationProfiling() throws {
        let platform = deviceTreePlatform(kernel: .v6_12, cpuNodes: [0], memory: [(0x4000_0000, 1 << 30, 0)],
                                          configure: { $0.memAllocProfiling = true; $0.randomKmallocCaches = true })
        let result = try Boot.run(platform)
        #expect(result.percpuLines.first == "percpu: Embedded 66 pages/cpu s87272 r65536 d117528 u270336")
    }

    /// 6.8 with RANDOM_KMALLOC_CACHES, page chunk: EARLY_SIZE 20 << 12 = 81920:
    /// PFN_ALIGN(87272 + 8192 + 81920 = 177384) = 180224 = 44 pages, d = 84760 (KERNEL-SPEC §10.A).
    @Test func kernel68PageChunkWithRandomKmallocCaches() throws {
        let platform = deviceTreePlatform(kernel: .v6_8, cpuNodes: [0], memory: [(0x4000_0000, 1 << 30, 0)],
                                          cmdline: "percpu_alloc=page", configure: { $0.randomKmallocCaches = true })
        let result = try Boot.run(platform)
        #expect(result.percpuLines.first == "percpu: 44 4K pages/cpu s87272 r8192 d84760")
    }
}

/// The huge-distance arm64 server, every address worked by hand (memblock top-down).
@Suite struct HugeDistanceArithmeticTests {
    /// arm64, 6.8, 4K/48: VMALLOC_TOTAL 0x7bff70000000, 3/4 = 0x5cff94000000.
    /// Node 0: 4 GiB at 0x8000_0000; node 1: 4 GiB at 0x7000_0000_0000; 4 CPUs each.
    ///   numa_alloc_distance: 16×16 = 256 B, align 4K, top of RAM → 0x7000_ffff_f000
    ///   NODE_DATA(0): 0x2c80 B on node 0 → 0x1_8000_0000 − 0x2c80 = 0x1_7fff_d380
    ///   NODE_DATA(1): below the table → 0x7000_ffff_f000 − 0x2c80 = 0x7000_ffff_c380
    ///   pcpu_alloc_info: 4 KiB, align 4K → round_down(0x7000_ffff_c380 − 0x1000) = 0x7000_ffff_b000
    ///   areas[]: 4 KiB, align 64 → 0x7000_ffff_a000
    ///   group 0: 4 units × 126976 = 0x7c000, node 0 → round_down(0x1_7fff_d380 − 0x7c000, 4K) = 0x1_7ff8_1000
    ///   group 1: node 1 → 0x7000_ffff_a000 − 0x7c000 = 0x7000_fff7_e000
    ///   max_distance = (0x7000_fff7_e000 − 0x1_7ff8_1000) + 0x7c000 = 0x6fff_8007_9000 > 0x5cff_9400_0000
    @Test func maxDistanceAndFallback() throws {
        let platform = deviceTreePlatform(cpuNodes: [0, 0, 0, 0, 1, 1, 1, 1],
                                          memory: [(0x8000_0000, 4 << 30, 0), (0x7000_0000_0000, 4 << 30, 1)],
                                          distances: [(0, 1, 20)])
        let result = try Boot.run(platform)
        #expect(result.percpuLines == [
            "percpu: max_distance=0x6fff80079000 too large for vmalloc space 0x7bff70000000",
            "NUMA: PERCPU: auto allocator failed (-22), falling back to page size",
            // 6.8 page chunk: PFN_ALIGN(87272 + 8192 + 20480) = 118784 = 29 pages, d = 23320.
            "percpu: 29 4K pages/cpu s87272 r8192 d23320",
            "pcpu-alloc: s87272 r8192 d23320 u118784 alloc=29*4096",
            "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 [0] 4 [0] 5 [0] 6 [0] 7 ",
        ])
        #expect(result.kernelLines.contains("NUMA: NODE_DATA [mem 0x17fffd380-0x17fffffff]"))
        #expect(result.kernelLines.contains("NUMA: NODE_DATA [mem 0x7000ffffc380-0x7000ffffefff]"))
        // Each CPU's pages come from its own node: CPU 4's first page lies in node 1.
        let cpu4 = try #require(result.cpus.first { $0.cpu == 4 })
        #expect(cpu4.physical.map { $0 >= 0x7000_0000_0000 } == true)
    }

    /// riscv64 without CONFIG_NUMA (riscv defconfig): the generic setup_per_cpu_areas,
    /// one group, pcpu_fc_alloc = memblock_alloc_from (no node, no message).
    /// 6.8: PFN_ALIGN(60416 + 8192 + 28672 = 97280) = 98304 (24 pages), d = 29696.
    @Test func riscvWithoutNUMAEmbedsOneGroup() throws {
        let platform = deviceTreePlatform(arch: .riscv64, cpuNodes: [0, 0, 1, 1],
                                          memory: [(0x8000_0000, 4 << 30, 0), (0x10_0000_0000, 4 << 30, 1)],
                                          staticSize: 60416, configure: { $0.numa = false })
        let result = try Boot.run(platform)
        #expect(result.percpuLines == [
            "percpu: Embedded 24 pages/cpu s60416 r8192 d29696 u98304",
            "pcpu-alloc: s60416 r8192 d29696 u98304 alloc=24*4096",
            "pcpu-alloc: [0] 0 [0] 1 [0] 2 [0] 3 ",
        ])
        #expect(!result.kernelLines.contains { $0.hasPrefix("NUMA:") || $0.hasPrefix("OF: NUMA") })
    }
}

/// arm64 booted with ACPI (arch_acpi_numa_init, v6.8).
@Suite struct ArmACPINUMATests {
    static func platform(memory: [SRATMemory]) -> Platform {
        var config = KernelConfig.defaults(for: .arm64)
        config.nrCpus = 256
        let acpi = ACPIFirmware(processors: [SRATProcessor(hardwareID: 0, proximityDomain: 0),
                                             SRATProcessor(hardwareID: 1, proximityDomain: 1)],
                                memory: memory, slit: [[10, 20], [20, 10]])
        return Platform(name: "acpi", arch: .arm64, kernel: .v6_8, config: config, staticSize: 87272,
                        firmware: .acpi(acpi),
                        memblock: MemblockSetup(memory: [PhysRange(base: 0x4000_0000, size: 2 << 30)]))
    }

    /// Two proximity domains with memory: nodes 0 and 1 in order of first appearance,
    /// each CPU on its own node → 2 groups.
    @Test func twoDomains() throws {
        let result = try Boot.run(Self.platform(memory: [SRATMemory(base: 0x4000_0000, length: 1 << 30, proximityDomain: 0),
                                                         SRATMemory(base: 0x8000_0000, length: 1 << 30, proximityDomain: 1)]))
        #expect(result.kernelLines.contains("ACPI: SRAT: Node 1 PXM 1 [mem 0x80000000-0xbfffffff]"))
        #expect(result.topology?.method == .acpi)
        #expect(result.percpuLines.last == "pcpu-alloc: [0] 0 [1] 1 ")
    }

    /// No memory affinity entry: acpi_numa_init returns -ENOENT, arch_acpi_numa_init prints
    /// "NUMA: Failed to initialise from firmware" and numa_init falls back to the dummy node
    /// (ACPI failure never falls to OF).
    @Test func noMemoryAffinityFallsBackToDummy() throws {
        let result = try Boot.run(Self.platform(memory: []))
        let lines = result.kernelLines
        #expect(lines.contains("NUMA: Failed to initialise from firmware"))
        #expect(!lines.contains { $0.contains("invalid memblk node") })
        #expect(lines.contains("NUMA: Faking a node at [mem 0x0000000040000000-0x00000000bfffffff]"))
        #expect(result.topology?.method == .dummy)
    }
}

/// The page first chunk on 64K pages: its early vmalloc area must be page aligned.
@Suite struct PageChunk64KTests {
    /// arm64 6.8, 64K pages, VA_BITS 42: VMALLOC_START = _PAGE_END(42) + 2 GiB = 0xfffffe0080000000
    /// (KIMAGE_VADDR). The image (0x200b000 bytes) ends at 0xfffffe008200b000, page-aligned up to
    /// 0xfffffe0082010000, plus the 64 KiB guard page → the area at 0xfffffe0082020000.
    /// Unit: PFN_ALIGN(87272 + 8192 + 20480 = 115944) with 64K pages = 131072 (2 pages), d = 35608.
    @Test func areaIsPageAligned() throws {
        let platform = deviceTreePlatform(cpuNodes: [0, 0], memory: [(0x4000_0000, 1 << 30, 0)],
                                          cmdline: "percpu_alloc=page",
                                          configure: { $0.pageSize = 65536; $0.vaBits = 42 })
        let result = try Boot.run(platform)
        #expect(result.outcome == .booted)
        #expect(result.percpuLines.first == "percpu: 2 64K pages/cpu s87272 r8192 d35608")
        #expect(result.baseAddr == 0xfffffe00_82020000)
    }
}
