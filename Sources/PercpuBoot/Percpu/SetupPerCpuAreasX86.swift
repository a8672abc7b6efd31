import KernelSupport
import Memblock

/// x86_64's own `setup_per_cpu_areas` (arch/x86/kernel/setup_percpu.c, v6.1; v6.8 the same
/// but for `setup_cpu_local_masks`; v6.12 the same as v6.8 but for what `nr_cpumask_bits`
/// is), its page first chunk with `populate_extra_pte`
/// (arch/x86/mm/init_64.c), and the cpumask allocations that end it.
extension PercpuContext {
    /// pr_fmt of setup_percpu.c (`KBUILD_MODNAME ": "`).
    static let x86Prefix = "setup_percpu: "
    /// PMD_SIZE: the x86_64 embed atom, so that each group starts on a 2 MiB page.
    static let x86PMDSize: UInt64 = 2 << 20

    /// CONFIG_CPUMASK_OFFSTACK: x86 allows NR_CPUS above 512 only with it (MAXSMP, as Debian builds).
    var x86CpumaskOffstack: Bool { profile.config.nrCpus > 512 }

    /// `nr_cpumask_bits`: in 6.1 nr_cpu_ids with off-stack cpumasks and NR_CPUS otherwise;
    /// since 6.2 (include/linux/cpumask.h, "re-introduce constant-sized cpumask
    /// optimizations") `#define nr_cpumask_bits nr_cpu_ids` whatever the configuration.
    var x86NrCpumaskBits: Int {
        profile.kernel.has(.x86NrCpumaskBitsIsNrCpuIds) || x86CpumaskOffstack ? topology.nrCPUIDs : nrCPUs
    }

    /// `setup_per_cpu_areas` (x86_64, v6.1/v6.8/v6.12): the `NR_CPUS:… nr_node_ids:…` line; unless
    /// `percpu_alloc=page`, embed with PERCPU_FIRST_CHUNK_RESERVE (= PERCPU_MODULE_RESERVE
    /// on 64-bit) reserved, PERCPU_DYNAMIC_RESERVE dynamic, 2 MiB atoms and CPUs grouped
    /// by early node (distance 10 or 20: the SLIT plays no part); on failure the page
    /// first chunk; if that fails too, `cannot initialize percpu area (err=%d)`. The
    /// offsets (`pcpu_base_addr + unit offset`, the per-CPU section being zero-based)
    /// are the caller's; then `setup_node_to_cpumask_map` and `setup_cpu_local_masks`.
    mutating func setupPerCpuAreasX86(choice: PcpuFirstChunkChoice) throws(PercpuEmulationFailure) -> PercpuOutcome {
        log.print(.info, Self.x86Prefix, "NR_CPUS:\(nrCPUs) nr_cpumask_bits:\(x86NrCpumaskBits) nr_cpu_ids:\(topology.nrCPUIDs) nr_node_ids:\(topology.nrNodeIDs)")
        var outcome = PercpuOutcome()
        let c = profile.percpu
        let firstChunkReserve = c.moduleReserve
        var rc = -Errno.EINVAL
        if choice != .page {
            let dynSize = c.moduleReserve + c.dynamicReserve - firstChunkReserve
            let sameNode = PcpuDistanceFunction.nodes { $0 == $1 ? DistanceTable.localDistance : DistanceTable.remoteDistance }
            let (embedRC, placed, setup) = try pcpuEmbedFirstChunk(reservedSize: firstChunkReserve, dynSize: dynSize,
                                                                   atomSize: Self.x86PMDSize, distance: sameNode, nodeAware: true)
            rc = embedRC
            if rc == 0 {
                outcome = PercpuOutcome(kind: .embed, placed: placed, setup: setup)
            } else {
                outcome.embedFailure = rc
                log.print(.warning, Self.x86Prefix, "\(choice.rawValue) allocator failed (\(rc)), falling back to page size")
            }
        }
        if rc < 0 && profile.config.needPerCpuPageFirstChunk {
            let (pageRC, placed, setup) = try pcpuPageFirstChunk(nodeAware: true, reservedSize: firstChunkReserve)
            rc = pageRC
            if rc == 0 {
                outcome.kind = .page
                outcome.placed = placed
                outcome.setup = setup
            }
        }
        if rc < 0 { throw .panic(KernelPanic("cannot initialize percpu area (err=\(rc))")) }
        try x86SetupNodeToCpumaskMap()
        try x86SetupCPULocalMasks()
        return outcome
    }

    /// `populate_extra_pte(addr)` (arch/x86/mm/init_64.c, v6.1/v6.8): `fill_p4d` (a P4D page
    /// when the PGD entry is empty — 5-level paging only; with 4-level the P4D is folded
    /// and `pgd_none()` is 0), `fill_pud`, `fill_pmd`, `fill_pte`, each taking a page from
    /// `spp_getpage()` = `memblock_alloc(PAGE_SIZE, PAGE_SIZE)` for an empty entry (panic
    /// `set_pte_phys: cannot allocate page data ` if memblock has none).
    mutating func x86PopulateExtraPTE(_ addr: UInt64, tables: inout X86KernelPageTables) throws(PercpuEmulationFailure) {
        for level in tables.missingLevels(for: addr) {
            let page: UInt64?
            do { page = try memblockAlloc(profile.pageSize, profile.pageSize, caller: "spp_getpage") } catch { throw .panic(error) }
            guard page != nil else { throw .panic(KernelPanic("set_pte_phys: cannot allocate page data ")) }
            tables.populate(level, for: addr)
        }
    }

    /// `setup_node_to_cpumask_map` (arch/x86/mm/numa.c, CONFIG_NUMA): a cpumask per node
    /// below nr_node_ids from `alloc_bootmem_cpumask_var` (a memblock allocation only with
    /// CONFIG_CPUMASK_OFFSTACK), then a pr_debug.
    mutating func x86SetupNodeToCpumaskMap() throws(PercpuEmulationFailure) {
        guard profile.config.numa else { return }
        for _ in 0..<topology.nrNodeIDs { try x86AllocBootmemCpumaskVar() }
        log.dynamicDebug("", "Node to cpumask map for \(topology.nrNodeIDs) nodes")
    }

    /// `setup_cpu_local_masks` (arch/x86/kernel/smpboot.c): 6.1 allocates
    /// cpu_initialized_mask, cpu_callin_mask, cpu_callout_mask and cpu_sibling_setup_mask;
    /// since the 6.5 hotplug rework only cpu_sibling_setup_mask is left (6.8, 6.12).
    mutating func x86SetupCPULocalMasks() throws(PercpuEmulationFailure) {
        let count = profile.kernel.has(.x86CPULocalMasksOnlySibling) ? 1 : 4
        for _ in 0..<count { try x86AllocBootmemCpumaskVar() }
    }

    /// `alloc_bootmem_cpumask_var` (lib/cpumask.c): `memblock_alloc(cpumask_size(),
    /// SMP_CACHE_BYTES)`, cpumask_size() = BITS_TO_LONGS(nr_cpumask_bits) longs; panics on
    /// failure. Nothing at all without off-stack cpumasks.
    mutating func x86AllocBootmemCpumaskVar() throws(PercpuEmulationFailure) {
        guard x86CpumaskOffstack else { return }
        let size = UInt64((x86NrCpumaskBits + 63) / 64 * 8)
        let mask: UInt64?
        do { mask = try memblockAlloc(size, profile.smpCacheBytes, caller: "alloc_bootmem_cpumask_var") } catch { throw .panic(error) }
        if mask == nil { throw .panic(KernelPanic("alloc_bootmem_cpumask_var: Failed to allocate \(size) bytes")) }
    }
}

/// Which kernel page-table entries of the vmalloc area are populated, for
/// `populate_extra_pte`. Nothing maps the vmalloc area before the per-CPU chunk does
/// (vmalloc's own PGD preallocation comes later, in `mem_init`), so every level starts
/// empty.
struct X86KernelPageTables: Equatable, Sendable {
    /// A page-table page hanging off an entry of the level above.
    enum Level: Int, Sendable { case p4d, pud, pmd, pte }

    let fiveLevel: Bool
    var present: Set<[UInt64]> = []

    init(fiveLevel: Bool) { self.fiveLevel = fiveLevel }

    /// The entry (level, address bits above the level's span) whose emptiness decides.
    /// P4D pages sit in PGD entries (512 TiB each, 5-level only), PUD pages in P4D entries
    /// (512 GiB), PMD pages in PUD entries (1 GiB), PTE pages in PMD entries (2 MiB).
    func key(_ level: Level, _ addr: UInt64) -> [UInt64] {
        let shift: UInt64 = switch level {
        case .p4d: 48
        case .pud: 39
        case .pmd: 30
        case .pte: 21
        }
        return [UInt64(level.rawValue), addr >> shift]
    }

    /// The levels `fill_p4d` … `fill_pte` would allocate for `addr`, top down.
    func missingLevels(for addr: UInt64) -> [Level] {
        let levels: [Level] = fiveLevel ? [.p4d, .pud, .pmd, .pte] : [.pud, .pmd, .pte]
        return levels.filter { !present.contains(key($0, addr)) }
    }

    /// `p4d_populate` / `pud_populate` / `pmd_populate_kernel`: the entry now has its table.
    mutating func populate(_ level: Level, for addr: UInt64) { present.insert(key(level, addr)) }
}
