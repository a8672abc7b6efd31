import KernelSupport

/// Where the dynamic chunks after the first would go: `pcpu_create_chunk` →
/// `pcpu_get_vm_areas(pcpu_group_offsets, pcpu_group_sizes, nr_groups, pcpu_atom_size)`
/// (mm/percpu-vm.c, mm/vmalloc.c, v6.8 — unchanged since 5.x).
///
/// Every later chunk must reproduce the first chunk's shape in the vmalloc
/// space: one area per group at the same offsets from a common base. This is
/// why `pcpu_embed_first_chunk` refuses a `max_distance` above 3/4 of the
/// vmalloc space; a kernel without the page fallback keeps the embed chunk,
/// and this shows what then happens when the first dynamic chunk is needed.
public struct DynamicChunkOutlook: Equatable, Sendable, Codable {
    /// The span one chunk needs: the end of its highest group area.
    public var span: UInt64
    /// Bases of the chunks `pcpu_get_vm_areas` placed, top-down, up to `limit`.
    public var placedBases: [UInt64]
    /// True when `limit` chunks fitted and the search stopped there.
    public var reachedLimit: Bool
    /// Why the next chunk could not be placed, when it could not.
    public var failure: String?
    /// What the kernel prints when an allocation then needs that chunk (`pcpu_alloc`).
    public var kernelMessage: String?
}

/// The free vmalloc space as `free_vmap_area_list` holds it: sorted disjoint [start, end).
struct VmallocFreeSpace {
    var ranges: [(start: UInt64, end: UInt64)]

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
    /// first free area with room below its aligned end (clamped to VMALLOC_END).
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
    mutating func occupy(_ start: UInt64, _ end: UInt64) {
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
}

/// `pcpu_get_vm_areas` for successive chunks of the first chunk's shape, until
/// one does not fit or `limit` have been placed.
func dynamicChunkOutlook(offsets: [UInt64], sizes: [UInt64], align: UInt64, vmallocStart: UInt64,
                         vmallocEnd: UInt64, earlyAreas: [(UInt64, UInt64)], limit: Int = 8) -> DynamicChunkOutlook {
    let ends = zip(offsets, sizes).map { $0 &+ $1 }
    let lastArea = ends.indices.max { ends[$0] < ends[$1] } ?? 0
    let lastEnd = ends.isEmpty ? 0 : ends[lastArea]
    var outlook = DynamicChunkOutlook(span: lastEnd, placedBases: [], reachedLimit: false, failure: nil, kernelMessage: nil)
    guard !offsets.isEmpty, align.nonzeroBitCount == 1 else { return outlook }
    if vmallocEnd &- vmallocStart < lastEnd {
        outlook.failure = "a chunk spans 0x\(Printk.hex(lastEnd)) bytes but the vmalloc space is only 0x\(Printk.hex(vmallocEnd &- vmallocStart)) (pcpu_get_vm_areas: WARN_ON, no areas)"
        outlook.kernelMessage = "percpu: allocation failed, size=<size> align=<align> atomic=0, failed to allocate new chunk"
        return outlook
    }
    var free = VmallocFreeSpace(ranges: [(vmallocStart, vmallocEnd)])
    for (start, end) in earlyAreas { free.occupy(start, end) }
    while outlook.placedBases.count < limit {
        guard let base = placeChunk(&free, offsets: offsets, sizes: sizes, lastArea: lastArea, lastEnd: lastEnd,
                                    align: align, vmallocStart: vmallocStart, vmallocEnd: vmallocEnd) else {
            outlook.failure = "no free vmalloc range holds all \(offsets.count) group areas at their offsets (pcpu_get_vm_areas: overflow)"
            outlook.kernelMessage = "percpu: allocation failed, size=<size> align=<align> atomic=0, failed to allocate new chunk"
            return outlook
        }
        outlook.placedBases.append(base)
        for (offset, size) in zip(offsets, sizes) { free.occupy(base &+ offset, base &+ offset &+ size) }
    }
    outlook.reachedLimit = true
    return outlook
}

/// The search loop of `pcpu_get_vm_areas`: scan from the top of the vmalloc
/// space, starting with the last area, moving the common base down until
/// every area lies inside a free range.
private func placeChunk(_ free: inout VmallocFreeSpace, offsets: [UInt64], sizes: [UInt64], lastArea: Int,
                        lastEnd: UInt64, align: UInt64, vmallocStart: UInt64, vmallocEnd: UInt64) -> UInt64? {
    let count = offsets.count
    var area = lastArea
    var termArea = lastArea
    var start = offsets[area]
    var end = start &+ sizes[area]
    var va = free.enclosing(vmallocEnd)
    var base = free.endFromReverse(&va, align: align, vmallocEnd: vmallocEnd) &- end
    var steps = 0
    while true {
        steps += 1
        if steps > 1_000_000 { return nil }     // cannot happen: each step moves base down or advances
        // base might have underflowed: compare with last_end added, as the kernel does.
        if base &+ lastEnd < vmallocStart &+ lastEnd { return nil }
        guard let v = va else { return nil }
        if base &+ end > free.ranges[v].end {
            base = free.endFromReverse(&va, align: align, vmallocEnd: vmallocEnd) &- end
            termArea = area
            continue
        }
        if base &+ start < free.ranges[v].start {
            va = v > 0 ? v - 1 : nil
            base = free.endFromReverse(&va, align: align, vmallocEnd: vmallocEnd) &- end
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
