/// The chunk slot lists of mm/percpu.c (`pcpu_chunk_lists`) and the functions
/// that move chunks between them: `__pcpu_chunk_move`, `pcpu_chunk_move`,
/// `pcpu_chunk_relocate`, `pcpu_isolate_chunk`, `pcpu_reintegrate_chunk`
/// (v6.8; identical in 6.1 and 6.12; isolation is 5.14+, f183324133ea).
import PercpuChunk

/// `struct list_head` lists over chunk ids: node `s` (< nrSlots) is the head
/// of slot `s`, node `nrSlots + id` is chunk `id`. `list_move` and
/// `list_move_tail` are O(1), and iteration follows `next` exactly as
/// `list_for_each_entry_safe` does, so list order is the kernel's.
struct ChunkLists: Sendable {
    let nrSlots: Int
    var next: [Int]
    var prev: [Int]

    init(nrSlots: Int) {
        self.nrSlots = nrSlots
        next = Array(0 ..< nrSlots)
        prev = Array(0 ..< nrSlots)
    }

    mutating func ensureCapacity(_ chunks: Int) {
        while next.count < nrSlots + chunks {
            let node = next.count
            next.append(node)          // INIT_LIST_HEAD: an unlinked node points at itself
            prev.append(node)
        }
    }

    @inline(__always) func node(_ chunk: Int) -> Int { nrSlots + chunk }
    @inline(__always) func chunk(_ node: Int) -> Int { node - nrSlots }

    /// `list_del` (the node keeps pointing at itself, as list_del_init).
    mutating func unlink(_ n: Int) {
        next[prev[n]] = next[n]
        prev[next[n]] = prev[n]
        next[n] = n
        prev[n] = n
    }

    /// `list_move(&chunk->list, head)`: to the front of `slot`.
    mutating func moveFront(_ chunk: Int, slot: Int) {
        let n = node(chunk)
        unlink(n)
        let first = next[slot]
        next[n] = first
        prev[n] = slot
        prev[first] = n
        next[slot] = n
    }

    /// `list_move_tail(&chunk->list, head)`: to the back of `slot`.
    mutating func moveTail(_ chunk: Int, slot: Int) {
        let n = node(chunk)
        unlink(n)
        let last = prev[slot]
        next[n] = slot
        prev[n] = last
        next[last] = n
        prev[slot] = n
    }

    /// `list_del_init(&chunk->list)`.
    mutating func remove(_ chunk: Int) { unlink(node(chunk)) }

    func isEmpty(_ slot: Int) -> Bool { next[slot] == slot }

    /// `list_first_entry_or_null`.
    func first(_ slot: Int) -> Int? { isEmpty(slot) ? nil : chunk(next[slot]) }

    /// The chunk after `chunk` on its list, or nil at the end of the list.
    func after(_ chunk: Int) -> Int? {
        let n = next[node(chunk)]
        return n < nrSlots ? nil : self.chunk(n)
    }

    /// Chunk ids on `slot` in list order.
    func entries(_ slot: Int) -> [Int] {
        var out: [Int] = []
        var n = next[slot]
        while n != slot && n >= nrSlots {
            out.append(chunk(n))
            n = next[n]
        }
        return out
    }
}

extension PcpuAllocator {
    /// `pcpu_chunk_slot(chunk)` (v6.8 = 6.1): 0 when less than
    /// PCPU_MIN_ALLOC_SIZE is free or there is no contig hint, else the slot of
    /// the contig hint in bytes (the free slot for an entirely free chunk).
    func pcpuChunkSlot(_ id: Int) -> Int {
        guard storage[id].alive else { return 0 }
        return PercpuChunk.pcpuChunkSlot(storage[id].md, unitSize: UInt64(geometry.unitSize))
    }

    /// `__pcpu_chunk_move(chunk, slot, move_front)`: never the reserved chunk.
    mutating func pcpuChunkMove(_ id: Int, slot: Int, front: Bool = true) {
        guard id != reservedChunk else { return }
        if front { lists.moveFront(id, slot: slot) } else { lists.moveTail(id, slot: slot) }
        storage[id].listSlot = slot
    }

    /// `pcpu_chunk_relocate(chunk, oslot)`: after an allocation or free, move the
    /// chunk to the slot of its new contig hint — to the front when it moved up
    /// (more free space), to the back when it moved down. Isolated chunks stay.
    mutating func pcpuChunkRelocate(_ id: Int, oslot: Int) {
        let nslot = pcpuChunkSlot(id)
        if storage[id].isolated == true { return }
        if oslot != nslot { pcpuChunkMove(id, slot: nslot, front: oslot < nslot) }
    }

    /// `pcpu_isolate_chunk(chunk)` (5.14+): out of `pcpu_nr_empty_pop_pages`,
    /// onto the front of the to_depopulate slot.
    mutating func pcpuIsolateChunk(_ id: Int) {
        if !storage[id].isolated {
            storage[id].isolated = true
            nrEmptyPopPages -= storage[id].md.nrEmptyPopPages
        }
        lists.moveFront(id, slot: slots.toDepopulate)
        storage[id].listSlot = slots.toDepopulate
    }

    /// `pcpu_reintegrate_chunk(chunk)` (5.14+): back into the counts and onto its slot.
    mutating func pcpuReintegrateChunk(_ id: Int) {
        guard storage[id].alive, storage[id].isolated else { return }
        storage[id].isolated = false
        nrEmptyPopPages += storage[id].md.nrEmptyPopPages
        pcpuChunkRelocate(id, oslot: -1)
    }

    /// `pcpu_update_empty_pages(chunk, nr)`: the chunk's count, and the global
    /// one unless the chunk is the reserved chunk or isolated.
    mutating func pcpuUpdateEmptyPages(_ id: Int, _ nr: Int) {
        storage[id].md.nrEmptyPopPages += nr
        if id != reservedChunk && storage[id].isolated == false { nrEmptyPopPages += nr }
    }
}
