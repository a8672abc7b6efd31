import Testing
@testable import PercpuBoot

/// `pcpu_build_alloc_info` with its arithmetic worked by hand (mm/percpu.c, v6.8).
/// NR_CPUS is the arm64 default 256 unless the test says otherwise; it fills empty units.
@Suite struct PcpuBuildAllocInfoTests {
    /// Debian's arm64 kernel: s=87272, r=8192 (MODULES), d=28672 (PERCPU_DYNAMIC_RESERVE).
    ///   size_sum = PFN_ALIGN(87272 + 8192 + max(28672, 20480)) = PFN_ALIGN(124136) = 126976 (31 pages)
    ///   dyn = 126976 - 87272 - 8192 = 31512; atom 4K → alloc 126976, upa 1, unit 126976.
    ///   Nodes 0,0,1,1,2,2,3,3 at distance 20 from each other → 4 groups of 2.
    @Test func fourNodesTwoCPUsEach() throws {
        var context = try percpuContext(cpuNodes: [0, 0, 1, 1, 2, 2, 3, 3])
        let ai = try #require(try context.buildWithNodeDistances(atom: 4096))
        #expect(ai.unitSize == 126976)
        #expect(ai.dynSize == 31512)
        #expect(ai.allocSize == 126976)
        #expect(ai.groups.map(\.cpuMap) == [[0, 1], [2, 3], [4, 5], [6, 7]])
        // Back-to-back placeholder offsets: 0, 2u, 4u, 6u.
        #expect(ai.groups.map(\.baseOffset) == [0, 253952, 507904, 761856])
        // pcpu_alloc_alloc_info: 64 + 24*4 + 4*8 = 192 bytes → one page from memblock.
        #expect(ai.aiSize == 4096)
    }

    /// Uneven groups with 2 MiB atoms (x86_64-like: s=217088, r=8192, d=28672):
    ///   size_sum = PFN_ALIGN(253952) = 253952; alloc = roundup(253952, 2M) = 2097152;
    ///   max_upa = 2097152 / 253952 = 8 (2097152 % 8 == 0, 262144 page aligned).
    ///   Groups {0,1,2} and {3,4}; 5 CPUs → waste limit 5/3 = 1.
    ///   upa 8: allocs 1+1, wasted 5+6 = 11 > 1 → skip.   upa 7,6,5,3: don't divide 2M.
    ///   upa 4: allocs 2, wasted 1+2 = 3 > 1 → skip.
    ///   upa 2: allocs 2+1 = 3, wasted 1+0 = 1 → best = 2, last = 3.   upa 1: allocs 5 > 3 → stop.
    ///   unit = 2097152 / 2 = 1048576; units: roundup(3,2) + roundup(2,2) = 4 + 2.
    @Test func unevenGroupsWithTwoMegabyteAtoms() throws {
        var context = try percpuContext(arch: .x86_64, cpuNodes: [0, 0, 0, 1, 1], staticSize: 217088)
        let ai = try #require(try context.buildWithNodeDistances(atom: 2 << 20))
        #expect(ai.unitSize == 1048576)
        #expect(ai.unitsPerAlloc == 2)
        #expect(ai.groups.map(\.nrUnits) == [4, 2])
        #expect(ai.groups[0].cpuMap == [0, 1, 2, 8192])      // x86_64 NR_CPUS 8192 marks the empty unit
        #expect(ai.groups[1].cpuMap == [3, 4])
        #expect(ai.groups.map(\.baseOffset) == [0, 4 * 1048576])
        // pcpu_dump_alloc_info: cpu_width 1, group_width 1, width = 2*(1+1)+1+3 = 8, apl = 4 (≤ 60/8 = 7).
        #expect(pcpuAllocInfoLines(ai, numPossibleCPUs: 5) == [
            "pcpu-alloc: s217088 r8192 d28672 u1048576 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 [0] 2 - [1] 3 4 ",
        ])
    }

    /// KERNEL-SPEC §10.B, one group (same node), x86_64 numbers:
    ///   6 CPUs: upa 8 wastes 2 ≤ 6/3 → u262144, two empty units;
    ///   4 CPUs: upa 8 wastes 4 > 1 → upa 4 wastes 0 → u524288; 1 CPU: upa 1 → u2097152.
    @Test(arguments: [(6, UInt64(262144), 2), (4, 524288, 0), (2, 1048576, 0), (1, 2097152, 0), (8, 262144, 0)])
    func oneGroupUnitsPerAllocation(cpus: Int, unit: UInt64, empty: Int) throws {
        var context = try percpuContext(arch: .x86_64, cpuNodes: Array(repeating: 0, count: cpus), staticSize: 217088)
        let ai = try #require(try context.buildWithNodeDistances(atom: 2 << 20))
        #expect(ai.unitSize == unit)
        #expect(ai.groups.count == 1)
        #expect(ai.groups[0].cpuMap.filter { $0 == 8192 }.count == empty)
    }

    /// Six CPUs with 2 MiB atoms: the dump shows the two empty units as dashes (KERNEL-SPEC §10.B).
    @Test func emptyUnitsPrintAsDashes() throws {
        var context = try percpuContext(arch: .x86_64, cpuNodes: Array(repeating: 0, count: 6), staticSize: 217088)
        let ai = try #require(try context.buildWithNodeDistances(atom: 2 << 20))
        #expect(pcpuAllocInfoLines(ai, numPossibleCPUs: 6) == [
            "pcpu-alloc: s217088 r8192 d28672 u262144 alloc=1*2097152",
            "pcpu-alloc: [0] 0 1 2 3 4 5 - - ",
        ])
    }

    /// Grouping compares with the group's first CPU only, and CPUs of one node
    /// interleaved with another's still end up together, in CPU order:
    /// nodes 1,0,1,0 → group 0 = {0,2} (node 1), group 1 = {1,3} (node 0).
    @Test func interleavedNodesGroupByFirstCPU() throws {
        var context = try percpuContext(cpuNodes: [1, 0, 1, 0])
        let ai = try #require(try context.buildWithNodeDistances(atom: 4096))
        #expect(ai.groups.map(\.cpuMap) == [[0, 2], [1, 3]])
    }

    /// Nodes at LOCAL_DISTANCE from each other share a group (a distance table
    /// the kernel can only get from SLIT-less x86 or a hand-built table).
    @Test func localDistanceNodesShareAGroup() throws {
        var context = try percpuContext(cpuNodes: [0, 1, 2, 2], remote: 10)
        let ai = try #require(try context.buildWithNodeDistances(atom: 4096))
        #expect(ai.groups.map(\.cpuMap) == [[0, 1, 2, 3]])
    }

    /// The page first chunk's build: dyn 0 asked → d = EARLY_SIZE remainder.
    ///   6.1: PFN_ALIGN(87272 + 8192 + 12288 = 107752) = 110592 (27 pages), d = 15128.
    ///   6.8: PFN_ALIGN(87272 + 8192 + 20480 = 115944) = 118784 (29 pages), d = 23320.
    @Test(arguments: [(KernelVersion.v6_1, UInt64(110592), UInt64(15128)), (.v6_8, 118784, 23320)])
    func pageChunkSizes(kernel: KernelVersion, unit: UInt64, dyn: UInt64) throws {
        var context = try percpuContext(kernel: kernel, cpuNodes: [0, 0, 1, 1])
        let ai = try #require(try context.pcpuBuildAllocInfo(reservedSize: 8192, dynSize: 0, atomSize: 4096, distance: .none))
        #expect(ai.unitSize == unit)
        #expect(ai.dynSize == dyn)
        #expect(ai.groups.count == 1)
    }

    /// RANDOM_KMALLOC_CACHES on 6.8: SIZE_SHIFT 12 → reserve 28<<12 = 114688:
    ///   PFN_ALIGN(87272 + 8192 + 114688 = 210152) = 212992 (52 pages), d = 117528.
    @Test func randomKmallocCachesGrowTheDynamicArea() throws {
        var context = try percpuContext(cpuNodes: [0, 0], configure: { $0.randomKmallocCaches = true })
        let reserve = context.profile.percpu.dynamicReserve
        #expect(reserve == 114688)
        let ai = try #require(try context.buildWithNodeDistances(dyn: reserve, atom: 4096))
        #expect(ai.unitSize == 212992)
        #expect(ai.dynSize == 117528)
    }
}
