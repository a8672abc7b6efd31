/// Taking an area out of a chunk: `pcpu_find_zero_area`,
/// `pcpu_block_update_scan` and `pcpu_alloc_area` (mm/percpu.c v6.8;
/// identical in 6.1 and 6.12). The hint update after the bitmap change is
/// `PcpuChunk.blockUpdateHintAlloc` (pcpu_block_update_hint_alloc).
import PercpuChunk

extension PcpuBitmap {
    /// `find_last_bit(map, size)`: the last set bit below `size`, or `size` when none.
    func findLastSet(below size: Int) -> Int {
        let end = Swift.min(Swift.max(size, 0), count)
        guard end > 0 else { return size }
        var word = (end - 1) >> 6
        var mask: UInt64 = end & 63 == 0 ? ~0 : (UInt64(1) << UInt64(end & 63)) - 1
        while true {
            let w = words[word] & mask
            if w != 0 { return (word << 6) + 63 - w.leadingZeroBitCount }
            if word == 0 { return size }
            word -= 1
            mask = ~0
        }
    }
}

extension PcpuChunk {
    /// `pcpu_find_zero_area(map, size, start, nr, align_mask, &largest_off,
    /// &largest_bits)`: first fit of `nr` clear bits aligned to `alignMask + 1`
    /// in `[start, size)`, remembering the largest (then best aligned) free
    /// run it had to skip. Returns an index `>= size`... or rather
    /// `index + nr > size` when nothing fits.
    func pcpuFindZeroArea(size: Int, start: Int, nr: Int, alignMask: Int) -> (index: Int, largestOff: Int, largestBits: Int) {
        var largestOff = 0, largestBits = 0
        var start = start
        while true {
            var index = allocMap.findNextZero(from: start, limit: size)
            // Align allocation
            index = (index + alignMask) & ~alignMask
            let areaOff = index
            let end = index + nr
            if end > size { return (end, largestOff, largestBits) }
            let i = allocMap.findNextSet(from: index, limit: end)
            if i < end {
                let areaBits = i - areaOff
                // remember largest unused area with best alignment
                if areaBits > largestBits
                    || (areaBits == largestBits && largestOff != 0
                        && (areaOff == 0 || lowestSetBit(areaOff) > lowestSetBit(largestOff))) {
                    largestOff = areaOff
                    largestBits = areaBits
                }
                start = i + 1
                continue
            }
            return (index, largestOff, largestBits)
        }
    }

    /// `pcpu_block_update_scan(chunk, bit_off, bits)`: a free run the scan
    /// skipped (possibly shortened by alignment) may be a better scan hint for
    /// its block; look back for free bits lost to alignment first. Runs that
    /// cross a block end are ignored.
    mutating func pcpuBlockUpdateScan(bitOff: Int, bits: Int) {
        let bpb = bitsPerBlock
        var sOff = bitOff & (bpb - 1)
        let eOff = sOff + bits
        if eOff > bpb { return }
        let sIndex = bitOff / bpb
        // scan backwards in case of alignment skipping free bits
        let lBit = lastSetInBlock(sIndex, below: sOff)
        sOff = sOff == lBit ? 0 : lBit + 1
        mdBlocks[sIndex].update(start: sOff, end: eOff)
    }

    /// `find_last_bit(pcpu_index_alloc_map(chunk, index), size)`, block relative.
    func lastSetInBlock(_ index: Int, below size: Int) -> Int {
        let base = index * bitsPerBlock
        guard size > 0 else { return size }
        let found = allocMap.findLastSet(below: base + size)
        return found >= base && found < base + size ? found - base : size
    }
}

extension PcpuChunk {
    /// The chunk half of `pcpu_alloc_area`: find, mark, hint. Returns the bit
    /// offset (or -1) and the change of `nr_empty_pop_pages`. Runs in place on
    /// the allocator's chunk storage.
    mutating func pcpuAllocAreaInChunk(allocBits: Int, alignMask: Int, start: Int) -> (bitOff: Int, emptyDelta: Int) {
        let mapBits = regionBits
        let end = min(start + allocBits + bitsPerBlock, mapBits)
        let found = pcpuFindZeroArea(size: end, start: start, nr: allocBits, alignMask: alignMask)
        let bitOff = found.index
        if bitOff >= end { return (-1, 0) }
        if found.largestBits != 0 {
            pcpuBlockUpdateScan(bitOff: found.largestOff, bits: found.largestBits)
        }
        // update alloc map and boundary map
        allocMap.set(bitOff ..< bitOff + allocBits)
        boundMap.set(bitOff)
        boundMap.clear(bitOff + 1 ..< bitOff + allocBits)
        boundMap.set(bitOff + allocBits)
        freeBytes -= allocBits * Int(PcpuConstants.minAllocSize)
        // update first free bit
        if bitOff == chunkMD.firstFree {
            chunkMD.firstFree = allocMap.findNextZero(from: bitOff + allocBits, limit: mapBits)
        }
        let emptyBefore = nrEmptyPopPages
        blockUpdateHintAlloc(bitOff: bitOff, bits: allocBits)
        return (bitOff, nrEmptyPopPages - emptyBefore)
    }
}

extension PcpuAllocator {
    /// `pcpu_alloc_area(chunk, alloc_bits, align, start)`: scan the bitmap from
    /// `start` (at most one block past the request) for a first fit, record a
    /// skipped run as a scan hint, mark the area in alloc_map and bound_map,
    /// update free_bytes, first_free and the hints, relocate the chunk.
    /// Returns the byte offset, or -1.
    mutating func pcpuAllocArea(_ id: Int, allocBits: Int, align: Int, start: Int) -> Int {
        guard storage[id].alive else { return -1 }
        let oslot = pcpuChunkSlot(id)
        let alignMask = align != 0 ? align - 1 : 0
        let (bitOff, delta) = storage[id].md.pcpuAllocAreaInChunk(allocBits: allocBits, alignMask: alignMask, start: start)
        if bitOff < 0 { return -1 }
        // pcpu_update_empty_pages(): the chunk's count moved inside the hint update.
        if delta != 0 && id != reservedChunk && !storage[id].isolated { nrEmptyPopPages += delta }
        pcpuChunkRelocate(id, oslot: oslot)
        return bitOff * Int(PcpuConstants.minAllocSize)
    }
}

extension PcpuChunk {
    /// A zero-page chunk used while the real one is being mutated out of its slot.
    static let placeholder = PcpuChunk(baseAddr: 0, pageSize: 4096, startOffset: 0, endOffset: 0, nrPages: 0, freeBytes: 0)
}
