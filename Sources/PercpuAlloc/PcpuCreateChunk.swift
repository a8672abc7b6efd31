/// Chunk life cycle: `pcpu_alloc_chunk`, `pcpu_create_chunk` and
/// `pcpu_destroy_chunk` of mm/percpu-vm.c and mm/percpu-km.c, and the
/// population bookkeeping `pcpu_chunk_populated` / `pcpu_chunk_depopulated`
/// (mm/percpu.c v6.8; identical in 6.1 and 6.12 apart from 6.10's
/// obj_cgroups → obj_exts rename). The page allocator and page tables are
/// not emulated: populating always succeeds.
import KernelSupport
import PercpuChunk

extension PcpuAllocator {
    /// `pcpu_alloc_chunk(gfp)`: a chunk of `pcpu_unit_pages` pages, all free,
    /// every block initialised (`pcpu_init_md_blocks`), nothing populated.
    func pcpuAllocChunk() -> PcpuAllocChunk {
        let pages = geometry.unitPages
        let md = PcpuChunk(baseAddr: 0, pageSize: geometry.pageSize, startOffset: 0, endOffset: 0,
                           nrPages: pages, freeBytes: pages * Int(geometry.pageSize))
        return PcpuAllocChunk(md: md)
    }

    /// `pcpu_create_chunk(gfp)`.
    ///
    /// percpu-vm: `pcpu_get_vm_areas(pcpu_group_offsets, pcpu_group_sizes,
    /// pcpu_nr_groups, pcpu_atom_size)` places one area per group top-down in
    /// the vmalloc space; `base_addr = vms[0]->addr - pcpu_group_offsets[0]`.
    /// percpu-km: one `alloc_pages(order_base_2(nr_pages))` for group 0 and the
    /// chunk is populated at once. Returns the new chunk's id (not yet on a
    /// slot list), or nil when the vmalloc space has no room.
    mutating func pcpuCreateChunk() -> Int? {
        guard Int(stats.nrChunks) < chunkLimit else {
            chunkLimitReached = true
            return nil
        }
        var chunk = pcpuAllocChunk()
        switch geometry.backend {
        case .vm:
            guard let base = pcpuGetVmAreas() else { return nil }
            chunk.md.baseAddr = base
            chunk.vmAreas = zip(geometry.groupOffsets, geometry.groupSizes).map {
                VmArea(start: base &+ $0, end: base &+ $0 &+ $1)
            }
        case .km:
            let bytes = geometry.groupSizes[0]
            let pages = (bytes + geometry.pageSize - 1) / geometry.pageSize
            let order = pages <= 1 ? UInt64(0) : UInt64(64 - (pages - 1).leadingZeroBitCount)
            chunk.md.baseAddr = kmNextBase
            kmNextBase = kmNextBase &+ (geometry.pageSize << order)
        }
        let id = storage.count
        storage.append(chunk)
        chunkBases.append(chunk.md.baseAddr)
        insertLiveBase(chunk.md.baseAddr, id: id)
        ensureListCapacity()
        if geometry.backend == .km {
            pcpuChunkPopulated(id, start: 0, end: geometry.unitPages)
        }
        // pcpu_stats_chunk_alloc
        stats.nrChunks += 1
        stats.nrMaxChunks = max(stats.nrMaxChunks, stats.nrChunks)
        record(.createChunk(chunk: id, base: chunk.md.baseAddr))
        return id
    }

    /// `pcpu_destroy_chunk(chunk)`: percpu-vm frees the vm areas (they return to
    /// the free space only when the lazy vmap purge runs), percpu-km the pages.
    mutating func pcpuDestroyChunk(_ id: Int) {
        guard let chunk = chunk(id) else { return }
        stats.nrChunks -= 1
        record(.destroyChunk(chunk: id, base: chunk.md.baseAddr))
        lists.remove(id)
        for size in chunk.charged.values { memcgChargedBytes -= pcpuObjFullSize(Int(size)) }
        if geometry.backend == .vm { pcpuFreeVmAreas(chunk.vmAreas) }
        storage[id].alive = false
        storage[id].md = PcpuChunk.placeholder            // free the bitmaps
        storage[id].charged = [:]
        liveBases.removeAll { $0.id == id }
    }

    /// Keeps `liveBases` sorted by base for `pcpu_chunk_addr_search`.
    mutating func insertLiveBase(_ base: UInt64, id: Int) {
        var low = 0, high = liveBases.count
        while low < high {
            let mid = (low + high) / 2
            if liveBases[mid].base < base { low = mid + 1 } else { high = mid }
        }
        liveBases.insert((base, id), at: low)
    }

    /// `pcpu_chunk_populated(chunk, page_start, page_end)`: the pages are now
    /// backed; they count as populated and, being free, as empty populated pages.
    mutating func pcpuChunkPopulated(_ id: Int, start: Int, end: Int) {
        let nr = end - start
        storage[id].md.populated.set(start ..< end)
        storage[id].md.nrPopulated += nr
        nrPopulated += nr
        pcpuUpdateEmptyPages(id, nr)
        record(.populated(chunk: id, start: start, end: end))
    }

    /// `pcpu_chunk_depopulated(chunk, page_start, page_end)`.
    mutating func pcpuChunkDepopulated(_ id: Int, start: Int, end: Int) {
        let nr = end - start
        storage[id].md.populated.clear(start ..< end)
        storage[id].md.nrPopulated -= nr
        nrPopulated -= nr
        pcpuUpdateEmptyPages(id, -nr)
        record(.depopulated(chunk: id, start: start, end: end))
    }

    /// `pcpu_populate_chunk` of both backends: percpu-vm allocates and maps
    /// pages for every unit (emulated as always succeeding), percpu-km has
    /// nothing to do. Returns 0 like the kernel on success.
    func pcpuPopulateChunk(_ id: Int, start: Int, end: Int) -> Int { 0 }
}
