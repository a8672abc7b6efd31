import KernelSupport

extension Memblock {
    /// How many of the next identical calls `memblock_alloc_try_nid(size, size, minAddr, limit, nid)`
    /// would each return the page just below the previous one, after one such call returned `addr`
    /// — and reserves them all at once. For `pcpu_page_first_chunk`, which asks for a unit's pages
    /// one call at a time (mm/percpu.c): the result is the kernel's, page for page, without a
    /// call per page.
    ///
    /// Why the kernel would pick exactly these pages: top-down, `memblock_find_in_range_node` returns
    /// the highest free `size`-aligned block in range on the node (else on any node); `addr` was the
    /// highest, nothing has been freed since, so the next call takes the block below `addr` as long as
    /// it is free, in the same `memblock.memory` region, at or above the range's start, and that
    /// region is one the search accepts (no flags; on the asked node, or the node was already full
    /// when `addr` came from another). Returns 0 (nothing batched) under memblock=debug (every
    /// call is traced), bottom-up, with mirrored memory, or when `size` is not a power of two.
    /// Reserving the run in one `memblock_reserve` leaves the same regions as one per page: the
    /// reserved block at `addr` just grows downwards (same flags and node, so they merge).
    public mutating func reserveRunBelow(_ addr: UInt64, size: UInt64, minAddr: UInt64, nid: Int,
                                         upTo wanted: UInt64, log: inout KernelLog) throws(KernelPanic) -> UInt64 {
        guard wanted > 0, !debug, !bottomUp, !hasMirror, size > 0, size & (size &- 1) == 0,
              addr & (size &- 1) == 0, addr >= size else { return 0 }
        guard let here = search(.memory, addr), let below = search(.memory, addr &- size), here == below else { return 0 }
        let region = memory[below]
        guard region.flags.isEmpty else { return 0 }
        let askedNode = nid != NUMA_NO_NODE && nid != profile.maxNumNodes && (!profile.kernel.has(.memblockNumaValidNode) || numaValidNode(nid))
        if askedNode && region.nid != nid && isFreeOnNode(nid) { return 0 }
        // The range the call that returned addr searched: [minAddr, limit), else (retry) [0, limit).
        var lower = Swift.max(addr >= minAddr ? minAddr : 0, profile.pageSize, region.base)
        if let r = highestReserved(below: addr) { lower = Swift.max(lower, reserved[r].end) }
        guard addr > lower else { return 0 }
        let pages = Swift.min(wanted, (addr - lower) / size)
        guard pages > 0 else { return 0 }
        let base = addr - pages * size
        _ = try reserve(base, pages * size, log: &log, caller: "memblock_alloc_range_nid")
        return pages
    }

    /// The last reserved region that starts below `addr`.
    private func highestReserved(below addr: UInt64) -> Int? {
        let rs = reserved
        var left = 0, right = rs.count
        while left < right {
            let mid = (left + right) / 2
            if rs[mid].base < addr { left = mid + 1 } else { right = mid }
        }
        return left == 0 ? nil : left - 1
    }

    /// Whether any memory of node `nid` is still free (then a call for `nid` would not have fallen back).
    private func isFreeOnNode(_ nid: Int) -> Bool {
        for m in memory where m.nid == nid && m.flags.isEmpty {
            var cursor = m.base
            for r in reserved where r.end > cursor && r.base < m.end {
                if r.base > cursor { return true }
                cursor = Swift.max(cursor, r.end)
            }
            if cursor < m.end { return true }
        }
        return false
    }
}
