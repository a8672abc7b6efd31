import KernelSupport
import Memblock

/// arch/arm64/mm/numa.c before it became drivers/base/arch_numa.c (5.10): the lines that
/// differ from the arch_numa code `ArchNUMA` follows. arm64 NUMA itself begins in 4.7
/// (`.arm64NUMA`; before, `ArchProfile.kernelConfig` builds without NUMA).
extension ArchNUMA {
    /// `No NUMA configuration found` / `NUMA disabled`: plain `pr_info` in 4.7–4.8, under
    /// pr_fmt "NUMA: " from 4.9 (`.arm64NUMAPrFmt`, "arm64: numa: Use pr_fmt()"); the other
    /// lines carried a literal `NUMA: ` before, so their bytes do not change.
    var unprefixedInfoPrefix: String {
        profile.arch == .arm64 && !profile.kernel.has(.arm64NUMAPrFmt) ? "" : Self.prefix
    }

    /// 4.7 … 4.17 (`.arm64NUMAVerboseLinesDropped`): `numa_add_memblk` reports every block
    /// and `setup_node_data` the node's span; the dummy node is added one memory region at
    /// a time (`for_each_memblock(memory, mblk) numa_add_memblk(0, mblk->base, mblk->base +
    /// mblk->size)`), as the 4.13-era logs show (`NUMA: Adding memblock [0x80000000 -
    /// 0x857fffff] on node 0`, then `[0x91800000 - 0xbfffffff]`).
    var arm64VerboseNUMALines: Bool {
        profile.arch == .arm64 && !profile.kernel.has(.arm64NUMAVerboseLinesDropped)
    }

    /// `pr_info("Adding memblock [0x%llx - 0x%llx] on node %d\n", start, end - 1, nid)`.
    func printAddingMemblock(_ nid: Int, _ start: UInt64, _ end: UInt64, log: inout KernelLog) {
        guard arm64VerboseNUMALines else { return }
        log.print(.info, Self.prefix, "Adding memblock [0x\(Printk.hex(start)) - 0x\(Printk.hex(end &- 1))] on node \(nid)")
    }

    /// `pr_info("Initmem setup node %d [mem %#010Lx-%#010Lx]\n", nid, start_pfn << PAGE_SHIFT,
    /// (end_pfn << PAGE_SHIFT) - 1)` at the top of the old `setup_node_data`, for a node
    /// with memory (the memory-less form is kept as arch_numa prints it: not verified for
    /// these releases).
    func printInitmemSetupNode(_ nid: Int, startPFN: UInt64, endPFN: UInt64, log: inout KernelLog) {
        guard arm64VerboseNUMALines, startPFN < endPFN else { return }
        let shift = UInt64(profile.pageShift)
        log.print(.info, Self.prefix, "Initmem setup node \(nid) [mem \(Printk.hexAlt(startPFN << shift, width: 10))-\(Printk.hexAlt((endPFN << shift) &- 1, width: 10))]")
    }

    /// The old dummy node: one `numa_add_memblk` per memory region.
    mutating func addDummyNodePerRegion(memblock: inout Memblock, log: inout KernelLog) -> Int {
        for region in memblock.memory {
            let ret = numaAddMemblk(0, region.base, region.base &+ region.size, memblock: &memblock, log: &log)
            if ret != 0 { return ret }
        }
        return 0
    }
}
