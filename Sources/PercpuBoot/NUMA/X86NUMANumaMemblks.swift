import KernelSupport
import Memblock

/// x86_64 NUMA init on top of mm/numa_memblks.c (v6.12; the move happened in v6.12-rc1):
/// `numa_init` → `numa_memblks_init(init_func, true)` → `numa_register_nodes`, with the
/// generic `alloc_node_data` of mm/numa.c.
extension X86NUMA {
    /// `numa_init(init_func)` (arch/x86/mm/numa.c, v6.12): every `__apicid_to_node` entry
    /// back to NUMA_NO_NODE; `numa_memblks_init(init_func, /* memblock_force_top_down */
    /// true)` (clears parsed/possible/online nodes and the meminfo, memblock regions to
    /// NUMA_NO_NODE, hotplug flags cleared, distance table reset; the method; top-down
    /// again; `numa_cleanup_meminfo`; `numa_register_meminfo`); `numa_register_nodes`; CPUs
    /// on offline nodes lose them; `numa_init_array`. 0 or -errno.
    mutating func numaInitNumaMemblks(_ method: Method, acpi: ACPIFirmware?, acpiDisabled: Bool,
                                      memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        apicidToNode = [:]
        possibleNodes = []
        onlineNodes = []
        try memblks.beginInit(memblock: &memblock, log: &log)
        var ret = try runInitFunction(method, acpi: acpi, acpiDisabled: acpiDisabled, memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        // numa_memblks_init's second half (NumaMemblks.finishInit), with numa_emulation between
        // the clean-up and the registration.
        memblock.bottomUp = false
        ret = memblks.cleanupMeminfo(memblock: memblock, log: &log)
        if ret < 0 { return ret }
        try numaEmulation(memblock: &memblock, log: &log)
        ret = try memblks.registerMeminfo(memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        possibleNodes = memblks.possibleNodes
        ret = try numaRegisterNodes(memblock: &memblock, log: &log)
        if ret < 0 { return ret }
        finishCPUNodes()
        return 0
    }

    /// `numa_register_nodes` (arch/x86/mm/numa.c, v6.12): `memblock_validate_numa_coverage(SZ_1M)`,
    /// then for every possible node whose memblock memory spans pages
    /// (`get_pfn_range_for_nid`) `alloc_node_data` and online; `memblock_dump_all()`.
    mutating func numaRegisterNodes(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        if !NumaNodes.validateNumaCoverage(memblock, thresholdBytes: 1 << 20, profile: profile, log: &log) {
            return -Errno.EINVAL
        }
        for nid in possibleNodes.sorted() {
            let range = NumaNodes.pfnRange(ofNode: nid, memblock, pageShift: profile.pageShift)
            if range.start >= range.end { continue }
            let phys = try NumaNodes.allocNodeData(nid, memblock: &memblock, online: onlineNodes, profile: profile, log: &log)
            nodeData[nid] = phys
            onlineNodes.insert(nid)
        }
        memblock.dump(log: &log)
        return 0
    }
}
