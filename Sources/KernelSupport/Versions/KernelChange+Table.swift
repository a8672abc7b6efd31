/// The table: for each change, where it begins, the commit and what it does.
///
/// `source` names what the boundary rests on. Where two Debian trees (6.1.192,
/// 6.12.117, 7.2.13) or indexed mainline trees differ but no commit could be
/// pinned, `commit` is nil and `source` says so: `pcpu-boot kernels` shows it.
extension KernelChange {
    public var entry: KernelChangeEntry {
        switch self {
        // MARK: mm/percpu.c messages
        case .percpuPrFmt:
            return .init(since: .init(4, 6), commit: "870d4b12ad15 (\"mm: percpu: use pr_fmt to prefix output\")",
                         files: ["mm/percpu.c", "mm/percpu-km.c"],
                         summary: "literal \"PERCPU: \" prefixes give way to pr_fmt \"percpu: \"; percpu-km: \"one groups\" → \"one group\"",
                         source: "the patch's removed lines (linux-mm, 2016-03-03); the CentOS 7 backport table says first in 4.6")
        case .printkHashedPointers:
            return .init(since: .init(4, 15), commit: "ad67b74d2469 (\"printk: hash addresses printed with %p\")",
                         files: ["lib/vsprintf.c"],
                         summary: "%p prints (____ptrval____) until the hashing key is ready: \"Embedded … @(____ptrval____) s…\"",
                         source: "the real line quoted in commit 00206a69ee32's message")
        case .percpuNoAddressInSummary:
            return .init(since: .init(5, 1), commit: "00206a69ee32 (\"percpu: stop printing kernel addresses\")",
                         files: ["mm/percpu.c"],
                         summary: "\"Embedded %zu pages/cpu @%p s…\" and \"%d %s pages/cpu @%p s…\" drop \" @%p\" (also backported to stable trees)",
                         source: "the patch (posted 2019-03-18, after v5.0) and its 3.16 stable backport")
        // MARK: percpu.h constants, pcpu_build_alloc_info, pcpu_embed_first_chunk
        case .percpuDynamicReserve28K:
            return .init(since: .init(3, 17), commit: nil, files: ["include/linux/percpu.h"],
                         summary: "PERCPU_DYNAMIC_RESERVE 20 KiB → 28 KiB on 64-bit (12 → 20 KiB on 32-bit)",
                         source: "real logs: Debian 3.16.0-4 prints d from 20 KiB, Ubuntu 3.19.0-51 from 28 KiB; 3.17 taken as the first, 3.18/3.19 not excluded")
        case .percpuMaxDistanceHighestGroupSpan:
            return .init(since: .init(4, 9), commit: "93c76b6b2faa (\"mm/percpu.c: correct max_distance calculation for pcpu_embed_first_chunk()\")",
                         files: ["mm/percpu.c"],
                         summary: "max_distance = highest group's offset + its units × unit size (was highest offset + one unit)",
                         source: "3.x mm/percpu.c and the patch; the CentOS 7 backport table says first in 4.9")
        case .percpuMaxDistanceCheckBeforeCopy:
            return .init(since: .init(4, 9), commit: "9b7396624a7b (\"mm/percpu.c: fix potential memory leakage for pcpu_embed_first_chunk()\")",
                         files: ["mm/percpu.c"],
                         summary: "the distance check runs before the copy and a failure frees the areas (was: after, leaking them)",
                         source: "3.x mm/percpu.c and the patch; first in 4.9")
        // MARK: the allocator
        case .percpuBitmapAllocator:
            return .init(since: .init(4, 14), commit: "40064aeca35c (\"percpu: replace area map allocator with bitmap\")",
                         files: ["mm/percpu.c", "mm/percpu-internal.h"],
                         summary: "chunks keep an allocation bitmap with metadata blocks instead of an area map; pcpu_alloc_first_chunk",
                         source: "4.13 and 4.14 mm/percpu.c")
        case .percpuPartialDepopulation:
            return .init(since: .init(5, 14), commit: "f183324133ea (\"percpu: implement partial chunk depopulation\")",
                         files: ["mm/percpu.c", "mm/percpu-internal.h"],
                         summary: "free_percpu isolates chunks with many empty pages onto pcpu_to_depopulate_slot; the balance work depopulates and sidelines them",
                         source: "blame of mm/percpu.c (2021-04-07); 6.1.192 tree")
        case .percpuWarnAtomicFailures:
            return .init(since: .init(6, 6), commit: "f7d77dfc91f7 (\"mm/percpu.c: print error message too if atomic alloc failed\")",
                         files: ["mm/percpu.c"],
                         summary: "pcpu_alloc's \"allocation failed\" warning is printed for atomic allocations too (without dump_stack)",
                         source: "blame of mm/percpu.c (2023-07-28, merged after v6.5); 6.1.192 and 6.12.117 trees")
        case .percpuAllocTagging:
            return .init(since: .init(6, 10), commit: "24e44cc22aa3 (\"mm: percpu: enable per-cpu allocation tagging\")",
                         files: ["mm/percpu.c", "include/linux/percpu.h"],
                         summary: "pcpu_alloc becomes pcpu_alloc_noprof and tags each area for memory allocation profiling (placement unchanged)",
                         source: "blame of mm/percpu.c (2024-03-21); 6.12.117 tree")
        // MARK: percpu.h constants, pcpu_build_alloc_info, pcpu_setup_first_chunk
        case .percpuDynamicEarlySize20K:
            return .init(since: .init(6, 2), commit: "e8753e416c7e (\"percpu: adjust the value of PERCPU_DYNAMIC_EARLY_SIZE\")",
                         files: ["include/linux/percpu.h"],
                         summary: "PERCPU_DYNAMIC_EARLY_SIZE 12 KiB → 20 KiB (20 << PERCPU_DYNAMIC_SIZE_SHIFT from 6.6)",
                         source: "6.1.192 and 6.12.117 include/linux/percpu.h; KERNEL-SPEC §1")
        case .percpuDynamicSizeShift:
            return .init(since: .init(6, 6), commit: "3c6152940584 (\"Randomized slab caches for kmalloc()\")",
                         files: ["include/linux/percpu.h"],
                         summary: "PERCPU_DYNAMIC_SIZE_SHIFT: 12 with RANDOM_KMALLOC_CACHES (early size and reserve × 4), else 10",
                         source: "KERNEL-SPEC §1 (v6.8 tree)")
        case .percpuDynamicSizeShiftLockdep:
            return .init(since: .init(6, 12), commit: nil, files: ["include/linux/percpu.h"],
                         summary: "PERCPU_DYNAMIC_SIZE_SHIFT 13 with RANDOM_KMALLOC_CACHES, LOCKDEP and pages larger than 4K",
                         source: "6.12.117 include/linux/percpu.h (\"mm: percpu: increase PERCPU_DYNAMIC_SIZE_SHIFT on certain builds.\")")
        case .percpuModuleReserveAllocTags:
            return .init(since: .init(6, 10), until: .init(6, 15), commit: nil, files: ["include/linux/percpu.h"],
                         summary: "PERCPU_MODULE_RESERVE 8 KiB → 64 KiB (8 << 13) with MEM_ALLOC_PROFILING; 6.15 (12ca42c23775) allocates module tags' counters dynamically and returns to 8 << 10",
                         source: "6.12.117 include/linux/percpu.h (64 KiB) and 7.2.13 (8 KiB); \"mm: percpu: increase PERCPU_MODULE_RESERVE to accommodate allocation tags\" (id not pinned)")
        case .percpuSetupNoDynSizeCheck:
            return .init(since: .init(6, 2), commit: nil, files: ["mm/percpu.c"],
                         summary: "pcpu_setup_first_chunk no longer checks PCPU_SETUP_BUG_ON(!ai->dyn_size)",
                         source: "6.1.192 and 6.12.117 mm/percpu.c")
        case .percpuChunkBaseAddrCachelineAligned:
            return .init(since: .init(6, 5), commit: "3a6358c0dbe6 (\"percpu-internal/pcpu_chunk: re-layout pcpu_chunk structure to reduce false sharing\")",
                         files: ["mm/percpu-internal.h"],
                         summary: "struct pcpu_chunk: base_addr ____cacheline_aligned_in_smp after bound_map (136 → 192 bytes on Debian builds)",
                         source: "6.1.192 and 6.12.117 mm/percpu-internal.h; blame of the re-layout")
        case .percpuInitFailPrintsErr:
            return .init(since: .init(5, 16), commit: nil, files: ["drivers/base/arch_numa.c"],
                         summary: "\"Failed to initialize percpu areas.\" gains \" (err=%d)\"",
                         source: "5.10 and 6.1 drivers/base/arch_numa.c")
        case .percpuGenericFcAlloc:
            return .init(since: .init(5, 17), commit: "23f917169ef1 (\"mm: percpu: add generic pcpu_fc_alloc/free funciton\")",
                         files: ["mm/percpu.c", "drivers/base/arch_numa.c", "arch/x86/kernel/setup_percpu.c"],
                         summary: "pcpu_fc_alloc/pcpu_fc_free move from the architectures into mm/percpu.c (cpu_to_nd_fn callback); x86's pcpu_alloc_bootmem goes",
                         source: "Kefeng Wang's series (RFC 2021-11-21, after the 5.16 merge window), merged for 5.17")
        case .percpuChunkCountersBeforeObjExts:
            return .init(since: .init(7, 0), commit: nil, files: ["mm/percpu-internal.h"],
                         summary: "struct pcpu_chunk: nr_pages, nr_populated, nr_empty_pop_pages move before obj_exts (192 → 128 bytes on 64-bit, memcg on)",
                         source: "6.12.117 and 7.2.13 mm/percpu-internal.h; the first release between 6.13 and 7.2 is not pinned (7.0 assumed)")
        // MARK: first chunk choices
        case .arm64PageFirstChunk:
            return .init(since: .init(5, 16), commit: "09cea6195073 (\"arm64: support page mapping percpu first chunk allocator\")",
                         files: ["arch/arm64/Kconfig", "drivers/base/arch_numa.c"],
                         summary: "arm64 NEED_PER_CPU_PAGE_FIRST_CHUNK: embed failures fall back to the page first chunk",
                         source: "commit 09cea6195073", arches: ["arm64"])
        case .needPerCpuKMForNommu:
            return .init(since: .init(5, 16), commit: "3583521aabac (\"percpu: km: ensure it is used with NOMMU (either UP or SMP)\")",
                         files: ["mm/Kconfig"],
                         summary: "NEED_PER_CPU_KM: every !MMU build uses percpu-km, SMP included",
                         source: "commit 3583521aabac")
        // MARK: memblock
        case .memblockMirrorNeedsKernelcore:
            return .init(since: .init(6, 2), commit: "902c2d91582c (\"memblock: Disable mirror feature if kernelcore is not specified\")",
                         files: ["mm/memblock.c"],
                         summary: "memblock_mark_mirror() does nothing unless kernelcore=mirror",
                         source: "6.1.192 and 6.12.117 mm/memblock.c")
        case .memblockMergeAroundTouchedRange:
            return .init(since: .init(6, 3), commit: "2fe03412e2e1 (\"memblock: Avoid useless checks in memblock_merge_regions().\")", files: ["mm/memblock.c"],
                         summary: "memblock_merge_regions() walks start_rgn − 1 … end_rgn instead of the whole array",
                         source: "6.1.192 and 6.12.117 mm/memblock.c")
        case .memblockInsertWhenHalfFull:
            return .init(since: .init(6, 3), commit: "ad500fb2d11b (\"memblock: Make a boundary tighter in memblock_add_range().\")", files: ["mm/memblock.c"],
                         summary: "memblock_add_range() inserts directly while cnt * 2 + 1 <= max (was <)",
                         source: "6.1.192 and 6.12.117 mm/memblock.c")
        case .memblockDoubleArrayPanicsEarly:
            return .init(since: .init(6, 8), commit: nil, files: ["mm/memblock.c"],
                         summary: "memblock_double_array() before memblock_allow_resize() panics \"memblock: cannot resize %s array\" (was -1)",
                         source: "6.1.192 mm/memblock.c and the v6.8 tree of KERNEL-SPEC")
        case .memblockNumaValidNode:
            return .init(since: .init(6, 12), commit: nil, files: ["mm/memblock.c"],
                         summary: "numa_valid_node() decides node filtering and the dump's \" on node\"; no MAX_NUMNODES warnings",
                         source: "6.12.117 mm/memblock.c")
        case .memblockNoDummyRegion:
            return .init(since: .init(6, 11), commit: "721f4a6526da (\"mm/memblock: remove empty dummy entry\")", files: ["mm/memblock.c"],
                         summary: "an empty memblock type has cnt 0 (no zero-size dummy entry)",
                         source: "6.12.117 mm/memblock.c")
        case .memblockAllocOrPanic:
            return .init(since: .init(6, 14), commit: nil, files: ["mm/memblock.c", "include/linux/memblock.h", "mm/percpu.c"],
                         summary: "memblock_alloc() + panic() callers become memblock_alloc_or_panic(): the trace names __memblock_alloc_or_panic, the panic reads \"%s: Failed to allocate %pap bytes\"",
                         source: "\"mm/memblock: add memblock_alloc_or_panic interface\" (Guo Weikang, v7 2024-12-23, merged for 6.14); 6.12.117 and 7.2.13 mm/percpu.c")
        case .memblockReserveKern:
            return .init(since: .init(6, 16), commit: nil, files: ["mm/memblock.c", "include/linux/memblock.h"],
                         summary: "allocations reserve with __memblock_reserve(base, size, nid, MEMBLOCK_RSRV_KERN): trace \"__memblock_reserve: [%pa-%pa] nid=%d flags=%x\", reserved regions keep nid and flag 0x20 (and merge only with equals); memblock_reserve() tags NUMA_NO_NODE instead of MAX_NUMNODES",
                         source: "\"memblock: add MEMBLOCK_RSRV_KERN flag\" (Mike Rapoport, Kexec HandOver series v7 2025-05-01, merged for 6.16); 6.12.117 and 7.2.13 mm/memblock.c")
        case .memblockNumaCoverageZeroThreshold:
            return .init(since: .init(6, 12), commit: nil, files: ["mm/memblock.c"],
                         summary: "memblock_validate_numa_coverage() fails only when the memory without a valid node exceeds the threshold (>, was >=), so a threshold of 0 passes full coverage",
                         source: "\"memblock: allow zero threshold in validate_numa_converage()\" (Mike Rapoport, pulled with 180bbad69864 for v6.13-rc2, Cc stable): backported to 6.12.y, Debian 6.12.117's mm/memblock.c has it, so the model keys it on 6.12")
        // MARK: NUMA init
        case .arm64NUMA:
            return .init(since: .init(4, 7), commit: "1a2db300348b (\"arm64, numa: Add NUMA support for arm64 platforms.\")",
                         files: ["arch/arm64/mm/numa.c"], summary: "arm64 gains NUMA (of_numa, numa=off, NODE_DATA lines)",
                         source: "commit 1a2db300348b", arches: ["arm64"])
        case .archNumaDriver:
            return .init(since: .init(5, 10), commit: "ae3c107cd8be (\"numa: Move numa implementation to common code\")",
                         files: ["drivers/base/arch_numa.c"], summary: "arm64's NUMA code moves to drivers/base/arch_numa.c",
                         source: "commit ae3c107cd8be")
        case .riscvNUMA:
            return .init(since: .init(5, 12), commit: "4f0e8eef772e (\"riscv: Add numa support for riscv64 platform\")",
                         files: ["arch/riscv/Kconfig"], summary: "riscv64 uses arch_numa (of_numa, per-node first chunk groups)",
                         source: "commit 4bd1d80efb5a", arches: ["riscv64"])
        case .numaMemblks:
            return .init(since: .init(6, 12), commit: "87482708210f (\"mm: introduce numa_memblks\")",
                         files: ["mm/numa_memblks.c", "drivers/base/arch_numa.c", "arch/x86/mm/numa.c"],
                         summary: "NUMA init through numa_memblks (numa_add_memblk, numa_cleanup_meminfo, numa_register_meminfo) for arm64, riscv64 and x86_64",
                         source: "6.12.117 tree")
        case .archNumaValidatesCoverage:
            return .init(since: .init(6, 12), commit: "180bbad69864 (\"arch_numa: Restore nid checks before registering a memblock with a node\")",
                         files: ["drivers/base/arch_numa.c"],
                         summary: "numa_register_nodes() again refuses memory on no valid node, now through memblock_validate_numa_coverage(0) (\"NUMA: no nodes coverage for %luMB of %luMB RAM\", then the faked node) instead of 6.12.0's Oops in sparse_init",
                         source: "mainline v6.13-rc2 (Cc stable, 6.12.5); Debian 6.12.117's drivers/base/arch_numa.c has it, and its arm64 ACPI boot under QEMU (Tests/Fixtures/firmware-boots/arm64-acpi-4node-memoryless-6.12) prints the coverage line and fakes a node, so the model keys it on 6.12",
                         arches: ["arm64", "riscv64"])
        case .numaDistanceTableLinePrDebug:
            return .init(since: .init(7, 0), commit: nil, files: ["mm/numa_memblks.c"],
                         summary: "numa_alloc_distance's printk(KERN_DEBUG \"NUMA: Initialized distance table, cnt=%d\") becomes pr_debug (gone from the log)",
                         source: "6.12.117 and 7.2.13 mm/numa_memblks.c; real 6.12/7.2 boots; the first release between 6.13 and 7.2 is not pinned (7.0 assumed)")
        case .ofNumaReturnsLastStatus:
            return .init(since: .init(6, 12), commit: nil, files: ["drivers/of/of_numa.c"],
                         summary: "of_numa_parse_memory_nodes() returns the last numa_add_memblk() status",
                         source: "6.12.117 drivers/of/of_numa.c")
        case .ofNumaMemoryNodesParsed:
            return .init(since: .init(6, 12), commit: "ee4d098cbc91 (\"of_numa: fix uninitialized memory nodes causing kernel panic\")",
                         files: ["drivers/of/of_numa.c"],
                         summary: "of_numa_parse_memory_nodes() marks each memory node's nid parsed (node_set) as numa_memblks' numa_add_memblk no longer does: a memory-only node is possible and gets NODE_DATA instead of 6.12.0's Oops in free_area_init",
                         source: "mainline v6.17 (Cc stable, 6.12.46); Debian 6.12.117's drivers/of/of_numa.c has it, so the model keys it on 6.12",
                         arches: ["arm64", "riscv64"])
        case .x86SratAffinityLinesDebug:
            return .init(since: .init(6, 12), commit: nil, files: ["arch/x86/mm/srat.c"],
                         summary: "\"SRAT: PXM %u -> APIC 0x%02x -> Node %u\" becomes pr_debug",
                         source: "6.12.117 arch/x86/mm/srat.c", arches: ["x86_64"])
        case .x86MemorylessNodeMessageDropped:
            return .init(since: .init(6, 8), commit: nil, files: ["arch/x86/mm/numa.c"],
                         summary: "\"Initializing node %d as memoryless\" is no longer printed",
                         source: "6.1.192 tree and the v6.8 tree of KERNEL-SPEC", arches: ["x86_64"])
        case .x86NodeDataAllocPanics:
            return .init(since: .init(6, 8), commit: nil, files: ["mm/mm_init.c"],
                         summary: "a failed memory-less NODE_DATA allocation panics \"Cannot allocate %zuB for node %d.\"",
                         source: "6.1.192 tree and the v6.8 tree of KERNEL-SPEC", arches: ["x86_64"])
        case .x86AllocOfflineNodeData:
            return .init(since: .init(6, 12), commit: nil, files: ["mm/numa.c"],
                         summary: "memory-less nodes' NODE_DATA comes from alloc_offline_node_data() (caller in memblock=debug)",
                         source: "6.12.117 mm/numa.c", arches: ["x86_64"])
        case .x86MemorylessNodesInFreeAreaInit:
            return .init(since: .init(5, 18), commit: nil, files: ["arch/x86/mm/numa.c", "mm/page_alloc.c"],
                         summary: "init_cpu_to_node() only sets a CPU-only node online; its NODE_DATA comes from free_area_init() (\"Initializing node %d as memoryless\") instead of init_memory_less_node()",
                         source: "the patches \"arch/x86/mm/numa: Do not initialize nodes twice\" (Oscar Salvador, Feb 2022) and \"mm: handle uninitialized numa nodes gracefully\" (Michal Hocko, posted 2022-01-27), both after the 5.17 merge window; 5.10 and 6.1.192 arch/x86/mm/numa.c differ so",
                         arches: ["x86_64"])
        // MARK: x86 CPUs and setup_percpu
        case .arm64GICCOnlineCapable:
            return .init(since: .init(6, 12), commit: nil, files: ["arch/arm64/kernel/smp.c"],
                         summary: "acpi_map_gic_cpu_interface also takes a disabled GICC that is online-capable (GICC flag bit 3)",
                         source: "6.1.192 and 6.12.117 arch/arm64/kernel/smp.c; the first release between them is not pinned (6.12 assumed)",
                         arches: ["arm64"])
        case .x86BootCPUNotListedFallbackDropped:
            return .init(since: .init(6, 8), commit: nil, files: ["arch/x86/kernel/smpboot.c"],
                         summary: "prefill_possible_map no longer registers a boot CPU the firmware did not list",
                         source: "6.1.192 tree and the v6.8 tree of KERNEL-SPEC", arches: ["x86_64"])
        case .x86CPUTopologyRewrite:
            return .init(since: .init(6, 9), commit: nil, files: ["arch/x86/kernel/cpu/topology.c"],
                         summary: "CPU enumeration by the new topology code (\"CPU topo:\" lines, hotplug CPUs from the MADT)",
                         source: "6.12.117 tree", arches: ["x86_64"])
        case .x86NrCpumaskBitsIsNrCpuIds:
            return .init(since: .init(6, 1), commit: "aa47a7c215e7 (\"lib/cpumask: deprecate nr_cpumask_bits\")", files: ["include/linux/cpumask.h"],
                         summary: "nr_cpumask_bits is nr_cpu_ids whatever CPUMASK_OFFSTACK (was NR_CPUS without it): the setup_percpu: line",
                         source: "\"lib/cpumask: deprecate nr_cpumask_bits\" (Yury Norov, v2 2022-09-05); 6.1.192 include/linux/cpumask.h has it", arches: ["x86_64"])
        case .x86CPULocalMasksOnlySibling:
            return .init(since: .init(6, 5), commit: nil, files: ["arch/x86/kernel/smpboot.c"],
                         summary: "setup_cpu_local_masks allocates only cpu_sibling_setup_mask (was four masks)",
                         source: "6.1.192 and 6.12.117 arch/x86/kernel/smpboot.c", arches: ["x86_64"])
        // MARK: virtual layouts
        case .arm64VmallocAfterModulesOnly:
            return .init(since: .init(5, 11), commit: nil, files: ["arch/arm64/include/asm/memory.h", "arch/arm64/include/asm/pgtable.h"],
                         summary: "VMALLOC_START = _PAGE_END(VA_BITS_MIN) + modules (no BPF region); VMALLOC_END = VMEMMAP_START − 256M",
                         source: "5.10 and 6.1 arch/arm64 headers", arches: ["arm64"])
        case .arm64ModulesRegion2G:
            return .init(since: .init(6, 5), commit: "3e35d303ab7d (\"arm64: module: rework module VA range selection\")",
                         files: ["arch/arm64/include/asm/memory.h"], summary: "MODULES_VSIZE 128M → 2G",
                         source: "6.1.192 and 6.12.117 arch/arm64/include/asm/memory.h", arches: ["arm64"])
        case .arm64VmemmapBelowFixmap:
            return .init(since: .init(6, 9), commit: nil, files: ["arch/arm64/include/asm/memory.h", "arch/arm64/include/asm/pgtable.h"],
                         summary: "VMEMMAP_START = −1G − VMEMMAP_SIZE, VMALLOC_END = VMEMMAP_START − 8M",
                         source: "6.12.117 arch/arm64 headers", arches: ["arm64"])
        case .arm64LPA2:
            return .init(since: .init(6, 9), commit: nil, files: ["arch/arm64/Kconfig"],
                         summary: "VA_BITS 52 with 4K and 16K pages (LPA2)", source: "6.12.117 arch/arm64/Kconfig",
                         arches: ["arm64"])
        case .arm64VA52On48BitHardware:
            return .init(since: .init(5, 4), commit: "5383cc6efed1 (\"arm64: mm: Introduce vabits_actual\")",
                         files: ["arch/arm64/mm/init.c", "arch/arm64/include/asm/memory.h"],
                         summary: "a VA_BITS=52 kernel on a CPU without 52-bit VA puts RAM in the 48-bit half of the linear map: __pa(PAGE_OFFSET) = memstart_addr − (_PAGE_OFFSET(48) − _PAGE_OFFSET(52)), so pcpu_fc_alloc's goal __pa(MAX_DMA_ADDRESS) prints as from=0xfff1000040000000 (placement unchanged: memblock retries from 0)",
                         source: "physvirt_offset 5.4–5.9, memstart_addr adjustment since 7bc1a0f9e176 (5.10); 6.1.192/6.12.117/7.2.13 arch/arm64/mm/init.c; real 6.12.117 and 7.2.13 arm64 boots",
                         arches: ["arm64"])
        case .riscvSatpModeFromFDT:
            return .init(since: .init(6, 18), commit: "17e9521044c9 (\"riscv: mm: Use mmu-type from FDT to limit SATP mode\")",
                         files: ["arch/riscv/kernel/pi/fdt_early.c", "arch/riscv/mm/init.c"],
                         summary: "set_satp_mode() caps the paging mode at the first available hart's mmu-type (riscv,sv39 / riscv,sv48) besides no4lvl/no5lvl (QEMU virt says riscv,sv48: Sv48, no longer Sv57)",
                         source: "7.2.13 arch/riscv (6.12.117 has no set_satp_mode_from_fdt); AUTOSEL for 6.17/6.16 of the upstream commit",
                         arches: ["riscv64"])
        // MARK: CPU enumeration
        case .riscvCPUStatusIsAvailability:
            return .init(since: .init(4, 20), commit: "e3d794d555cd (\"riscv: treat cpu devicetree nodes without status as enabled\")",
                         files: ["arch/riscv/kernel/cpu.c"],
                         summary: "riscv_of_processor_hartid() takes a hart when of_device_is_available() (no status, \"okay\" or \"ok\"); before, only status = \"okay\" (no status: \"has no \\\"status\\\" property\")",
                         source: "4.15 arch/riscv/kernel/cpu.c (indexed tree) and the riscv 4.20 shortlog", arches: ["riscv64"])
        case .riscvDisabledHartSilent:
            return .init(since: .init(6, 18), commit: "d2721bb165b3 (\"RISC-V: Don't print details of CPUs disabled in DT\")",
                         files: ["arch/riscv/kernel/cpu.c"],
                         summary: "a hart rejected by of_device_is_available() is skipped silently instead of \"CPU with hartid=%lu is not available\" (stable trees carry it: Debian 6.1.192, 6.12.117 and 7.2.13 are silent)",
                         source: "upstream fix posted 2025-10-14 and its stable backports", arches: ["riscv64"])
        case .riscvSv39LinearMap128G:
            return .init(since: .init(6, 12), commit: nil, files: ["arch/riscv/include/asm/page.h"],
                         summary: "Sv39 PAGE_OFFSET 0xffffffd800000000 → 0xffffffd600000000",
                         source: "6.12.117 arch/riscv/include/asm/page.h", arches: ["riscv64"])
        // MARK: old kernels (3.10–5.19)
        case .riscvArch:
            return .init(since: .init(4, 15), commit: nil, files: ["arch/riscv"],
                         summary: "arch/riscv exists (64-bit, Sv39, generic setup_per_cpu_areas)",
                         source: "the RISC-V port was merged for 4.15 (Palmer Dabbelt's pull, Nov 2017)", arches: ["riscv64"])
        case .riscvSv48:
            return .init(since: .init(5, 17), commit: "e8a62cc26ddf (\"riscv: Implement sv48 support\")",
                         files: ["arch/riscv/mm/init.c", "arch/riscv/include/asm/page.h"],
                         summary: "set_satp_mode(): Sv48 when the hart has it (Sv39 only before)",
                         source: "Alexandre Ghiti's sv48 series, merged for 5.17 (id recalled, not re-read)", arches: ["riscv64"])
        case .riscvSv57:
            return .init(since: .init(5, 18), commit: "011f09d12052 (\"riscv: mm: Set sv57 on defaultly\")",
                         files: ["arch/riscv/mm/init.c"], summary: "set_satp_mode() tries Sv57 first",
                         source: "Qinglin Pan's sv57 series, merged for 5.18 (id recalled, not re-read)", arches: ["riscv64"])
        case .riscvPageFirstChunk:
            return .init(since: .init(6, 8), commit: "6b9f29b81b15 (\"riscv: Enable pcpu page first chunk allocator\")",
                         files: ["arch/riscv/Kconfig", "mm/percpu.c"],
                         summary: "riscv64 NEED_PER_CPU_PAGE_FIRST_CHUNK: embed failures fall back to the page first chunk (percpu_alloc=page accepted)",
                         source: "patch v2 2023-12-12 rebased on 6.7 and the riscv for-next pull for 6.8", arches: ["riscv64"])
        case .riscvSv39PageOffsetD8:
            return .init(since: .init(5, 17), commit: "e8a62cc26ddf (\"riscv: Implement sv48 support\")",
                         files: ["arch/riscv/Kconfig", "arch/riscv/include/asm/page.h", "arch/riscv/include/asm/pgtable.h"],
                         summary: "Sv39 PAGE_OFFSET 0xffffffe000000000 (CONFIG_PAGE_OFFSET, MAXPHYSMEM_128GB) with VMALLOC_END = PAGE_OFFSET - 1 → 0xffffffd800000000 with VMALLOC_END = PAGE_OFFSET",
                         source: "recalled from the 5.x arch/riscv Kconfig and headers, not verified against a tree", arches: ["riscv64"])
        case .arm64NUMAPrFmt:
            return .init(since: .init(4, 9), commit: nil, files: ["arch/arm64/mm/numa.c"],
                         summary: "pr_fmt \"NUMA: \": \"No NUMA configuration found\" and \"NUMA disabled\" gain the prefix the other lines had as a literal",
                         source: "\"arm64: numa: Use pr_fmt()\" (Kefeng Wang, v8 2016-09-01); a 4.8 log prints the line unprefixed", arches: ["arm64"])
        case .arm64NUMAVerboseLinesDropped:
            return .init(since: .init(4, 18), commit: nil, files: ["arch/arm64/mm/numa.c"],
                         summary: "no \"NUMA: Adding memblock [0x%llx - 0x%llx] on node %d\" per memory region and no \"NUMA: Initmem setup node %d [mem …]\" before NODE_DATA; the dummy node is one block",
                         source: "real logs: a 4.13-era HiKey log prints them, Fedora 4.18.16 does not; 4.14–4.17 undetermined (taken as printing); commit not found", arches: ["arm64"])
        case .arm64KernelImageInVmalloc:
            return .init(since: .init(4, 6), commit: "f9040773b7bb (\"arm64: move kernel image to base of vmalloc area\")",
                         files: ["arch/arm64/include/asm/memory.h", "arch/arm64/include/asm/pgtable.h"],
                         summary: "VMALLOC_START = MODULES_END (VA_START + 128M modules; was VA_START); vmemmap right below the linear map: VMEMMAP_SIZE covers half the VA space",
                         source: "the 4.6 patches' context lines (VMALLOC_START (MODULES_END), VMEMMAP_SIZE (1UL << (VA_BITS - PAGE_SHIFT - 1)) * sizeof(struct page))", arches: ["arm64"])
        case .arm64BPFRegion:
            return .init(since: .init(5, 0), until: .init(5, 11), commit: "91fc957c9b1d (\"arm64/bpf: don't allocate BPF JIT programs in module memory\")",
                         files: ["arch/arm64/include/asm/memory.h"],
                         summary: "a 128M BPF JIT region between VA_START (or _PAGE_END) and the modules: VMALLOC_START moves up 128M",
                         source: "crash-utility's list of arm64 layout changes since 4.9 (quotes the commit); removed with arm64VmallocAfterModulesOnly", arches: ["arm64"])
        case .arm64FlippedVA:
            return .init(since: .init(5, 4), commit: "14c127c957c1 (\"arm64: mm: Flip kernel VA space\")",
                         files: ["arch/arm64/include/asm/memory.h", "arch/arm64/include/asm/pgtable.h"],
                         summary: "linear map in the lower half: PAGE_OFFSET = -(1 << VA_BITS) (was -(1 << (VA_BITS - 1))); VMALLOC_END = -PUD_SIZE - VMEMMAP_SIZE - 64K (was PAGE_OFFSET - …)",
                         source: "the patch (its pgtable.h and memory.h hunks)", arches: ["arm64"])
        case .x86AllocNodeData:
            return .init(since: .init(3, 18), commit: nil, files: ["arch/x86/mm/numa.c", "mm/page_alloc.c"],
                         summary: "setup_node_data() (\"Initmem setup node %d [mem …]\" + \"  NODE_DATA [mem …]\") becomes alloc_node_data() (\"NODE_DATA(%d) allocated [mem …]\")",
                         source: "\"x86: numa: setup_node_data(): drop dead code and rename function\" (Luiz Capitulino, resent 2014-09-15 after 3.17-rc5, its before/after logs)", arches: ["x86_64"])
        case .x86MemorylessNodesOnline:
            return .init(since: .init(4, 9), commit: nil, files: ["arch/x86/mm/numa.c"],
                         summary: "init_cpu_to_node(): a CPU on an offline (CPU-only) node brings it online with init_memory_less_node() → alloc_node_data(); before, the CPU took the nearest online node (find_near_online_node)",
                         source: "the patch \"x86, numa: Online memory-less nodes at boot time\" (Zhu Guihua / Tang Chen); first release taken as 4.9 with the persistent cpuid<->nodeid series — not pinned", arches: ["x86_64"])
        case .x86NodeMinSizeDropped:
            return .init(since: .init(6, 1), commit: nil, files: ["arch/x86/mm/numa.c", "arch/x86/include/asm/numa.h"],
                         summary: "numa_register_memblks() no longer skips nodes with less than NODE_MIN_SIZE (4 MiB) of memory",
                         source: "\"x86/mm: drop 4MB restriction on minimal NUMA node size\" (Mike Rapoport, 2023, Cc stable): mainline ≈6.5, but Debian 6.1.192 has the backport, so the model keys it on 6.1",
                         arches: ["x86_64"])
        case .x86PageOffsetLDTRemapMoved:
            return .init(since: .init(4, 20), commit: "d52888aa2753 (\"x86/mm: Move LDT remap out of KASLR region on 5-level paging\")",
                         files: ["arch/x86/include/asm/page_64_types.h"],
                         summary: "__PAGE_OFFSET_BASE 0xffff880000000000 → 0xffff888000000000 (5-level 0xff10000000000000 → 0xff11000000000000)",
                         source: "Ubuntu 4.4 prints @ffff880077200000; the patch (id recalled)", arches: ["x86_64"])
        case .x86FiveLevelPaging:
            return .init(since: .init(4, 14), commit: nil, files: ["arch/x86/Kconfig", "arch/x86/include/asm/pgtable_64_types.h"],
                         summary: "CONFIG_X86_5LEVEL: 5-level paging (PAGE_OFFSET 0xff1…, 12800 TB vmalloc)",
                         source: "Kirill Shutemov's 5-level series, merged for 4.14 (commit not pinned)", arches: ["x86_64"])
        case .x86FiveLevelBootSwitch:
            return .init(since: .init(4, 17), commit: nil, files: ["arch/x86/kernel/head64.c"],
                         summary: "one kernel runs 4- or 5-level paging as the CPU allows (no5lvl); before, a 5-level kernel needs LA57",
                         source: "\"x86/mm: Allow to boot without LA57 if CONFIG_X86_5LEVEL=y\" series, merged for 4.17 (commit not pinned)", arches: ["x86_64"])
        case .x86SratMemoryLineACPIPrefix:
            return .init(since: .init(4, 9), commit: "3770442e7938 (\"ACPI / NUMA: Move acpi_numa_memory_affinity_init() to drivers/acpi/numa.c\")",
                         files: ["arch/x86/mm/srat.c", "drivers/acpi/numa.c"],
                         summary: "\"SRAT: Node %u PXM %u [mem …]\" (and bad_srat's \"SRAT: SRAT not used.\") gain pr_fmt \"ACPI: \" when the function moves out of arch/x86",
                         source: "real logs bound it: Ubuntu 4.4.0-101 prints \"SRAT: Node 0 PXM 0 [mem 0x00000000-0x0009ffff]\", a 2017-03 (4.11-rc) QEMU boot \"ACPI: SRAT: Node 0 PXM 0 …\"; the commit came with the arm64 ACPI NUMA series, whose release (taken as 4.9) is not verified",
                         arches: ["x86_64"])
        case .memblockPhysFreeRename:
            return .init(since: .init(5, 16), commit: "3ecc68349bba (\"memblock: rename memblock_free to memblock_phys_free\")",
                         files: ["mm/memblock.c", "mm/percpu.c"],
                         summary: "the free trace reads \"memblock_phys_free: [%pa-%pa] %pS\" (was \"   memblock_free: [%pa-%pa] %pS\", three leading spaces)",
                         source: "Mike Rapoport's series (with 4421cca0a3e4), 5.16 merge window; 5.x memblock_free's memblock_dbg quoted in patches; 6.1.192 mm/memblock.c")
        case .arm64ACPINUMA:
            return .init(since: .init(4, 9), commit: "d8b47fca8c23 (\"arm64, ACPI, NUMA: NUMA support based on SRAT and SLIT\")",
                         files: ["arch/arm64/kernel/acpi_numa.c", "arch/arm64/mm/numa.c"],
                         summary: "arm64 NUMA from the SRAT/SLIT when ACPI is on (before: ACPI machines get the dummy node)",
                         source: "the same series as 3770442e7938 (x86SratMemoryLineACPIPrefix), so the same release, taken as 4.9; the research believed 4.11 — not verified",
                         arches: ["arm64"])
        case .arm64VABits52:
            return .init(since: .init(5, 4), commit: "b6d00d47e81a (\"arm64: mm: Introduce 52-bit Kernel VAs\")",
                         files: ["arch/arm64/Kconfig", "arch/arm64/include/asm/memory.h"],
                         summary: "CONFIG_ARM64_VA_BITS_52 (64K pages) for the kernel's own VA space, with the flipped layout",
                         source: "Steve Capper's 52-bit kernel VA series, merged with the 5.4 flip (id recalled, not re-read)",
                         arches: ["arm64"])
        case .arm64DummyNodeSpansDRAM:
            return .init(since: .init(4, 20), commit: "77cfe950901e (\"arm64/numa: Report correct memblock range for the dummy node\")",
                         files: ["arch/arm64/mm/numa.c"],
                         summary: "\"Faking a node at [mem …]\" starts at memblock_start_of_DRAM() (was 0: [0LLU, PFN_PHYS(max_pfn) - 1])",
                         source: "the 4.14/4.19 stable backports (Nov 2019) quote the diff; Fedora 4.18.16 on QEMU virt prints [mem 0x0000000000000000-0x0000000047ffffff]; first release taken as 4.20, not verified (late 4.14.y/4.19.y have it)",
                         arches: ["arm64"])
        case .riscvNommu:
            return .init(since: .init(5, 5), commit: nil, files: ["arch/riscv/Kconfig"],
                         summary: "riscv64 can be built without an MMU (M-mode, percpu-km)",
                         source: "Christoph Hellwig's riscv nommu series, merged for 5.5 (recalled; the K210 boards followed in 5.8)",
                         arches: ["riscv64"])
        }
    }
}
