import KernelSupport
import Memblock

/// The x86-only half of arch/x86/mm/numa.c's meminfo handling (v6.1; v6.8 identical): the
/// meminfo written into memblock, its coverage checked, and each node with memory given
/// its NODE_DATA. (The recording and clean-up half is `NumaMemblks`, which v6.12 moved to
/// mm/numa_memblks.c.)
extension X86NUMA {
    /// `numa_register_memblks` (v6.1/v6.8): possible nodes = parsed ∪ meminfo nodes;
    /// memory tagged with its node; `numa_clear_kernel_node_hotplug`; the coverage
    /// check; NODE_DATA for every possible node with memory in the meminfo (which puts
    /// it online); then `memblock_dump_all()`.
    mutating func numaRegisterMemblks(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        possibleNodes = memblks.nodesParsed.union(NumaMemblks.nodemask(of: memblks.meminfo))
        // WARN_ON(nodes_empty(node_possible_map)): the splat names a source line; not reproduced.
        if possibleNodes.isEmpty { return -Errno.EINVAL }
        for block in memblks.meminfo {
            try memblock.setNode(block.start, block.end &- block.start, type: .memory, nid: block.nid, log: &log)
        }
        try memblks.clearKernelNodeHotplug(memblock: &memblock, log: &log)
        // NODE_NOT_IN_PAGE_FLAGS is not set on x86_64 (SPARSEMEM_VMEMMAP): no alignment check.
        if !numaMeminfoCoverMemory(memblock: memblock, log: &log) { return -Errno.EINVAL }
        for nid in possibleNodes.sorted() {
            let blocks = memblks.meminfo.filter { $0.nid == nid }
            let start = blocks.map(\.start).min() ?? maxAddress
            let end = blocks.map(\.end).max() ?? 0
            if start >= end { continue }
            try registerNodeData(nid, start: start, end: end, memblock: &memblock, log: &log)   // X86NUMALegacy.swift
        }
        memblock.dump(log: &log)
        return 0
    }

    /// `numa_meminfo_cover_memory` (v6.1): the RAM the blocks' nodes hold (memblock
    /// memory now tagged with them) may fall short of all RAM below max_pfn by less
    /// than 1 MiB; otherwise `NUMA: nodes only cover %LuMB of your %LuMB e820 RAM. Not used.`
    func numaMeminfoCoverMemory(memblock: Memblock, log: inout KernelLog) -> Bool {
        let shift = UInt64(profile.pageShift)
        var numaram: UInt64 = 0
        for block in memblks.meminfo {
            let s = block.start >> shift, e = block.end >> shift
            numaram &+= pagesOfMemory(memblock, nid: block.nid, from: s, to: e)
        }
        let e820ram = pagesOfMemory(memblock, nid: nil, from: 0, to: maxPFN)
        if Int64(bitPattern: e820ram &- numaram) >= Int64(1 << (20 - profile.pageShift)) {
            log.print(.err, "", "NUMA: nodes only cover \((numaram << shift) >> 20)MB of your \((e820ram << shift) >> 20)MB e820 RAM. Not used.")
            return false
        }
        return true
    }

    /// Pages of memblock memory (of node `nid`, or any) in pfns [from, to): what
    /// `end - start - __absent_pages_in_range(nid, start, end)` counts.
    func pagesOfMemory(_ memblock: Memblock, nid: Int?, from: UInt64, to: UInt64) -> UInt64 {
        Self.pagesOfMemory(memblock, nid: nid, from: from, to: to, pageShift: UInt64(profile.pageShift))
    }

    /// `pagesOfMemory` with the page size given (NUMA emulation's `mem_hole_size` counts with it too).
    static func pagesOfMemory(_ memblock: Memblock, nid: Int?, from: UInt64, to: UInt64, pageShift shift: UInt64) -> UInt64 {
        let pageSize = UInt64(1) << shift
        var pages: UInt64 = 0
        for region in memblock.memory where nid == nil || region.nid == nid {
            let startPFN = max(divRoundUp(region.base, pageSize), from)
            let endPFN = min((region.base &+ region.size) >> shift, to)
            if endPFN > startPFN { pages += endPFN - startPFN }
        }
        return pages
    }

    /// `alloc_node_data` (v6.1/v6.8 arch/x86/mm/numa.c): `memblock_phys_alloc_try_nid(
    /// roundup(sizeof(pg_data_t), PAGE_SIZE), SMP_CACHE_BYTES, nid)` (node-local first,
    /// silently anywhere else), `NODE_DATA(%d) allocated [mem %#010Lx-%#010Lx]`, a note
    /// when it landed on another node, and the node goes online. Failure is only an
    /// error message.
    mutating func allocNodeData(_ nid: Int, memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        let size = profile.pgDataSize
        guard let phys = try memblock.physAllocTryNid(size: size, align: profile.smpCacheBytes, nid: nid, log: &log) else {
            log.print(.err, "", "Cannot find \(size) bytes in any node (initial node: \(nid))")
            return
        }
        log.print(.info, "", "NODE_DATA(\(nid)) allocated [mem \(hex10(phys))-\(hex10(phys &+ size &- 1))]")
        // early_pfn_to_nid(): the memory region's node, else the first online node.
        let tnid = memblock.memory.first { $0.base <= phys && phys < $0.base &+ $0.size }?.nid
            ?? onlineNodes.min() ?? maxNumNodes
        if tnid != nid { log.print(.info, "", "    NODE_DATA(\(nid)) on node \(tnid)") }
        nodeData[nid] = phys
        onlineNodes.insert(nid)
    }

    /// `%#010Lx`.
    func hex10(_ v: UInt64) -> String { Printk.hexAlt(v, width: 10) }
}
