/// `pcpu_get_vm_areas` and `pcpu_free_vm_areas` (mm/vmalloc.c, v6.8 — the
/// search is unchanged since 4.x): every percpu-vm chunk reproduces the first
/// chunk's group shape in the vmalloc space, one area per group at the same
/// offsets from a common base, searched top-down from VMALLOC_END.
import KernelSupport

/// The free vmalloc space as `free_vmap_area_root`/`free_vmap_area_list` hold
/// it: sorted, disjoint `[start, end)` ranges.
public struct VmallocFreeSpace: Sendable {
    public var ranges: [(start: UInt64, end: UInt64)]

    public init(ranges: [(start: UInt64, end: UInt64)]) { self.ranges = ranges }

    /// `pvm_find_va_enclose_addr(addr)`: the free area with the highest start ≤ addr
    /// (a binary search, as the kernel's rb-tree walk).
    func enclosing(_ addr: UInt64) -> Int? {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].start <= addr { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }

    /// `pvm_determine_end_from_reverse(&va, align)`: from `index` downwards, the
    /// first free area with room below its aligned end (clamped to the aligned VMALLOC_END).
    func endFromReverse(_ index: inout Int?, align: UInt64, vmallocEnd: UInt64) -> UInt64 {
        let alignedEnd = vmallocEnd & ~(align &- 1)
        while let i = index, i >= 0 {
            let addr = min(ranges[i].end & ~(align &- 1), alignedEnd)
            if ranges[i].start < addr { return addr }
            index = i > 0 ? i - 1 : nil
        }
        return 0
    }

    /// Marks [start, end) as used, touching only the free ranges it overlaps.
    public mutating func occupy(_ start: UInt64, _ end: UInt64) {
        guard start < end else { return }
        var first = enclosing(start) ?? 0
        if first < ranges.count && ranges[first].end <= start { first += 1 }
        var last = first
        while last < ranges.count && ranges[last].start < end { last += 1 }
        guard first < last else { return }
        var pieces: [(start: UInt64, end: UInt64)] = []
        if ranges[first].start < start { pieces.append((ranges[first].start, start)) }
        if ranges[last - 1].end > end { pieces.append((end, ranges[last - 1].end)) }
        ranges.replaceSubrange(first..<last, with: pieces)
    }

    /// Returns [start, end) to the free space, merging with its neighbours
    /// (`merge_or_add_vmap_area`). The range must be in use.
    public mutating func release(_ start: UInt64, _ end: UInt64) {
        guard start < end else { return }
        var index = 0
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].start < start { low = mid + 1 } else { high = mid }
        }
        index = low
        var newStart = start, newEnd = end
        var from = index, to = index
        if index > 0 && ranges[index - 1].end == start {
            newStart = ranges[index - 1].start
            from = index - 1
        }
        if index < ranges.count && ranges[index].start == end {
            newEnd = ranges[index].end
            to = index + 1
        }
        ranges.replaceSubrange(from..<to, with: [(newStart, newEnd)])
    }
}

/// The search loop of `pcpu_get_vm_areas`: scan from the top of the vmalloc
/// space, starting with the area that ends last, moving the common base down
/// until every area lies inside a free range. Returns the base, or nil
/// (`goto overflow`).
public func pcpuGetVmAreasBase(_ free: VmallocFreeSpace, offsets: [UInt64], sizes: [UInt64], align: UInt64,
                               vmallocStart: UInt64, vmallocEnd: UInt64) -> UInt64? {
    let count = offsets.count
    guard count > 0, count == sizes.count, align.nonzeroBitCount == 1 else { return nil }
    let ends = zip(offsets, sizes).map { $0 &+ $1 }
    let lastArea = ends.indices.max { ends[$0] < ends[$1] } ?? 0
    let lastEnd = ends[lastArea]
    let alignedStart = (vmallocStart &+ align &- 1) & ~(align &- 1)
    let alignedEnd = vmallocEnd & ~(align &- 1)
    // WARN_ON(vmalloc_end - vmalloc_start < last_end): no areas at all.
    if alignedEnd < alignedStart || alignedEnd &- alignedStart < lastEnd { return nil }
    var area = lastArea
    var termArea = lastArea
    var start = offsets[area]
    var end = start &+ sizes[area]
    var va = free.enclosing(alignedEnd)
    var base = free.endFromReverse(&va, align: align, vmallocEnd: alignedEnd) &- end
    var steps = 0
    while true {
        steps += 1
        if steps > 10_000_000 { return nil }     // each step moves base down or advances an area
        // base might have underflowed: compare with last_end added, as the kernel does.
        if base &+ lastEnd < alignedStart &+ lastEnd { return nil }
        guard let v = va else { return nil }
        if base &+ end > free.ranges[v].end {
            base = free.endFromReverse(&va, align: align, vmallocEnd: alignedEnd) &- end
            termArea = area
            continue
        }
        if base &+ start < free.ranges[v].start {
            va = v > 0 ? v - 1 : nil
            base = free.endFromReverse(&va, align: align, vmallocEnd: alignedEnd) &- end
            termArea = area
            continue
        }
        area = (area + count - 1) % count
        if area == termArea { break }
        start = offsets[area]
        end = start &+ sizes[area]
        va = free.enclosing(base &+ end)
    }
    return base
}

extension PcpuAllocator {
    /// `pcpu_get_vm_areas(pcpu_group_offsets, pcpu_group_sizes, pcpu_nr_groups,
    /// pcpu_atom_size)` for a new chunk: its base, the areas taken out of the
    /// free space. On overflow the kernel purges the lazily freed areas once
    /// and retries.
    mutating func pcpuGetVmAreas() -> UInt64? {
        var base = pcpuGetVmAreasBase(vmalloc, offsets: geometry.groupOffsets, sizes: geometry.groupSizes,
                                      align: geometry.atomSize, vmallocStart: geometry.vmallocStart,
                                      vmallocEnd: geometry.vmallocEnd)
        if base == nil && !lazyAreas.isEmpty {
            purgeLazyAreas()
            base = pcpuGetVmAreasBase(vmalloc, offsets: geometry.groupOffsets, sizes: geometry.groupSizes,
                                      align: geometry.atomSize, vmallocStart: geometry.vmallocStart,
                                      vmallocEnd: geometry.vmallocEnd)
        }
        guard let base else { return nil }
        for (offset, size) in zip(geometry.groupOffsets, geometry.groupSizes) {
            vmalloc.occupy(base &+ offset, base &+ offset &+ size)
        }
        return base
    }

    /// `pcpu_free_vm_areas(vms, nr_vms)`: the areas go to the lazy purge list
    /// (`free_vmap_area_noflush`); they become free again when more than
    /// `lazy_max_pages()` = fls(num_online_cpus()) × 32 MiB of pages wait
    /// (counting only percpu's areas: other vmalloc users are not emulated).
    mutating func pcpuFreeVmAreas(_ areas: [VmArea]) {
        lazyAreas += areas
        let pages = lazyAreas.reduce(UInt64(0)) { $0 &+ ($1.end &- $1.start) / geometry.pageSize }
        let cpus = UInt64(geometry.nrPossibleCPUs)
        let lazyMax = UInt64(64 - cpus.leadingZeroBitCount) * ((32 << 20) / geometry.pageSize)
        if pages > lazyMax { purgeLazyAreas() }
    }

    /// `purge_vmap_area_lazy()`: the lazily freed areas return to the free space.
    mutating func purgeLazyAreas() {
        for area in lazyAreas { vmalloc.release(area.start, area.end) }
        lazyAreas.removeAll()
    }
}
