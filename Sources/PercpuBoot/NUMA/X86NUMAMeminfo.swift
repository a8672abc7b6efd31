import KernelSupport
import Memblock

/// `numa_meminfo` handling of arch/x86/mm/numa.c (v6.1; v6.8 identical): blocks are
/// only recorded while the firmware is parsed, then cleaned up, checked and written
/// into memblock in one go, and each node with memory gets its NODE_DATA.
extension X86NUMA {
    /// `numa_add_memblk(nid, start, end)` → `numa_add_memblk_to(…, &numa_meminfo)`.
    mutating func numaAddMemblk(_ nid: Int, _ start: UInt64, _ end: UInt64, log: inout KernelLog) -> Int {
        numaAddMemblk(to: &meminfo, nid, start, end, log: &log)
    }

    /// `numa_add_memblk_to` (v6.1/v6.8): empty blocks are ignored; a reversed block or a
    /// node outside [0, MAX_NUMNODES) is ignored with a warning (no prefix); more than
    /// NR_NODE_MEMBLKS blocks is an error.
    func numaAddMemblk(to blocks: inout [X86NUMAMemblk], _ nid: Int, _ start: UInt64, _ end: UInt64,
                       log: inout KernelLog) -> Int {
        if start == end { return 0 }
        if start > end || nid < 0 || nid >= maxNumNodes {
            log.print(.warning, "", "Warning: invalid memblk node \(nid) [mem \(Printk.hexAlt(start, width: 10))-\(Printk.hexAlt(end &- 1, width: 10))]")
            return 0
        }
        if blocks.count >= nrNodeMemblks {
            log.print(.err, "", "too many memblk ranges")
            return -Errno.EINVAL
        }
        blocks.append(X86NUMAMemblk(start: start, end: end, nid: nid))
        return 0
    }

    /// `numa_nodemask_from_meminfo`: the nodes of the non-empty blocks.
    func nodemaskFromMeminfo(_ blocks: [X86NUMAMemblk]) -> Set<Int> {
        Set(blocks.filter { $0.start != $0.end && $0.nid != NUMA_NO_NODE }.map(\.nid))
    }

    /// `numa_cleanup_meminfo` (v6.1/v6.8). Blocks that cover no RAM move to the
    /// reserved meminfo; the rest are clipped to `[0, PFN_PHYS(max_pfn))` (the part
    /// above is kept as reserved meminfo) and dropped if empty. Then every pair
    /// i < j on the same node is merged when the hull of the two overlaps no other
    /// node's block — `NUMA: Node %d [mem …] + [mem …] -> [mem …]` — while an overlap
    /// between different nodes fails the whole method.
    mutating func numaCleanupMeminfo(memblock: Memblock, log: inout KernelLog) -> Int {
        let low: UInt64 = 0
        let high = maxAddress
        var i = 0
        while i < meminfo.count {
            let block = meminfo[i]
            if !memblockOverlapsMemory(memblock, block.start, block.end &- block.start) {
                reservedMeminfo.append(meminfo.remove(at: i))
                continue
            }
            meminfo[i].start = max(block.start, low)
            if block.end > high {
                _ = numaAddMemblk(to: &reservedMeminfo, block.nid, high, block.end, log: &log)
                meminfo[i].end = high
            }
            if meminfo[i].start >= meminfo[i].end {
                meminfo.remove(at: i)
                continue
            }
            i += 1
        }

        i = 0
        while i < meminfo.count {
            var j = i + 1
            while j < meminfo.count {
                let bi = meminfo[i], bj = meminfo[j]
                if bi.end > bj.start && bi.start < bj.end {
                    if bi.nid != bj.nid {
                        log.print(.err, "", "node \(bi.nid) [mem \(hex10(bi.start))-\(hex10(bi.end &- 1))] overlaps with node \(bj.nid) [mem \(hex10(bj.start))-\(hex10(bj.end &- 1))]")
                        return -Errno.EINVAL
                    }
                    log.print(.warning, "", "Warning: node \(bi.nid) [mem \(hex10(bi.start))-\(hex10(bi.end &- 1))] overlaps with itself [mem \(hex10(bj.start))-\(hex10(bj.end &- 1))]")
                }
                guard bi.nid == bj.nid else { j += 1; continue }
                let start = min(bi.start, bj.start), end = max(bi.end, bj.end)
                let blocked = meminfo.contains { $0.nid != bi.nid && start < $0.end && end > $0.start }
                if blocked { j += 1; continue }
                log.print(.info, "", "NUMA: Node \(bi.nid) [mem \(hex10(bi.start))-\(hex10(bi.end &- 1))] + [mem \(hex10(bj.start))-\(hex10(bj.end &- 1))] -> [mem \(hex10(start))-\(hex10(end &- 1))]")
                meminfo[i].start = start
                meminfo[i].end = end
                meminfo.remove(at: j)
            }
            i += 1
        }
        return 0
    }

    /// `memblock_overlaps_region(&memblock.memory, base, size)`.
    func memblockOverlapsMemory(_ memblock: Memblock, _ base: UInt64, _ size: UInt64) -> Bool {
        let size = min(size, UInt64.max - base)
        return memblock.memory.contains { base < $0.base &+ $0.size && $0.base < base &+ size }
    }

    /// `numa_register_memblks` (v6.1/v6.8): possible nodes = parsed ∪ meminfo nodes;
    /// memory tagged with its node; `numa_clear_kernel_node_hotplug`; the coverage
    /// check; NODE_DATA for every possible node with memory in the meminfo (which puts
    /// it online); then `memblock_dump_all()`.
    mutating func numaRegisterMemblks(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) -> Int {
        possibleNodes = nodesParsed.union(nodemaskFromMeminfo(meminfo))
        // WARN_ON(nodes_empty(node_possible_map)): the splat names a source line; not reproduced.
        if possibleNodes.isEmpty { return -Errno.EINVAL }
        for block in meminfo {
            try memblock.setNode(block.start, block.end &- block.start, type: .memory, nid: block.nid, log: &log)
        }
        try numaClearKernelNodeHotplug(memblock: &memblock, log: &log)
        // NODE_NOT_IN_PAGE_FLAGS is not set on x86_64 (SPARSEMEM_VMEMMAP): no alignment check.
        if !numaMeminfoCoverMemory(memblock: memblock, log: &log) { return -Errno.EINVAL }
        for nid in possibleNodes.sorted() {
            let blocks = meminfo.filter { $0.nid == nid }
            let start = blocks.map(\.start).min() ?? maxAddress
            let end = blocks.map(\.end).max() ?? 0
            if start >= end { continue }
            try allocNodeData(nid, memblock: &memblock, log: &log)
        }
        memblock.dump(log: &log)
        return 0
    }

    /// `numa_clear_kernel_node_hotplug` (v6.1/v6.8): give the reserved regions the node
    /// of the meminfo block they lie in (splitting them at node boundaries), then clear
    /// MEMBLOCK_HOTPLUG on every node that holds reserved (kernel) memory.
    mutating func numaClearKernelNodeHotplug(memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        for block in meminfo {
            try memblock.setNode(block.start, block.end &- block.start, type: .reserved, nid: block.nid, log: &log)
        }
        let kernelNodes = Set(memblock.reserved.map(\.nid).filter { $0 != maxNumNodes })
        for block in meminfo where kernelNodes.contains(block.nid) {
            try memblock.clearHotplug(block.start, block.end &- block.start, log: &log)
        }
    }

    /// `numa_meminfo_cover_memory` (v6.1): the RAM the blocks' nodes hold (memblock
    /// memory now tagged with them) may fall short of all RAM below max_pfn by less
    /// than 1 MiB; otherwise `NUMA: nodes only cover %LuMB of your %LuMB e820 RAM. Not used.`
    func numaMeminfoCoverMemory(memblock: Memblock, log: inout KernelLog) -> Bool {
        let shift = UInt64(profile.pageShift)
        var numaram: UInt64 = 0
        for block in meminfo {
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
        let pageSize = profile.pageSize
        let shift = UInt64(profile.pageShift)
        var pages: UInt64 = 0
        for region in memblock.memory where nid == nil || region.nid == nid {
            let startPFN = max(divRoundUp(region.base, pageSize), from)
            let endPFN = min((region.base &+ region.size) >> shift, to)
            if endPFN > startPFN { pages += endPFN - startPFN }
        }
        return pages
    }

    /// `alloc_node_data` (v6.1/v6.8): `memblock_phys_alloc_try_nid(roundup(sizeof(pg_data_t),
    /// PAGE_SIZE), SMP_CACHE_BYTES, nid)` (node-local first, silently anywhere else),
    /// `NODE_DATA(%d) allocated [mem %#010Lx-%#010Lx]`, a note when it landed on another
    /// node, and the node goes online. Failure is only an error message.
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
