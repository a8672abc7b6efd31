import KernelSupport
import PercpuAlloc

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
        guard let base = pcpuGetVmAreasBase(free, offsets: offsets, sizes: sizes, align: align,
                                            vmallocStart: vmallocStart, vmallocEnd: vmallocEnd) else {
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
