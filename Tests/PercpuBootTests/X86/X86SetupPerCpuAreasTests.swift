import Testing
import PcpuBootTestSupport
@testable import PercpuBoot

/// x86_64 `setup_per_cpu_areas` (arch/x86/kernel/setup_percpu.c, v6.1) on Debian's numbers:
/// s = 217088, r = PERCPU_FIRST_CHUNK_RESERVE = 8192, d = PERCPU_DYNAMIC_RESERVE = 28672.
@Suite struct X86SetupPerCpuAreasTests {
    /// One node, `n` CPUs (KERNEL-SPEC §10.B): size_sum = PFN_ALIGN(217088 + 8192 + 28672) =
    /// 253952 (62 pages); alloc = roundup(253952, 2 MiB) = 2 MiB; max upa = 8.
    /// 1 CPU: upa 1 → u2097152. 2: upa 2 (waste 0) → u1048576. 4: upa 8 wastes 4 > 1,
    /// upa 4 → u524288. 6: upa 8 wastes 2 ≤ 2 → u262144, two empty units. 8: u262144.
    @Test(arguments: [(1, 2097152, "[0] 0 "), (2, 1048576, "[0] 0 1 "), (4, 524288, "[0] 0 1 2 3 "),
                      (6, 262144, "[0] 0 1 2 3 4 5 - - "), (8, 262144, "[0] 0 1 2 3 4 5 6 7 ")])
    func unitSizeBySize(_ n: Int, _ unit: Int, _ map: String) throws {
        let cpus = (0..<n).map { (apic: UInt64($0), pxm: UInt32(0)) }
        let result = try Boot.run(x86Platform(cpus: cpus, ram: [(0x10_0000, 0x7fee_0000)]))
        #expect(result.percpuLines == [
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:\(n) nr_cpu_ids:\(n) nr_node_ids:1",
            "percpu: Embedded 62 pages/cpu s217088 r8192 d28672 u\(unit)",
            "pcpu-alloc: s217088 r8192 d28672 u\(unit) alloc=1*2097152",
            "pcpu-alloc: \(map)",
        ])
        // One 2 MiB-aligned area at or above __pa(MAX_DMA_ADDRESS) = 16 MiB.
        let area = try #require(result.groupPhys.first)
        #expect(area % (2 << 20) == 0 && area >= 16 << 20)
        // __per_cpu_offset[cpu] = pcpu_base_addr + cpu * unit (zero-based per-CPU section).
        let base = try #require(result.baseAddr)
        #expect(result.cpus.map(\.perCPUOffset) == (0..<n).map { base + UInt64($0 * unit) })
    }

    /// KMSAN shrinks the 4-level vmalloc space to 0x7ffffffffff (3/4 = 0x5ffffffffff). Node 1
    /// at 8 TiB: node 0's area at round_down(0x7ffd5000 − 2M, 2M) = 0x7fc00000 (below its
    /// NODE_DATA), node 1's at 0x800_4000_0000 − 0x2b000 − 2M rounded = 0x8003fc00000; upa 1
    /// (2 CPUs may waste nothing). max_distance = 0x8003fc00000 − 0x7fc00000 + 2M =
    /// 0x7ffc0200000 > 3/4 → -EINVAL → page chunk: 6.1's PERCPU_DYNAMIC_EARLY_SIZE 12288 →
    /// PFN_ALIGN(217088 + 8192 + 12288) = 237568 = 58 pages, d12288; one group, upa 1.
    @Test func embedTooSparseFallsBackToPages() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 1)], srat: [(0, 2 << 30, 0), (0x800_0000_0000, 1 << 30, 1)],
                                   ram: [(0x10_0000, 0x7ff0_0000), (0x800_0000_0000, 1 << 30)],
                                   configure: { $0.kmsan = true; $0.pagingMode = .level4 })
        let result = try Boot.run(platform)
        #expect(result.percpuLines == [
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:2",
            "percpu: max_distance=0x7ffc0200000 too large for vmalloc space 0x7ffffffffff",
            "setup_percpu: auto allocator failed (-22), falling back to page size",
            "percpu: 58 4K pages/cpu s217088 r8192 d12288",
            "pcpu-alloc: s217088 r8192 d12288 u237568 alloc=58*4096",
            "pcpu-alloc: [0] 0 [0] 1 ",
        ])
        #expect(result.firstChunkKind == .page)
        #expect(result.embedFailure == -22)
        #expect(result.baseAddr == 0xffff_c900_0000_0000)     // VMALLOC_START, 4-level, nokaslr
    }

    /// `percpu_alloc=page`: no embed attempt, no fallback message. The chunk (6 × 237568 bytes)
    /// fits one 2 MiB PMD: populate_extra_pte takes a PUD, a PMD and a PTE page with 4-level
    /// paging, plus a P4D page with 5-level paging, each from spp_getpage().
    @Test(arguments: [(PagingMode.level4, 3), (.level5, 4)])
    func pageFirstChunkPageTables(_ paging: PagingMode, _ tables: Int) throws {
        var platform = qemuTwoNodes(cmdline: "percpu_alloc=page memblock=debug")
        platform.config.pagingMode = paging
        let result = try Boot.run(platform)
        #expect(!result.percpuLines.contains { $0.contains("allocator failed") })
        #expect(result.percpuLines.contains("percpu: 58 4K pages/cpu s217088 r8192 d12288"))
        let spp = result.log.texts().filter { $0.hasSuffix(" spp_getpage") }
        #expect(spp.count == tables)
        #expect(spp.first == "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 max_addr=0x0000000000000000 spp_getpage")
        #expect(result.cpus.map(\.node) == [0, 0, 0, 1, 1, 1])
    }

    /// Page-table levels populate_extra_pte finds empty, 4-level: the first page needs a PUD,
    /// a PMD and a PTE page; the next page of the same 2 MiB none; the next 2 MiB a PTE page;
    /// the next 1 GiB a PMD and a PTE page; the next 512 GiB all three again.
    @Test func pageTableLevels() {
        var tables = X86KernelPageTables(fiveLevel: false)
        let start: UInt64 = 0xffff_c900_0000_0000
        let expected: [(UInt64, [X86KernelPageTables.Level])] = [
            (0, [.pud, .pmd, .pte]), (0x1000, []), (2 << 20, [.pte]), (1 << 30, [.pmd, .pte]), (512 << 30, [.pud, .pmd, .pte]),
        ]
        for (offset, levels) in expected {
            #expect(tables.missingLevels(for: start + offset) == levels)
            for level in levels { tables.populate(level, for: start + offset) }
        }
        #expect(X86KernelPageTables(fiveLevel: true).missingLevels(for: 0xffa0_0000_0000_0000) == [.p4d, .pud, .pmd, .pte])
    }

    /// RAM of 512 KiB at 1 MiB: NODE_DATA (0x2b000) leaves [0x100000, 0x155000) = 85 pages.
    /// Embed finds no 2 MiB-aligned 2 MiB → -ENOMEM. The page chunk takes 2 pages (alloc info,
    /// pages array), cpu 0's 58 pages, then runs dry on cpu 1's 26th: everything is given
    /// back and setup_per_cpu_areas panics.
    @Test func nothingFitsPanics() throws {
        let platform = x86Platform(cpus: [(0, 0), (1, 0)], ram: [(0x10_0000, 0x8_0000)])
        let result = try Boot.run(platform)
        #expect(result.percpuLines == [
            "setup_percpu: NR_CPUS:8192 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1",
            "setup_percpu: auto allocator failed (-12), falling back to page size",
            "percpu: failed to allocate 4K page for cpu1",
        ])
        #expect(result.outcome == .panicked("cannot initialize percpu area (err=-12)"))
    }

    /// After the first chunk: one off-stack cpumask per node (setup_node_to_cpumask_map) and
    /// 6.1's four local masks, 8 bytes each (BITS_TO_LONGS(6) longs); 6.8 keeps one local mask.
    @Test(arguments: [(KernelVersion.v6_1, 6), (.v6_8, 3)])
    func cpumaskAllocations(_ kernel: KernelVersion, _ count: Int) throws {
        var platform = qemuTwoNodes(cmdline: "memblock=debug")
        platform.kernel = kernel
        let masks = try Boot.run(platform).log.texts().filter { $0.hasSuffix(" alloc_bootmem_cpumask_var") }
        #expect(masks.count == count)
        #expect(masks.allSatisfy { $0.hasPrefix("memblock_alloc_try_nid: 8 bytes align=0x40 nid=-1 ") })
    }
}
