import KernelSupport

extension Memblock {
    /// Whether `memblock_dump()` prints " on node N" for a region (CONFIG_NUMA only): 6.1/6.8 when
    /// nid != MAX_NUMNODES (so NUMA_NO_NODE prints "on node -1"), 6.12 when `numa_valid_node(nid)`.
    func dumpShowsNode(_ nid: Int) -> Bool {
        guard profile.numa else { return false }
        return profile.kernel.has(.memblockNumaValidNode) ? numaValidNode(nid) : nid != profile.maxNumNodes
    }

    /// The lines of `memblock_dump(type)`: ` %s.cnt  = 0x%lx`, then per region
    /// ` %s[%#x]\t[%pa-%pa], %pa bytes%s flags: %#x`. Up to 6.8 an empty array shows its dummy entry
    /// (base 0, size 0, so end prints as 0xffffffffffffffff; nid MAX_NUMNODES); 6.12 shows cnt 0.
    public func dumpLines(_ type: MemblockTypeName) -> [String] {
        let name = type.name
        var lines = [" \(name).cnt  = 0x\(Printk.hex(UInt64(count(type))))"]
        var rs = regions(type)
        if rs.isEmpty && !profile.kernel.has(.memblockNoDummyRegion) {
            rs = [MemblockRegion(base: 0, size: 0, flags: [], nid: profile.maxNumNodes)]
        }
        for (idx, r) in rs.enumerated() {
            let node = dumpShowsNode(r.nid) ? " on node \(r.nid)" : ""
            let end = r.base &+ r.size &- 1
            lines.append(" \(name)[\(Printk.hexAlt(UInt64(idx)))]\t[\(Printk.pa(r.base))-\(Printk.pa(end))], \(Printk.pa(r.size)) bytes\(node) flags: \(Printk.hexAlt(UInt64(r.flags.rawValue)))")
        }
        return lines
    }

    /// The lines of `__memblock_dump_all()`: `MEMBLOCK configuration:`,
    /// ` memory size = %pa reserved size = %pa`, then memory and reserved (no physmem: only s390
    /// has CONFIG_HAVE_MEMBLOCK_PHYS_MAP).
    public func dumpAllLines() -> [String] {
        ["MEMBLOCK configuration:",
         " memory size = \(Printk.pa(memorySize)) reserved size = \(Printk.pa(reservedSize))"]
            + dumpLines(.memory) + dumpLines(.reserved)
    }

    /// `memblock_dump_all()`: the configuration dump, printed (pr_info, no prefix) only under
    /// memblock=debug — like every other memblock trace.
    public func dump(log: inout KernelLog) {
        guard debug else { return }
        for line in dumpAllLines() { log.memblockDebug(line) }
    }
}
