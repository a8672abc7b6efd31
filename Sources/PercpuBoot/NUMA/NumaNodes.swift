import KernelSupport
import Memblock

/// The node helpers NUMA init uses on every architecture from v6.12: the page-frame
/// walk of memblock memory (`for_each_mem_pfn_range`, `get_pfn_range_for_nid`),
/// `memblock_validate_numa_coverage` (mm/memblock.c) and `alloc_node_data` (mm/numa.c).
enum NumaNodes {
    /// The page frames of memblock memory as `for_each_mem_pfn_range` yields them:
    /// `[PFN_UP(base), PFN_DOWN(end))` per region, regions without a whole page skipped.
    static func pfnRanges(_ memblock: Memblock, pageShift: Int) -> [(start: UInt64, end: UInt64, nid: Int)] {
        let shift = UInt64(pageShift)
        let mask = (UInt64(1) << shift) - 1
        return memblock.memory.compactMap { region in
            let (up, overflow) = region.base.addingReportingOverflow(mask)
            let start = overflow ? UInt64.max >> shift : up >> shift
            let end = region.end >> shift
            return start < end ? (start, end, region.nid) : nil
        }
    }

    /// `get_pfn_range_for_nid(nid)` (mm/mm_init.c): lowest start and highest end page frame of
    /// the node's memory; 0, 0 when it has none.
    static func pfnRange(ofNode nid: Int, _ memblock: Memblock, pageShift: Int) -> (start: UInt64, end: UInt64) {
        let ranges = pfnRanges(memblock, pageShift: pageShift).filter { $0.nid == nid }
        guard let start = ranges.map(\.start).min(), let end = ranges.map(\.end).max() else { return (0, 0) }
        return (start, end)
    }

    /// `memblock_validate_numa_coverage(threshold_bytes)` (mm/memblock.c, v6.12): the bytes of
    /// memory whose node is not valid (`numa_valid_node`) must not exceed the threshold —
    /// `>` fails since "memblock: allow zero threshold in validate_numa_converage()"
    /// (`.memblockNumaCoverageZeroThreshold`, in 6.12.y), `>=` in 6.12.0 — else
    /// `NUMA: no nodes coverage for %luMB of %luMB RAM` (pr_err; the text carries its prefix).
    static func validateNumaCoverage(_ memblock: Memblock, thresholdBytes: UInt64, profile: ArchProfile,
                                     log: inout KernelLog) -> Bool {
        let maxNumNodes = profile.config.maxNumNodes
        var pages: UInt64 = 0
        for range in pfnRanges(memblock, pageShift: profile.pageShift) where range.nid < 0 || range.nid >= maxNumNodes {
            pages &+= range.end - range.start
        }
        let bytes = pages &<< UInt64(profile.pageShift)
        if profile.kernel.has(.memblockNumaCoverageZeroThreshold) ? bytes > thresholdBytes : bytes >= thresholdBytes {
            log.print(.err, "", "NUMA: no nodes coverage for \(bytes >> 20)MB of \(memblock.memorySize >> 20)MB RAM")
            return false
        }
        return true
    }

    /// `alloc_node_data(nid)` (mm/numa.c, v6.12): `memblock_phys_alloc_try_nid(roundup(
    /// sizeof(pg_data_t), SMP_CACHE_BYTES), SMP_CACHE_BYTES, nid)` — node-local first, then
    /// silently anywhere; failure panics `Cannot allocate %zu bytes for node %d data`;
    /// `NODE_DATA(%d) allocated [mem %#010Lx-%#010Lx]` and, when `early_pfn_to_nid` of the
    /// address (the memory region's node, or the first online node when that is not a
    /// valid one) differs, `    NODE_DATA(%d) on node %d`. No prefix (mm/numa.c has no
    /// pr_fmt). The size is the profile's `pgDataSize` (config dependent). Shared by x86 and
    /// arch_numa (`setup_node_data`).
    static func allocNodeData(_ nid: Int, memblock: inout Memblock, online: Set<Int>, profile: ArchProfile,
                              log: inout KernelLog) throws(KernelPanic) -> UInt64 {
        let size = profile.pgDataSize
        guard let phys = try memblock.physAllocTryNid(size: size, align: profile.smpCacheBytes, nid: nid, log: &log) else {
            throw KernelPanic("Cannot allocate \(size) bytes for node \(nid) data")
        }
        log.print(.info, "", "NODE_DATA(\(nid)) allocated [mem \(NumaMemblks.hex10(phys))-\(NumaMemblks.hex10(phys &+ size &- 1))]")
        let regionNode = memblock.memory.first { $0.base <= phys && phys < $0.end }?.nid ?? NUMA_NO_NODE
        let tnid = regionNode >= 0 ? regionNode : (online.min() ?? profile.config.maxNumNodes)
        if tnid != nid { log.print(.info, "", "    NODE_DATA(\(nid)) on node \(tnid)") }
        return phys
    }
}
