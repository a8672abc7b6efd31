/// `free_percpu(ptr)` and `pcpu_chunk_addr_search(addr)` (mm/percpu.c v6.8;
/// identical in 6.1; 6.10+ also calls `pcpu_alloc_tag_free_hook`).
import KernelSupport
import PercpuChunk

extension PcpuAllocator {
    /// `pcpu_addr_in_chunk(chunk, addr)`: inside the served region.
    func pcpuAddrInChunk(_ id: Int?, _ addr: UInt64) -> Bool {
        guard let id, storage[id].alive else { return false }
        return addr >= storage[id].md.regionStart && addr < storage[id].md.regionEnd
    }

    /// `pcpu_chunk_addr_search(addr)`: the first chunk, the reserved chunk,
    /// else the chunk whose vmalloc pages (percpu-vm) or page block (percpu-km)
    /// hold the address — the kernel asks the page's `index`; here the live
    /// chunk whose unit-0 span `[base, base + unit_size)` contains it.
    public func pcpuChunkAddrSearch(_ addr: UInt64) -> Int? {
        if pcpuAddrInChunk(firstChunk, addr) { return firstChunk }
        if pcpuAddrInChunk(reservedChunk, addr) { return reservedChunk }
        // The last live chunk base <= addr.
        var low = 0, high = liveBases.count
        while low < high {
            let mid = (low + high) / 2
            if liveBases[mid].base <= addr { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let hit = liveBases[low - 1]
        return addr &- hit.base < UInt64(geometry.unitSize) ? hit.id : nil
    }

    /// `free_percpu(ptr)`: free the area; uncharge its cgroup; if the chunk is
    /// now entirely free and another free chunk exists, schedule the balance
    /// work (it will destroy one); else, if the chunk has many empty populated
    /// pages (`pcpu_should_reclaim_chunk`, 5.14+), isolate it for depopulation.
    public mutating func freePercpu(_ ptr: UInt64) throws(PcpuAllocError) {
        guard ptr != 0 else { return }
        let addr = pcpuPtrToAddr(ptr)
        guard let id = pcpuChunkAddrSearch(addr), storage[id].alive else {
            throw .badPointer(ptr, "no chunk serves this address")
        }
        // (No copy of the chunk is held across the free: it would make the bitmaps copy on write.)
        let base = storage[id].md.baseAddr
        let offset = addr &- base
        guard offset < UInt64(storage[id].md.regionBits) * PcpuConstants.minAllocSize,
              offset % PcpuConstants.minAllocSize == 0 else {
            throw .badPointer(ptr, "not an area start in chunk 0x\(Printk.hex(base))")
        }
        let off = Int(offset)
        guard storage[id].md.allocMap.test(off / 4), storage[id].md.boundMap.test(off / 4) else {
            throw .badPointer(ptr, "offset \(off) of chunk 0x\(Printk.hex(base)) is not an allocated area")
        }
        let size = pcpuFreeArea(id, off: off)
        record(.free(ptr: ptr, chunk: id, off: off, size: size))
        pcpuMemcgFreeHook(id, off: off)

        var needBalance = false
        if storage[id].isolated == false && storage[id].md.freeBytes == geometry.unitSize {
            var cursor = lists.first(slots.free)
            while let other = cursor, !needBalance {
                needBalance = other != id
                cursor = lists.after(other)
            }
        } else if behaviour.partialDepopulation && pcpuShouldReclaimChunk(id) {
            pcpuIsolateChunk(id)
            needBalance = true
        }
        if needBalance { balancePending = true }
    }

    /// `pcpu_should_reclaim_chunk(chunk)` of percpu-vm (5.14+; percpu-km never
    /// reclaims): not the first or reserved chunk; an isolated chunk with empty
    /// pages goes back to to_depopulate; otherwise a chunk with at least a
    /// quarter of its pages empty, when the rest of the system keeps more than
    /// PCPU_EMPTY_POP_PAGES_HIGH empty pages without it.
    func pcpuShouldReclaimChunk(_ id: Int) -> Bool {
        guard geometry.backend == .vm, id != firstChunk, id != reservedChunk, storage[id].alive else { return false }
        let empty = storage[id].md.nrEmptyPopPages
        return (storage[id].isolated && empty != 0)
            || (nrEmptyPopPages > pcpuEmptyPopPagesHigh + empty && empty >= storage[id].md.nrPages / 4)
    }
}
