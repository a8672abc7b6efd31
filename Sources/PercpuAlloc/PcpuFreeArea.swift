/// Returning an area to its chunk: `pcpu_block_update_hint_free` and
/// `pcpu_free_area` (mm/percpu.c v6.8; identical in 6.1 and 6.12).
import PercpuChunk

extension PcpuChunk {
    /// `pcpu_block_update_hint_free(chunk, bit_off, bits)`: after
    /// `[bitOff, bitOff+bits)` was cleared, find the whole free run around it
    /// (from the contig hints when they touch it, else by scanning the
    /// bitmap), update the start and end blocks, reset the blocks in between
    /// to entirely free, count the pages that became empty, and refresh the
    /// chunk hint (a full scan when a whole block became free or the area
    /// spans blocks — the contig hint may then be off by up to a page).
    /// Returns the number of pages that became empty (for `pcpu_update_empty_pages`).
    mutating func pcpuBlockUpdateHintFree(bitOff: Int, bits: Int) -> Int {
        let bpb = bitsPerBlock
        var nrEmptyPages = 0
        let sIndex = bitOff / bpb
        let eIndex = (bitOff + bits - 1) / bpb
        let sOff = bitOff & (bpb - 1)
        var eOff = ((bitOff + bits - 1) & (bpb - 1)) + 1

        // Does the freed area touch the contig hint? Then no scan is needed.
        var start = sOff
        let s = mdBlocks[sIndex]
        if sOff == s.contigHint + s.contigHintStart {
            start = s.contigHintStart
        } else {
            // find_last_bit returns the start bit when nothing is set: the rest is free.
            let lBit = lastSetInBlock(sIndex, below: start)
            start = start == lBit ? 0 : lBit + 1
        }
        var end = eOff
        let e = mdBlocks[eIndex]
        if eOff == e.contigHintStart {
            end = e.contigHintStart + e.contigHint
        } else {
            let base = eIndex * bpb
            end = allocMap.findNextSet(from: base + end, limit: base + bpb) - base
        }

        // update s_block
        eOff = sIndex == eIndex ? end : bpb
        if start == 0 && eOff == bpb { nrEmptyPages += 1 }
        mdBlocks[sIndex].update(start: start, end: eOff)

        // freeing in the same block
        if sIndex != eIndex {
            // update e_block
            if end == bpb { nrEmptyPages += 1 }
            mdBlocks[eIndex].update(start: 0, end: end)
            // reset md_blocks in the middle
            nrEmptyPages += eIndex - sIndex - 1
            if sIndex + 1 < eIndex {
                for i in (sIndex + 1) ..< eIndex {
                    mdBlocks[i].firstFree = 0
                    mdBlocks[i].scanHint = 0
                    mdBlocks[i].contigHintStart = 0
                    mdBlocks[i].contigHint = bpb
                    mdBlocks[i].leftFree = bpb
                    mdBlocks[i].rightFree = bpb
                }
            }
        }
        nrEmptyPopPages += nrEmptyPages

        if end - start >= bpb || sIndex != eIndex {
            chunkRefreshHint(fullScan: true)
        } else {
            // The kernel passes the chunk offset of start but the *block* offset of
            // end (pcpu_block_off_to_off is applied to start only; 4.19–7.2): outside
            // block 0 the "area" has a negative size and cannot raise the chunk's
            // contig hint, only first_free/left/right_free. Emulated as written.
            chunkMD.update(start: sIndex * bpb + start, end: end)
        }
        return nrEmptyPages
    }
}

extension PcpuChunk {
    /// The chunk half of `pcpu_free_area`, in place: returns the bytes freed and
    /// the pages that became empty.
    mutating func pcpuFreeAreaInChunk(off: Int) -> (freed: Int, emptyPages: Int) {
        let bitOff = off / Int(PcpuConstants.minAllocSize)
        // find end index
        let end = boundMap.findNextSet(from: bitOff + 1, limit: regionBits)
        let bits = end - bitOff
        allocMap.clear(bitOff ..< end)
        let freed = bits * Int(PcpuConstants.minAllocSize)
        freeBytes += freed
        // update first free bit
        chunkMD.firstFree = min(chunkMD.firstFree, bitOff)
        let empty = bits > 0 ? pcpuBlockUpdateHintFree(bitOff: bitOff, bits: bits) : 0
        return (freed, empty)
    }
}

extension PcpuAllocator {
    /// `pcpu_free_area(chunk, off)`: the area's size from bound_map (the next
    /// boundary after its start), cleared from alloc_map; free_bytes,
    /// first_free and hints updated, the chunk relocated. Returns the bytes freed.
    mutating func pcpuFreeArea(_ id: Int, off: Int) -> Int {
        guard storage[id].alive else { return 0 }
        let oslot = pcpuChunkSlot(id)
        // pcpu_stats_area_dealloc
        stats.nrDealloc &+= 1
        stats.nrCurAlloc &-= 1
        storage[id].nrAlloc -= 1
        let (freed, empty) = storage[id].md.pcpuFreeAreaInChunk(off: off)
        if empty != 0 && id != reservedChunk && !storage[id].isolated { nrEmptyPopPages += empty }
        pcpuChunkRelocate(id, oslot: oslot)
        return freed
    }
}
