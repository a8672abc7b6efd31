import KernelSupport
import Memblock

/// `drivers/base/arch_numa.c` on top of mm/numa_memblks.c (v6.12.0: "arch_numa: switch over
/// to numa_memblks", v6.12-rc1): the method only records memory blocks; the clean-up, the
/// overlap check and the memblock tagging are numa_memblks'; the distance table appears
/// with the first distance; NODE_DATA comes from mm/numa.c's `alloc_node_data`.
extension ArchNUMA {
    /// `numa_init(init_func)` (arch_numa.c, v6.12): clear the parsed/possible/online masks;
    /// `numa_memblks_init(init_func, /* memblock_force_top_down */ false)`; no node parsed →
    /// `No NUMA configuration found`; `numa_register_nodes`; `setup_node_to_cpumask_map`. Any
    /// failure resets (frees) the distance table. Returns 0 or -errno.
    mutating func numaInitNumaMemblks(memblock: inout Memblock, log: inout KernelLog,
                                      _ initFunction: InitFunction) throws(KernelPanic) -> Int {
        possibleNodes = []
        onlineNodes = []
        nodeData = [:]
        try memblks.beginInit(memblock: &memblock, log: &log)
        var ret = try initFunction(&self, &memblock, &log)
        if ret >= 0 { ret = try memblks.finishInit(memblock: &memblock, forceTopDown: false, log: &log) }
        if ret >= 0 && parsed.isEmpty {
            log.print(.info, Self.prefix, "No NUMA configuration found")
            ret = -Errno.EINVAL
        }
        if ret >= 0 { ret = try numaRegisterNodesNumaMemblks(memblock: &memblock, log: &log) }
        if ret < 0 {
            try memblks.resetDistance(memblock: &memblock, log: &log)
            return ret
        }
        return 0
    }

    /// `numa_register_nodes` (arch_numa.c, v6.12): `memblock_validate_numa_coverage(0)` —
    /// any memory on no valid node fails NUMA init (`NUMA: no nodes coverage …`, then the
    /// faked node), as 180bbad69864 "arch_numa: Restore nid checks before registering a
    /// memblock with a node" brought back in 6.12.y (`.archNumaValidatesCoverage`; Debian
    /// 6.12.117, an arm64 ACPI boot under QEMU whose UEFI flash is RAM outside the SRAT);
    /// then for every parsed node ascending, `get_pfn_range_for_nid`, `setup_node_data`,
    /// online; node_possible_map = parsed. Without the check (6.12.0) what happens to such
    /// memory is `checkMemoryNodes`.
    mutating func numaRegisterNodesNumaMemblks(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        if profile.kernel.has(.archNumaValidatesCoverage),
           !NumaNodes.validateNumaCoverage(memblock, thresholdBytes: 0, profile: profile, log: &log) {
            return -Errno.EINVAL
        }
        for nid in parsed.sorted() where nid < maxNumNodes {
            let range = NumaNodes.pfnRange(ofNode: nid, memblock, pageShift: profile.pageShift)
            try setupNodeDataNumaMemblks(nid, startPFN: range.start, endPFN: range.end, memblock: &memblock, log: &log)
            onlineNodes.insert(nid)
        }
        possibleNodes = parsed.filter { $0 < maxNumNodes }.sorted()
        return 0
    }

    /// `setup_node_data(nid, start_pfn, end_pfn)` (arch_numa.c, v6.12): a node without pages
    /// says `NUMA: Initmem setup node %d [<memory-less node>]` (arch_numa.c's pr_fmt), then
    /// `alloc_node_data` (mm/numa.c: `NODE_DATA(%d) allocated …`, `    NODE_DATA(%d) on node
    /// %d`, no prefix).
    mutating func setupNodeDataNumaMemblks(_ nid: Int, startPFN: UInt64, endPFN: UInt64,
                                           memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        if startPFN >= endPFN {
            log.print(.info, Self.prefix, "Initmem setup node \(nid) [<memory-less node>]")
        }
        nodeData[nid] = try NumaNodes.allocNodeData(nid, memblock: &memblock, online: onlineNodes, profile: profile, log: &log)
    }

    /// What 6.12.0 did with RAM whose node did not end up possible: memory no block
    /// covered keeps NUMA_NO_NODE, and memory of a node only a memory node named (6.12.0's
    /// of_numa did not mark it parsed, and node_possible_map = parsed) has no NODE_DATA.
    /// The 6.12.y fixes the model keys on 6.12 (`.archNumaValidatesCoverage`,
    /// `.ofNumaMemoryNodesParsed`) leave neither case, so this only guards a model where
    /// one of them is missing.
    /// `sparse_init` / `free_area_init`, later in `bootmem_init` (arm64) or `misc_mem_init`
    /// (riscv64) and before CPUs are enumerated, dereference the missing pgdat: an Oops
    /// (its register dump is not reproducible) and `Kernel panic - not syncing: Attempted to
    /// kill the idle task!` — as in the 6.12.0 ThunderX log quoted by the commit that
    /// restored the check, and the QEMU log of "of_numa: fix uninitialized memory nodes
    /// causing kernel panic".
    func checkMemoryNodes(_ memblock: Memblock) throws(KernelPanic) {
        let possible = Set(possibleNodes)
        if NumaNodes.pfnRanges(memblock, pageShift: profile.pageShift).contains(where: { !possible.contains($0.nid) }) {
            throw KernelPanic("Attempted to kill the idle task!")
        }
    }
}
