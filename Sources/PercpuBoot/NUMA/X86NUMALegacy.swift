import KernelSupport
import Memblock

/// arch/x86/mm/numa.c of the kernels before the 5.18 rework of memory-less nodes:
/// NODE_DATA per node in `numa_register_memblks` (3.10–3.17 `setup_node_data`, 3.18+
/// `alloc_node_data`; nodes under NODE_MIN_SIZE skipped until the 4 MiB rule went) and
/// `init_cpu_to_node` (3.10–4.8 `find_near_online_node`, 4.9–5.17
/// `init_memory_less_node`). Sources: the patches quoted in the `KernelChange` table
/// (`x86AllocNodeData`, `x86MemorylessNodesOnline`, `x86MemorylessNodesInFreeAreaInit`,
/// `x86NodeMinSizeDropped`); what they leave unchanged is the 6.1 code of `X86NUMA`.
extension X86NUMA {
    /// NODE_MIN_SIZE (arch/x86/include/asm/numa.h): 4 MiB.
    static let nodeMinSize: UInt64 = 4 << 20
    /// ZONE_ALIGN = 1 << (MAX_ORDER + PAGE_SHIFT) with MAX_ORDER 11 (3.10–3.17 numa.h).
    var zoneAlign: UInt64 { UInt64(1) << UInt64(11 + profile.pageShift) }

    /// The NODE_DATA step of `numa_register_memblks` for a possible node whose meminfo
    /// blocks span [start, end) (start < end): until the 4 MiB rule went
    /// (`.x86NodeMinSizeDropped`) `if (end && (end - start) < NODE_MIN_SIZE) continue;`,
    /// then `alloc_node_data` (3.18+) or `setup_node_data` (3.10–3.17).
    mutating func registerNodeData(_ nid: Int, start: UInt64, end: UInt64,
                                   memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        if !profile.kernel.has(.x86NodeMinSizeDropped) && end != 0 && end &- start < Self.nodeMinSize { return }
        if profile.kernel.has(.x86AllocNodeData) {
            try allocNodeData(nid, memblock: &memblock, log: &log)
        } else {
            try setupNodeDataBefore318(nid, start: start, end: end, memblock: &memblock, log: &log)
        }
    }

    /// `setup_node_data(nid, start, end)` (3.10–3.17): `Initmem setup node %d [mem
    /// %#010Lx-%#010Lx]` with the start rounded up to ZONE_ALIGN (8 MiB: the real
    /// `SRAT: Node 1 PXM 1 [mem 0x80200000-…]` gives `Initmem setup node 1 [mem
    /// 0x80800000-0x1081fffff]`), the page-rounded pgdat from `memblock_alloc_nid` (this
    /// node) or else `__memblock_alloc_base` (anywhere below the limit), `  NODE_DATA [mem
    /// …]`, a note when it landed elsewhere, the node online.
    mutating func setupNodeDataBefore318(_ nid: Int, start: UInt64, end: UInt64,
                                         memblock: inout Memblock, log: inout KernelLog) throws(KernelPanic) {
        let align = zoneAlign
        let rounded = start % align == 0 ? start : (start / align &+ 1) &* align
        log.print(.info, "", "Initmem setup node \(nid) [mem \(hex10(rounded))-\(hex10(end &- 1))]")
        let size = profile.pgDataSize
        guard let phys = try memblock.physAllocTryNid(size: size, align: profile.smpCacheBytes, nid: nid, log: &log) else {
            log.print(.err, "", "Cannot find \(size) bytes in node \(nid)")
            return
        }
        log.print(.info, "", "  NODE_DATA [mem \(hex10(phys))-\(hex10(phys &+ size &- 1))]")
        let tnid = memblock.memory.first { $0.base <= phys && phys < $0.base &+ $0.size }?.nid
            ?? onlineNodes.min() ?? maxNumNodes
        if tnid != nid { log.print(.info, "", "    NODE_DATA(\(nid)) on node \(tnid)") }
        nodeData[nid] = phys
        onlineNodes.insert(nid)
    }

    /// `init_cpu_to_node` before 5.18: every possible CPU whose APIC id SRAT placed on a
    /// node gets that node; a node that is not online (CPUs, no memory) is
    /// - 4.9–5.17 (`.x86MemorylessNodesOnline`): brought online by `init_memory_less_node`
    ///   = `alloc_node_data` (`NODE_DATA(%d) allocated [mem …]`, `    NODE_DATA(%d) on node %d`)
    ///   + `free_area_init_node` (whose `Initmem setup node` line is not emulated, as for
    ///   the nodes with memory);
    /// - 3.10–4.8: replaced by `find_near_online_node`: the online node at the smallest
    ///   `node_distance` (SLIT, else 10/20), the first in node order on ties.
    static func legacyInitCPUToNode(_ cpus: X86CPUs, numa: inout X86NUMA, memblock: inout Memblock,
                             log: inout KernelLog) throws(KernelPanic) {
        for cpu in cpus.possible {
            guard let apic = cpus.apicID[cpu], var node = numa.apicidToNode[apic] else { continue }
            if !numa.onlineNodes.contains(node) {
                if numa.profile.kernel.has(.x86MemorylessNodesOnline) {
                    try numa.allocNodeData(node, memblock: &memblock, log: &log)
                } else {
                    node = numa.findNearOnlineNode(node)
                }
            }
            if cpu < numa.cpuToNode.count { numa.cpuToNode[cpu] = node }
        }
    }

    /// `find_near_online_node` (3.10–4.8): -1 when no node is online.
    func findNearOnlineNode(_ node: Int) -> Int {
        var best = NUMA_NO_NODE
        var minDistance = Int.max
        for n in onlineNodes.sorted() {
            let d = distanceTable.distance(node, n)
            if d < minDistance {
                minDistance = d
                best = n
            }
        }
        return best
    }
}
