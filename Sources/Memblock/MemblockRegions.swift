import KernelSupport

// The region-array algorithms of mm/memblock.c (v6.8): insert, merge, add_range, isolate, remove.
// Each returns false where the kernel returns -ENOMEM (only when doubling the array fails).

extension Memblock {
    /// `memblock_insert_region()`: put a new region at `idx`, shifting the rest up
    /// (the caller guarantees `cnt < max`). Without CONFIG_NUMA the nid is not stored (reads as 0).
    mutating func insertRegion(_ type: MemblockTypeName, at idx: Int, base: UInt64, size: UInt64,
                               nid: Int, flags: MemblockFlags) {
        let nid = profile.numa ? nid : 0
        withArray(type) { a in
            a.regions.insert(MemblockRegion(base: base, size: size, flags: flags, nid: nid), at: idx)
            a.totalSize &+= size
        }
    }

    /// What inserting `[base, end)` at `idx` and then `memblock_merge_regions(type, idx, idx + 1)`
    /// (6.4+: from idx − 1 to idx + 1) leaves, when the new region touches a neighbour with its
    /// nid and flags: that neighbour grown (and the two neighbours joined when it fills the gap
    /// between them). Returns false, changing nothing, when no neighbour merges.
    mutating func extendNeighbour(_ type: MemblockTypeName, at idx: Int, base: UInt64, end: UInt64,
                                  nid rawNid: Int, flags: MemblockFlags) -> Bool {
        let nid = profile.numa ? rawNid : 0
        let list = regions(type)
        func joins(_ r: MemblockRegion) -> Bool { r.nid == nid && r.flags == flags }
        let left = idx > 0 && list[idx - 1].base &+ list[idx - 1].size == base && joins(list[idx - 1])
        let right = idx < list.count && end == list[idx].base && joins(list[idx])
        guard left || right else { return false }
        withArray(type) { a in
            a.totalSize &+= end &- base
            if left {
                a.regions[idx - 1].size &+= end &- base
                if right {
                    a.regions[idx - 1].size &+= a.regions[idx].size
                    a.regions.remove(at: idx)
                }
            } else {
                a.regions[idx].size &+= a.regions[idx].base &- base
                a.regions[idx].base = base
            }
        }
        return true
    }

    /// `memblock_remove_region()`: drop region `r`. When the last one goes, ≤ 6.8 re-creates the
    /// dummy entry (our empty array); 6.12 leaves cnt at 0 — the same empty list here.
    mutating func removeRegion(_ type: MemblockTypeName, at r: Int) {
        withArray(type) { a in
            a.totalSize &-= a.regions[r].size
            a.regions.remove(at: r)
        }
    }

    /// `memblock_merge_regions(type, start_rgn, end_rgn)`: join neighbours that touch and share
    /// nid and flags. 6.4+ only walks from `start_rgn − 1` to `end_rgn`; 6.1 walked the whole
    /// array. Both give the same result on a merged array; each version's walk is kept so an
    /// unmerged starting state (e.g. a parsed dump) evolves exactly as in that kernel.
    mutating func mergeRegions(_ type: MemblockTypeName, start startRgn: Int, end endRgn: Int) {
        let wholeArray = !profile.kernel.has(.memblockMergeAroundTouchedRange)
        withArray(type) { array in
            var i = wholeArray ? 0 : (startRgn > 0 ? startRgn - 1 : 0)
            var end = wholeArray ? array.regions.count - 1 : Swift.min(endRgn, array.regions.count - 1)
            while i < end {
                let this = array.regions[i], next = array.regions[i + 1]
                if this.base &+ this.size != next.base || this.nid != next.nid || this.flags != next.flags {
                    i += 1
                    continue
                }
                array.regions[i].size = this.size &+ next.size
                array.regions.remove(at: i + 1)
                end -= 1
            }
        }
    }

    /// `memblock_add_range(type, base, size, nid, flags)`: add `[base, base+size)` to `type`.
    ///
    /// Size is capped at PHYS_ADDR_MAX (`memblock_cap_size`), size 0 does nothing, an empty array
    /// takes the range as its only region. Otherwise existing regions are never changed: only the
    /// parts of the new range they do not cover are inserted (with the new nid/flags), then the
    /// touched neighbourhood is merged. When the array might be too small (6.8: `cnt*2+1 > max`,
    /// 6.1: `>=`) a counting pass runs first and the array is doubled until the new pieces fit.
    mutating func addRange(_ type: MemblockTypeName, base obase: UInt64, size rawSize: UInt64, nid: Int,
                           flags: MemblockFlags, log: inout KernelLog) throws(KernelPanic) -> Bool {
        let size = Memblock.capSize(obase, rawSize)
        let end = obase &+ size
        if size == 0 { return true }

        // Special case for an empty array (6.8: dummy entry; 6.12: cnt == 0).
        if regions(type).isEmpty {
            let nid = profile.numa ? nid : 0
            withArray(type) { a in
                a.regions = [MemblockRegion(base: obase, size: size, flags: flags, nid: nid)]
                a.totalSize = size
            }
            return true
        }

        let cnt = count(type)
        var insert = profile.kernel.has(.memblockInsertWhenHalfFull) ? cnt * 2 + 1 <= capacity(type)
                                                                      : cnt * 2 + 1 < capacity(type)

        while true {
            var base = obase
            var nrNew = 0
            var startRgn = -1, endRgn = 0
            // The kernel walks from region 0, skipping every region that ends at or below
            // `base`; the regions are sorted and disjoint, so a binary search finds the
            // same first candidate (and keeps boots with thousands of regions fast).
            var idx = firstRegion(type, endingAbove: base)
            while idx < regions(type).count {
                let rgn = regions(type)[idx]
                let rbase = rgn.base, rend = rgn.base &+ rgn.size
                if rbase >= end { break }
                if rend <= base { idx += 1; continue }
                // @rgn overlaps. If it separates the lower part of the new area, insert that portion.
                if rbase > base {
                    // (The kernel WARN_ONs here when nid or flags differ; the splat has no nameable text.)
                    nrNew += 1
                    if insert {
                        if startRgn == -1 { startRgn = idx }
                        endRgn = idx + 1
                        insertRegion(type, at: idx, base: base, size: rbase &- base, nid: nid, flags: flags)
                        idx += 1
                    }
                }
                // The area below @rend is dealt with, forget about it.
                base = Swift.min(rend, end)
                idx += 1
            }
            // Insert the remaining portion.
            if base < end {
                nrNew += 1
                if insert {
                    // The only new piece, next to a region it merges with: what insert + merge
                    // would leave, without moving the array's tail twice (a page first chunk
                    // reserves its pages one by one, each next to the last).
                    if startRgn == -1, profile.kernel.has(.memblockMergeAroundTouchedRange),
                       extendNeighbour(type, at: idx, base: base, end: end, nid: nid, flags: flags) {
                        return true
                    }
                    if startRgn == -1 { startRgn = idx }
                    endRgn = idx + 1
                    insertRegion(type, at: idx, base: base, size: end &- base, nid: nid, flags: flags)
                }
            }
            if nrNew == 0 { return true }
            if insert {
                mergeRegions(type, start: startRgn, end: endRgn)
                return true
            }
            // First round: make room, then repeat for the actual insertions.
            while count(type) + nrNew > capacity(type) {
                if try !doubleArray(type, newAreaStart: obase, newAreaSize: size, log: &log) { return false }
            }
            insert = true
        }
    }

    /// Index of the first region of `type` whose end lies above `addr` (ends ascend).
    func firstRegion(_ type: MemblockTypeName, endingAbove addr: UInt64) -> Int {
        let list = regions(type)
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].base &+ list[mid].size > addr { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// `memblock_isolate_range()`: split the regions straddling `base` or `base + size` so that the
    /// range is covered by whole regions; returns their index range `start ..< end` (empty when
    /// nothing overlaps), or nil when the array could not be grown (-ENOMEM).
    mutating func isolateRange(_ type: MemblockTypeName, base: UInt64, size rawSize: UInt64,
                               log: inout KernelLog) throws(KernelPanic) -> Range<Int>? {
        let size = Memblock.capSize(base, rawSize)
        let end = base &+ size
        var startRgn = 0, endRgn = 0
        if size == 0 { return 0 ..< 0 }

        // We'll create at most two more regions.
        while count(type) + 2 > capacity(type) {
            if try !doubleArray(type, newAreaStart: base, newAreaSize: size, log: &log) { return nil }
        }

        var idx = 0
        while idx < regions(type).count {
            let rgn = regions(type)[idx]
            let rbase = rgn.base, rend = rgn.base &+ rgn.size
            if rbase >= end { break }
            if rend <= base { idx += 1; continue }
            if rbase < base {
                // @rgn intersects from below. Split and continue to process the next region —
                // the new top half.
                withArray(type) { a in
                    a.regions[idx].base = base
                    a.regions[idx].size &-= base - rbase
                    a.totalSize &-= base - rbase
                }
                insertRegion(type, at: idx, base: rbase, size: base &- rbase, nid: rgn.nid, flags: rgn.flags)
            } else if rend > end {
                // @rgn intersects from above. Split and redo the current region — the new bottom half.
                withArray(type) { a in
                    a.regions[idx].base = end
                    a.regions[idx].size &-= end - rbase
                    a.totalSize &-= end - rbase
                }
                insertRegion(type, at: idx, base: rbase, size: end &- rbase, nid: rgn.nid, flags: rgn.flags)
                idx -= 1
            } else {
                // @rgn is fully contained, record it.
                if endRgn == 0 { startRgn = idx }
                endRgn = idx + 1
            }
            idx += 1
        }
        return startRgn ..< Swift.max(startRgn, endRgn)
    }

    /// `memblock_remove_range()`: isolate, then delete the isolated regions from the top down.
    mutating func removeRange(_ type: MemblockTypeName, base: UInt64, size: UInt64,
                              log: inout KernelLog) throws(KernelPanic) -> Bool {
        guard let range = try isolateRange(type, base: base, size: size, log: &log) else { return false }
        for i in range.reversed() { removeRegion(type, at: i) }
        return true
    }

    /// `memblock_setclr_flag(type, base, size, set, flag)` (6.8 takes the type since RSRV_NOINIT;
    /// 6.1 always used memory): isolate, set or clear the flag, merge the touched range.
    mutating func setClearFlag(_ type: MemblockTypeName, base: UInt64, size: UInt64, set: Bool,
                               flag: MemblockFlags, log: inout KernelLog) throws(KernelPanic) -> Bool {
        guard let range = try isolateRange(type, base: base, size: size, log: &log) else { return false }
        withArray(type) { a in
            for i in range {
                if set { a.regions[i].flags.formUnion(flag) } else { a.regions[i].flags.subtract(flag) }
            }
        }
        mergeRegions(type, start: range.lowerBound, end: range.upperBound)
        return true
    }

    /// `memblock_trim_memory(align)`: shrink every memory region to `align` boundaries, dropping
    /// those that vanish. Like the kernel it leaves `total_size` alone for trimmed regions (only a
    /// dropped region is subtracted), which is why x86 dumps show a memory size above the sum.
    public mutating func trimMemory(align: UInt64) {
        var i = 0
        while i < memory.count {
            let r = memory[i]
            let start = cRoundUp(r.base, align), end = cRoundDown(r.base &+ r.size, align)
            if start == r.base && end == r.base &+ r.size { i += 1; continue }
            if start < end {
                withArray(.memory) { a in
                    a.regions[i].base = start
                    a.regions[i].size = end &- start
                }
                i += 1
            } else {
                removeRegion(.memory, at: i)
            }
        }
    }
}
