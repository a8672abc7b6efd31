import KernelSupport

// Free-range iteration and range finding of mm/memblock.c (v6.8).
// Arithmetic here is C's: wrapping, and the kernel's power-of-two round_up/round_down masks,
// so odd inputs give the kernel's answer instead of a trap.

/// `round_down(x, y)` = `x & ~(y - 1)` (include/linux/math.h; meant for powers of two).
@inlinable func cRoundDown(_ x: UInt64, _ y: UInt64) -> UInt64 { x & ~(y &- 1) }
/// `round_up(x, y)` = `((x - 1) | (y - 1)) + 1` (wraps to 0 at the top, as in C).
@inlinable func cRoundUp(_ x: UInt64, _ y: UInt64) -> UInt64 { ((x &- 1) | (y &- 1)) &+ 1 }
/// `clamp(val, lo, hi)`.
@inlinable func cClamp(_ v: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 { Swift.min(Swift.max(v, lo), hi) }

extension Memblock {
    /// The nid `__next_mem_range()` filters by: 6.1/6.8 turn MAX_NUMNODES into NUMA_NO_NODE
    /// (after a WARN_ONCE this read-only path cannot record; the allocator converts, and warns, first).
    func effectiveFilterNid(_ nid: Int) -> Int {
        if !profile.kernel.has(.memblockNumaValidNode) && nid == profile.maxNumNodes { return NUMA_NO_NODE }
        return nid
    }

    /// `should_skip_region()` for a memory region: wrong node (6.8: nid != NUMA_NO_NODE; 6.12:
    /// numa_valid_node(nid)), hotpluggable under movable_node unless asked for, not mirrored when
    /// mirror is required, NOMAP unless asked for, DRIVER_MANAGED unless asked for.
    func shouldSkip(_ m: MemblockRegion, nid: Int, flags: MemblockFlags) -> Bool {
        let nodeFilter = profile.kernel.has(.memblockNumaValidNode) ? numaValidNode(nid) : nid != NUMA_NO_NODE
        if nodeFilter && nid != m.nid { return true }
        if movableNode && m.flags.contains(.hotplug) && !flags.contains(.hotplug) { return true }
        if flags.contains(.mirror) && !m.flags.contains(.mirror) { return true }
        if !flags.contains(.nomap) && m.flags.contains(.nomap) { return true }
        if !flags.contains(.driverManaged) && m.flags.contains(.driverManaged) { return true }
        return false
    }

    /// `for_each_free_mem_range(_reverse)(i, nid, flags, &start, &end, &nid)` =
    /// `__next_mem_range(_rev)(memory, reserved)`: every piece of a non-skipped memory region that
    /// lies in a gap between reserved regions, ascending (or descending when `reverse`).
    public func freeRanges(nid: Int, flags: MemblockFlags, reverse: Bool) -> [(start: UInt64, end: UInt64, nid: Int)] {
        var out: [(start: UInt64, end: UInt64, nid: Int)] = []
        forEachFreeRange(nid: nid, flags: flags, reverse: reverse) { start, end, nid in
            out.append((start, end, nid))
            return true
        }
        return out
    }

    /// The free-range walk itself, lazily: `body` returns false to stop, as the
    /// kernel's finders stop at the first fit. For each memory region only the
    /// reserved gaps that can overlap it are visited (found by binary search on
    /// the sorted, disjoint reserved array), so one step costs O(log reserved)
    /// rather than a pass over every reserved region.
    func forEachFreeRange(nid: Int, flags: MemblockFlags, reverse: Bool,
                          _ body: (UInt64, UInt64, Int) -> Bool) {
        let nid = effectiveFilterNid(nid)
        let rsv = reserved
        let mem = memory
        // First reserved index whose end is above `addr` (ends ascend: regions are disjoint and sorted).
        func firstEndingAbove(_ addr: UInt64) -> Int {
            var low = 0, high = rsv.count
            while low < high {
                let mid = (low + high) / 2
                if rsv[mid].base &+ rsv[mid].size > addr { high = mid } else { low = mid + 1 }
            }
            return low
        }
        // First reserved index whose base is at or above `addr`.
        func firstStartingAtOrAbove(_ addr: UInt64) -> Int {
            var low = 0, high = rsv.count
            while low < high {
                let mid = (low + high) / 2
                if rsv[mid].base >= addr { high = mid } else { low = mid + 1 }
            }
            return low
        }
        // The node filter of should_skip_region, decided once: with a thousand nodes most
        // regions are another node's, and this check is most of the walk.
        let nodeFilter = profile.kernel.has(.memblockNumaValidNode) ? numaValidNode(nid) : nid != NUMA_NO_NODE
        for step in mem.indices {
            let m = mem[reverse ? mem.count - 1 - step : step]
            if nodeFilter && m.nid != nid { continue }
            if shouldSkip(m, nid: nid, flags: flags) { continue }
            let mStart = m.base, mEnd = m.base &+ m.size
            // Gap idxB lies between reserved[idxB - 1] (or 0) and reserved[idxB] (or PHYS_ADDR_MAX).
            let low = firstEndingAbove(mStart), high = firstStartingAtOrAbove(mEnd)
            guard low <= high else { continue }
            for gapStep in 0 ... (high - low) {
                let idxB = reverse ? high - gapStep : low + gapStep
                let rStart = idxB == 0 ? 0 : rsv[idxB - 1].base &+ rsv[idxB - 1].size
                let rEnd = idxB < rsv.count ? rsv[idxB].base : PHYS_ADDR_MAX
                if rStart >= mEnd || mStart >= rEnd { continue }
                if !body(Swift.max(mStart, rStart), Swift.min(mEnd, rEnd), m.nid) { return }
            }
        }
    }

    /// `__memblock_find_range_bottom_up()`: lowest aligned fit of `size` in [start, end).
    func findRangeBottomUp(start: UInt64, end: UInt64, size: UInt64, align: UInt64, nid: Int,
                           flags: MemblockFlags) -> UInt64 {
        var found: UInt64 = 0
        forEachFreeRange(nid: nid, flags: flags, reverse: false) { rangeStart, rangeEnd, _ in
            let thisStart = cClamp(rangeStart, start, end)
            let thisEnd = cClamp(rangeEnd, start, end)
            let cand = cRoundUp(thisStart, align)
            if cand < thisEnd && thisEnd - cand >= size { found = cand; return false }
            return true
        }
        return found
    }

    /// `__memblock_find_range_top_down()`: highest aligned fit of `size` in [start, end).
    func findRangeTopDown(start: UInt64, end: UInt64, size: UInt64, align: UInt64, nid: Int,
                          flags: MemblockFlags) -> UInt64 {
        var found: UInt64 = 0
        forEachFreeRange(nid: nid, flags: flags, reverse: true) { rangeStart, rangeEnd, _ in
            let thisStart = cClamp(rangeStart, start, end)
            let thisEnd = cClamp(rangeEnd, start, end)
            if thisEnd < size { return true }
            let cand = cRoundDown(thisEnd - size, align)
            if cand >= thisStart { found = cand; return false }
            return true
        }
        return found
    }

    /// `memblock_find_in_range_node(size, align, start, end, nid, flags)`: find (not reserve) free
    /// memory. `end` ACCESSIBLE/NOLEAKTRACE means current_limit; page 0 is never returned
    /// (`start = max(start, PAGE_SIZE)`); direction follows `bottomUp`. nil = not found (the kernel's 0).
    public func findInRangeNode(size: UInt64, align: UInt64, start: UInt64, end: UInt64, nid: Int,
                                flags: MemblockFlags) -> UInt64? {
        let found = findInRangeNodeRaw(size: size, align: align, start: start, end: end, nid: nid, flags: flags)
        return found == 0 ? nil : found
    }

    /// `memblock_find_in_range_node()` returning the kernel's 0 for failure.
    func findInRangeNodeRaw(size: UInt64, align: UInt64, start: UInt64, end: UInt64, nid: Int,
                            flags: MemblockFlags) -> UInt64 {
        var end = end
        if end == MEMBLOCK_ALLOC_ACCESSIBLE || end == MEMBLOCK_ALLOC_NOLEAKTRACE { end = currentLimit }
        // Avoid allocating the first page.
        let start = Swift.max(start, profile.pageSize)
        end = Swift.max(start, end)
        if bottomUp {
            return findRangeBottomUp(start: start, end: end, size: size, align: align, nid: nid, flags: flags)
        }
        return findRangeTopDown(start: start, end: end, size: size, align: align, nid: nid, flags: flags)
    }

    /// `memblock_find_in_range(start, end, size, align)` (static, used by memblock_double_array):
    /// any node, mirrored memory first when the system has some, with the ratelimited
    /// `Could not allocate %pap bytes of mirrored memory` before retrying without.
    mutating func findInRange(start: UInt64, end: UInt64, size: UInt64, align: UInt64,
                              log: inout KernelLog) -> UInt64 {
        var flags: MemblockFlags = hasMirror ? .mirror : []
        while true {
            let ret = findInRangeNodeRaw(size: size, align: align, start: start, end: end,
                                         nid: NUMA_NO_NODE, flags: flags)
            if ret == 0 && flags.contains(.mirror) {
                warnRatelimited(site: "memblock_find_in_range",
                                "Could not allocate \(Printk.pa(size)) bytes of mirrored memory", log: &log)
                flags.remove(.mirror)
                continue
            }
            return ret
        }
    }

    /// `memblock_double_array(type, new_area_start, new_area_size)`: grow a full array to twice
    /// its entries.
    ///
    /// Before `memblock_allow_resize()` 6.8 panics `memblock: cannot resize %s array` (6.1 returned
    /// an error). The new array, `PAGE_ALIGN(2 * max * sizeof(struct memblock_region))` bytes, is
    /// found with memblock_find_in_range above the area being added (reserved only), else below it,
    /// up to current_limit, page aligned; then `memblock: %s is doubled to %ld at [%pa-%pa]` (end =
    /// addr + unaligned new size − 1), the old array is freed if it was itself allocated, and the
    /// new one reserved (both traced with caller memblock_double_array). Slab is never up at this
    /// stage of boot, so the kmalloc branch is not emulated.
    mutating func doubleArray(_ type: MemblockTypeName, newAreaStart: UInt64, newAreaSize: UInt64,
                              log: inout KernelLog) throws(KernelPanic) -> Bool {
        if !profile.canResize {
            if !profile.kernel.has(.memblockDoubleArrayPanicsEarly) { return false }
            throw KernelPanic("memblock: cannot resize \(type.name) array")
        }
        let oldMax = capacity(type)
        let oldSize = UInt64(truncatingIfNeeded: oldMax) &* profile.regionStructSize
        let newSize = oldSize &<< 1
        let page = profile.pageSize
        let oldAllocSize = cRoundUp(oldSize, page)
        let newAllocSize = cRoundUp(newSize, page)

        // Only reserved needs to avoid the range being added; memory may share it.
        let areaStart = type == .reserved ? newAreaStart : 0
        let areaSize = type == .reserved ? newAreaSize : 0
        var addr = findInRange(start: areaStart &+ areaSize, end: currentLimit, size: newAllocSize,
                               align: page, log: &log)
        if addr == 0 && areaSize != 0 {
            addr = findInRange(start: 0, end: Swift.min(areaStart, currentLimit), size: newAllocSize,
                               align: page, log: &log)
        }
        if addr == 0 {
            log.print(.err, "", "memblock: Failed to double \(type.name) array from \(oldMax) to \(oldMax &* 2) entries !")
            return false
        }
        trace(&log, "memblock: \(type.name) is doubled to \(oldMax &* 2) at [\(Printk.pa(addr))-\(Printk.pa(addr &+ newSize &- 1))]")

        let oldAddress = array(type).address
        withArray(type) { a in
            a.max = oldMax &* 2
            a.address = addr
        }
        // Free the old array unless it was the static init array (memblock_free → memblock_phys_free).
        if let old = oldAddress {
            try physFree(old, oldAllocSize, log: &log, caller: "memblock_double_array")
        }
        // Reserve the new array (BUG_ON failure).
        if try !reserveForKernel(addr, newAllocSize, nid: NUMA_NO_NODE, log: &log, caller: "memblock_double_array") {
            throw KernelPanic("kernel BUG at mm/memblock.c: memblock_reserve of the doubled \(type.name) array failed")
        }
        return true
    }
}
