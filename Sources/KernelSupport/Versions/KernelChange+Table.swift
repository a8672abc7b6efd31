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
            return .init(since: .init(3, 17), commit: "870d4b12ad15 (\"percpu: add pr_fmt and use it\")",
                         files: ["mm/percpu.c"],
                         summary: "messages lose their literal \"PERCPU: \" prefix and gain pr_fmt \"percpu: \"",
                         source: "3.10 and 3.19 mm/percpu.c")
        case .percpuEmbeddedHashedPointer:
            return .init(since: .init(4, 15), commit: "ad67b74d2469 (\"printk: hash addresses printed with %p\")",
                         files: ["lib/vsprintf.c", "mm/percpu.c"],
                         summary: "%p in \"Embedded … @%p\" prints (____ptrval____) this early in boot instead of the address",
                         source: "4.15 lib/vsprintf.c ptr_to_id() before the hashing key is ready")
        case .percpuEmbeddedNoAddress:
            return .init(since: .init(5, 0), commit: "c2ac9da41f37 (\"percpu: stop printing kernel addresses\")",
                         files: ["mm/percpu.c"],
                         summary: "\"Embedded %zu pages/cpu @%p s…\" and \"%d %s pages/cpu @%p s…\" drop \" @%p\"",
                         source: "4.20 and 5.0 mm/percpu.c")
        case .percpuPageFirstChunkNoAddress:
            return .init(since: .init(5, 0), commit: "c2ac9da41f37 (\"percpu: stop printing kernel addresses\")",
                         files: ["mm/percpu.c"],
                         summary: "the page first chunk's \"%d %s pages/cpu @%p s%zu r%zu d%zu\" drops \" @%p\"",
                         source: "4.20 and 5.0 mm/percpu.c")
        // MARK: the allocator
        case .percpuBitmapAllocator:
            return .init(since: .init(4, 14), commit: "40064aeca35c (\"percpu: replace area map allocator with bitmap\")",
                         files: ["mm/percpu.c", "mm/percpu-internal.h"],
                         summary: "chunks keep an allocation bitmap with metadata blocks instead of an area map; pcpu_alloc_first_chunk",
                         source: "4.13 and 4.14 mm/percpu.c")
        // MARK: percpu.h constants, pcpu_build_alloc_info, pcpu_setup_first_chunk
        case .percpuDynamicReserve28K:
            return .init(since: .init(3, 16), commit: nil, files: ["include/linux/percpu.h"],
                         summary: "PERCPU_DYNAMIC_RESERVE on 64-bit: 20 KiB → 28 KiB",
                         source: "3.15 and 3.16 include/linux/percpu.h")
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
            return .init(since: .init(6, 10), until: nil, commit: nil, files: ["include/linux/percpu.h"],
                         summary: "PERCPU_MODULE_RESERVE 8 KiB → 64 KiB (8 << 13) with MEM_ALLOC_PROFILING",
                         source: "6.12.117 include/linux/percpu.h; 7.2.13 is back to 8 << 10")
        case .percpuMaxDistanceFromUnitEnd:
            return .init(since: .init(3, 14), commit: nil, files: ["mm/percpu.c"],
                         summary: "max_distance: highest unit end (offset + units × unit size) instead of highest offset + one unit",
                         source: "3.10 mm/percpu.c pcpu_embed_first_chunk")
        case .percpuSetupNoDynSizeCheck:
            return .init(since: .init(6, 2), commit: nil, files: ["mm/percpu.c"],
                         summary: "pcpu_setup_first_chunk no longer checks PCPU_SETUP_BUG_ON(!ai->dyn_size)",
                         source: "6.1.192 and 6.12.117 mm/percpu.c")
        case .percpuChunkBaseAddrCachelineAligned:
            return .init(since: .init(6, 8), commit: nil, files: ["mm/percpu-internal.h"],
                         summary: "struct pcpu_chunk: base_addr ____cacheline_aligned_in_smp after bound_map (136 → 192 bytes on Debian builds)",
                         source: "6.1.192 and 6.12.117 mm/percpu-internal.h")
        case .percpuInitFailPrintsErr:
            return .init(since: .init(5, 16), commit: nil, files: ["drivers/base/arch_numa.c"],
                         summary: "\"Failed to initialize percpu areas.\" gains \" (err=%d)\"",
                         source: "5.10 and 6.1 drivers/base/arch_numa.c")
        case .percpuGenericFcAlloc:
            return .init(since: .init(5, 16), commit: nil, files: ["mm/percpu.c", "drivers/base/arch_numa.c"],
                         summary: "pcpu_fc_alloc/pcpu_fc_free move from the architectures into mm/percpu.c (cpu_to_nd_fn callback)",
                         source: "5.10 and 6.1 trees")
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
            return .init(since: .init(5, 16), commit: "3583521aabac (\"percpu: add __GFP_NOWARN flag to percpu and use it for nommu\")",
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
            return .init(since: .init(6, 4), commit: nil, files: ["mm/memblock.c"],
                         summary: "memblock_merge_regions() walks start_rgn − 1 … end_rgn instead of the whole array",
                         source: "6.1.192 and 6.12.117 mm/memblock.c")
        case .memblockInsertWhenHalfFull:
            return .init(since: .init(6, 4), commit: nil, files: ["mm/memblock.c"],
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
            return .init(since: .init(6, 12), commit: nil, files: ["mm/memblock.c"],
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
            return .init(since: .init(5, 12), commit: "4bd1d80efb5a (\"riscv: Add numa support for riscv64 platform\")",
                         files: ["arch/riscv/Kconfig"], summary: "riscv64 uses arch_numa (of_numa, per-node first chunk groups)",
                         source: "commit 4bd1d80efb5a", arches: ["riscv64"])
        case .numaMemblks:
            return .init(since: .init(6, 12), commit: "87482708210f (\"mm: introduce numa_memblks\")",
                         files: ["mm/numa_memblks.c", "drivers/base/arch_numa.c", "arch/x86/mm/numa.c"],
                         summary: "NUMA init through numa_memblks (numa_add_memblk, numa_cleanup_meminfo, numa_register_meminfo) for arm64, riscv64 and x86_64",
                         source: "6.12.117 tree")
        case .numaDistanceTableLinePrDebug:
            return .init(since: .init(7, 0), commit: nil, files: ["mm/numa_memblks.c"],
                         summary: "numa_alloc_distance's printk(KERN_DEBUG \"NUMA: Initialized distance table, cnt=%d\") becomes pr_debug (gone from the log)",
                         source: "6.12.117 and 7.2.13 mm/numa_memblks.c; real 6.12/7.2 boots; the first release between 6.13 and 7.2 is not pinned (7.0 assumed)")
        case .ofNumaReturnsLastStatus:
            return .init(since: .init(6, 12), commit: nil, files: ["drivers/of/of_numa.c"],
                         summary: "of_numa_parse_memory_nodes() returns the last numa_add_memblk() status",
                         source: "6.12.117 drivers/of/of_numa.c")
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
            return .init(since: .init(6, 1), commit: nil, files: ["arch/x86/mm/numa.c", "mm/page_alloc.c"],
                         summary: "memory-less nodes get their NODE_DATA in free_area_init() instead of init_memory_less_node()",
                         source: "5.10 and 6.1.192 arch/x86/mm/numa.c", arches: ["x86_64"])
        // MARK: x86 CPUs and setup_percpu
        case .x86BootCPUNotListedFallbackDropped:
            return .init(since: .init(6, 8), commit: nil, files: ["arch/x86/kernel/smpboot.c"],
                         summary: "prefill_possible_map no longer registers a boot CPU the firmware did not list",
                         source: "6.1.192 tree and the v6.8 tree of KERNEL-SPEC", arches: ["x86_64"])
        case .x86CPUTopologyRewrite:
            return .init(since: .init(6, 9), commit: nil, files: ["arch/x86/kernel/cpu/topology.c"],
                         summary: "CPU enumeration by the new topology code (\"CPU topo:\" lines, hotplug CPUs from the MADT)",
                         source: "6.12.117 tree", arches: ["x86_64"])
        case .x86NrCpumaskBitsIsNrCpuIds:
            return .init(since: .init(6, 2), commit: "596ff4a09b89 (\"cpumask: re-introduce constant-sized cpumask optimizations\")",
                         files: ["include/linux/cpumask.h"],
                         summary: "nr_cpumask_bits is nr_cpu_ids whatever CPUMASK_OFFSTACK (setup_percpu: line)",
                         source: "6.1.192 and 6.12.117 include/linux/cpumask.h", arches: ["x86_64"])
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
        }
    }
}
