/// Finding where an allocation can go in a chunk, from the block metadata
/// alone: `pcpu_check_block_hint`, `pcpu_next_hint`, `pcpu_next_fit_region`
/// (`pcpu_for_each_fit_region`), `pcpu_is_populated`, `pcpu_find_block_fit`
/// (mm/percpu.c v6.8; unchanged since the 5.2 scan-hint series, so identical
/// in 6.1 and 6.12). Offsets and sizes are in bits (4 bytes each).
import PercpuChunk

/// `ALIGN(x, a)` for a power-of-two `a`.
@inline(__always) func alignUp(_ x: Int, _ a: Int) -> Int { (x + a - 1) & ~(a - 1) }

/// `pcpu_check_block_hint(block, bits, align)`: does an aligned area of `bits`
/// fit in the contig hint? (Used for blocks and for the chunk's `chunk_md`.)
@inline(__always)
func pcpuCheckBlockHint(_ block: PcpuBlockMD, bits: Int, align: Int) -> Bool {
    let bitOff = alignUp(block.contigHintStart, align) - block.contigHintStart
    return bitOff + bits <= block.contigHint
}

/// `pcpu_next_hint(block, alloc_bits)`: scan from after the scan hint when it
/// lies before the contig hint and is too small, else from first_free.
@inline(__always)
func pcpuNextHint(_ block: PcpuBlockMD, allocBits: Int) -> Int {
    if block.scanHint != 0 && block.contigHintStart > block.scanHintStart && allocBits > block.scanHint {
        return block.scanHintStart + block.scanHint
    }
    return block.firstFree
}

extension PcpuChunk {
    /// `pcpu_next_fit_region(chunk, alloc_bits, align, &bit_off, &bits)`:
    /// from `bitOff`, the next offset where the metadata promises a fit: a
    /// block whose contig hint (not checked before) holds the aligned request
    /// — returning its scan start (`pcpu_next_hint`) —, or a run from a
    /// block's right_free through the following blocks' left_free. Returns
    /// the region end (`pcpu_chunk_map_bits`) when nothing fits.
    func pcpuNextFitRegion(allocBits: Int, align: Int, bitOff: Int) -> (bitOff: Int, bits: Int) {
        let bpb = bitsPerBlock
        var i = bitOff / bpb
        var blockOff = bitOff & (bpb - 1)
        var bits = 0
        var off = bitOff
        let nrBlocks = mdBlocks.count
        while i < nrBlocks {
            let block = mdBlocks[i]
            // handles contig area across blocks
            if bits != 0 {
                bits += block.leftFree
                if bits >= allocBits { return (off, bits) }
                if block.leftFree == bpb {
                    i += 1
                    continue
                }
            }
            // check block->contig_hint
            bits = alignUp(block.contigHintStart, align) - block.contigHintStart
            if block.contigHint != 0 && block.contigHintStart >= blockOff && block.contigHint >= bits + allocBits {
                let start = pcpuNextHint(block, allocBits: allocBits)
                bits += allocBits + block.contigHintStart - start
                return (i * bpb + start, bits)
            }
            // reset to satisfy the second predicate above
            blockOff = 0
            let o = alignUp(bpb - block.rightFree, align)
            bits = bpb - o
            off = i * bpb + o
            if bits >= allocBits { return (off, bits) }
            i += 1
        }
        // no valid offsets were found - fail condition
        return (regionBits, bits)
    }

    /// `pcpu_is_populated(chunk, bit_off, bits, &next_off)`: are the pages
    /// under `[bitOff, bitOff+bits)` populated? If not, where to continue: the
    /// bit after the first unpopulated run.
    func pcpuIsPopulated(bitOff: Int, bits: Int) -> (populated: Bool, nextOff: Int) {
        let page = Int(pageSize)
        let minAlloc = Int(PcpuConstants.minAllocSize)
        let start = bitOff * minAlloc / page
        let end = ((bitOff + bits) * minAlloc + page - 1) / page
        let firstHole = populated.findNextZero(from: start, limit: end)
        if firstHole >= end { return (true, 0) }
        let holeEnd = populated.findNextSet(from: firstHole + 1, limit: end)
        return (false, holeEnd * page / minAlloc)
    }

    /// `pcpu_find_block_fit(chunk, alloc_bits, align, pop_only)`: the offset at
    /// which `pcpu_alloc_area` should start scanning, or -1. Gives up at once
    /// when the chunk's contig hint cannot hold the request (memory pressure:
    /// a new chunk will come soon); `popOnly` (atomic) skips unpopulated pages.
    public func pcpuFindBlockFit(allocBits: Int, align: Int, popOnly: Bool) -> Int {
        if !pcpuCheckBlockHint(chunkMD, bits: allocBits, align: align) { return -1 }
        var bitOff = pcpuNextHint(chunkMD, allocBits: allocBits)
        let mapBits = regionBits
        var region = pcpuNextFitRegion(allocBits: allocBits, align: align, bitOff: bitOff)
        bitOff = region.bitOff
        var steps = 0
        while bitOff < mapBits {
            if !popOnly { break }
            let check = pcpuIsPopulated(bitOff: bitOff, bits: region.bits)
            if check.populated { break }
            // Each retry starts past an unpopulated run, so the walk ends; the
            // bound only guards inconsistent metadata.
            steps += 1
            if steps > mapBits { return -1 }
            region = pcpuNextFitRegion(allocBits: allocBits, align: align, bitOff: check.nextOff)
            bitOff = region.bitOff
        }
        if bitOff == mapBits { return -1 }
        return bitOff
    }
}
