/// The bitmap-allocator hint algorithms of mm/percpu.c that run while the
/// first chunk is built: block refresh, chunk refresh with its metadata free
/// region iterator, and the allocation-path hint update.
///
/// All four are unchanged from 6.1 to 6.12 (the only textual difference is
/// 6.1's `bitmap_for_each_clear_region` vs 6.8's `for_each_clear_bitrange_from`,
/// which visit the same runs). Offsets are in bits; a "block" is one page.
extension PcpuChunk {
    /// `pcpu_block_refresh_hint(chunk, index)` (v6.8).
    ///
    /// Rebuilds one block's hints from its slice of alloc_map after an
    /// allocation broke its contig hint. A known scan hint is promoted to contig
    /// hint and scanning starts after it; otherwise scanning starts at
    /// first_free with no contig hint. right_free is reset (and re-set by the
    /// last run if it touches the block end); left_free is left alone.
    public mutating func blockRefreshHint(_ index: Int) {
        let bpb = bitsPerBlock
        let base = index * bpb
        var block = mdBlocks[index]
        let start: Int
        if block.scanHint != 0 {
            start = block.scanHintStart + block.scanHint
            block.contigHintStart = block.scanHintStart
            block.contigHint = block.scanHint
            block.scanHint = 0
        } else {
            start = block.firstFree
            block.contigHint = 0
        }
        block.rightFree = 0
        allocMap.forEachClearRun(from: base + start, limit: base + bpb) { s, e in
            block.update(start: s - base, end: e - base)
        }
        mdBlocks[index] = block
    }

    /// `pcpu_next_md_free_region(chunk, &bit_off, &bits)` (v6.8).
    ///
    /// From chunk offset `bitOff`, finds the next free area the block metadata
    /// knows of: a block's contig hint that starts at or after the in-block
    /// offset and does not reach the block end, or else a run that starts with
    /// a block's right_free and continues through following blocks' left_free
    /// (through whole free blocks). When no block returns early, the last
    /// block's right_free run is returned (offset = region end when it is 0).
    public func nextMDFreeRegion(from bitOff: Int) -> (bitOff: Int, bits: Int) {
        let bpb = bitsPerBlock
        guard bitOff >= 0 else { return (regionBits, 0) }   // unreachable: offsets are never negative
        var i = bitOff / bpb
        var blockOff = bitOff % bpb
        var off = bitOff
        var bits = 0
        while i < nrBlocks {
            let block = mdBlocks[i]
            // A contig area open from the previous block continues here.
            if bits != 0 {
                bits += block.leftFree
                if block.leftFree == bpb {
                    i += 1
                    continue
                }
                return (off, bits)
            }
            // A contig hint not checked before (start >= block_off) that does
            // not spill into the next block (that case is the right_free path).
            bits = block.contigHint
            if bits != 0 && block.contigHintStart >= blockOff && bits + block.contigHintStart < bpb {
                return (i * bpb + block.contigHintStart, bits)
            }
            blockOff = 0
            bits = block.rightFree
            off = (i + 1) * bpb - block.rightFree
            i += 1
        }
        return (off, bits)
    }

    /// `pcpu_chunk_refresh_hint(chunk, full_scan)` (v6.8).
    ///
    /// Recomputes the chunk-level contig hint from the block metadata, via
    /// `pcpu_for_each_md_free_region`. Without `fullScan`, a chunk scan hint
    /// is promoted and the walk starts after it; otherwise (or without one) the
    /// walk starts at chunk first_free with no contig hint. left/right_free of
    /// the chunk are not reset, so they can stay stale (the reserved chunk's
    /// left_free 3072 and right_free 2758 in the Debian 6.1 boot).
    public mutating func chunkRefreshHint(fullScan: Bool) {
        var bitOff: Int
        if !fullScan && chunkMD.scanHint != 0 {
            bitOff = chunkMD.scanHintStart + chunkMD.scanHint
            chunkMD.contigHintStart = chunkMD.scanHintStart
            chunkMD.contigHint = chunkMD.scanHint
            chunkMD.scanHint = 0
        } else {
            bitOff = chunkMD.firstFree
            chunkMD.contigHint = 0
        }
        var region = nextMDFreeRegion(from: bitOff)
        // Each step moves to a later block or later within the block, so the
        // walk ends within regionBits steps; the bound only guards bad state.
        var steps = 0
        while region.bitOff < regionBits && steps <= regionBits {
            chunkMD.update(start: region.bitOff, end: region.bitOff + region.bits)
            region = nextMDFreeRegion(from: region.bitOff + region.bits + 1)
            steps += 1
        }
    }

    /// `pcpu_block_update_hint_alloc(chunk, bit_off, bits)` (v6.8).
    ///
    /// Updates block and chunk hints after `[bitOff, bitOff+bits)` was set in
    /// alloc_map. The start block's first_free moves past the area when the
    /// area starts there; a broken contig hint forces a block refresh, else
    /// left/right_free are clipped. When the area spans blocks, the end block
    /// gets first_free after the area, left_free 0 and a refresh if its contig
    /// hint is broken; blocks strictly inside (and an end block filled up to its
    /// end) become full (hints 0). Every block that was entirely free costs one
    /// empty populated page. Finally the chunk scan hint is dropped if hit and
    /// the chunk contig hint refreshed (not full scan) if broken.
    /// (The kernel also updates the global `pcpu_nr_empty_pop_pages` here;
    /// `pcpu_setup_first_chunk` overwrites that with the dynamic chunk's count.)
    public mutating func blockUpdateHintAlloc(bitOff: Int, bits: Int) {
        let bpb = bitsPerBlock
        var nrEmptyPages = 0

        // Per-block offsets; e_off is exclusive, e_index the last block touched.
        let sIndex = bitOff / bpb
        let eIndex = (bitOff + bits - 1) / bpb
        let sOff = bitOff % bpb
        let eOff = (bitOff + bits - 1) % bpb + 1

        // Update the start block.
        if mdBlocks[sIndex].contigHint == bpb { nrEmptyPages += 1 }
        if sOff == mdBlocks[sIndex].firstFree {
            mdBlocks[sIndex].firstFree = nextZeroInBlock(sIndex, from: sOff + bits)
        }
        var s = mdBlocks[sIndex]
        if regionOverlap(s.scanHintStart, s.scanHintStart + s.scanHint, sOff, sOff + bits) {
            mdBlocks[sIndex].scanHint = 0
        }
        s = mdBlocks[sIndex]
        if regionOverlap(s.contigHintStart, s.contigHintStart + s.contigHint, sOff, sOff + bits) {
            // Block contig hint is broken: scan to fix it.
            if sOff == 0 { mdBlocks[sIndex].leftFree = 0 }
            blockRefreshHint(sIndex)
        } else {
            // Update left and right contig manually.
            mdBlocks[sIndex].leftFree = min(s.leftFree, sOff)
            mdBlocks[sIndex].rightFree = sIndex == eIndex ? min(s.rightFree, bpb - eOff) : 0
        }

        // Update the end block and the ones in between.
        if sIndex != eIndex {
            if mdBlocks[eIndex].contigHint == bpb { nrEmptyPages += 1 }
            // The area ends in the left part of the end block.
            mdBlocks[eIndex].firstFree = nextZeroInBlock(eIndex, from: eOff)
            var fullUpTo = eIndex                      // exclusive end of blocks made full
            if eOff == bpb {
                fullUpTo = eIndex + 1                  // the end block is full too: reset it below
            } else {
                if eOff > mdBlocks[eIndex].scanHintStart { mdBlocks[eIndex].scanHint = 0 }
                mdBlocks[eIndex].leftFree = 0
                if eOff > mdBlocks[eIndex].contigHintStart {
                    // Contig hint is broken: scan to fix it.
                    blockRefreshHint(eIndex)
                } else {
                    mdBlocks[eIndex].rightFree = min(mdBlocks[eIndex].rightFree, bpb - eOff)
                }
            }
            nrEmptyPages += eIndex - sIndex - 1
            for i in (sIndex + 1) ..< fullUpTo {
                mdBlocks[i].scanHint = 0
                mdBlocks[i].contigHint = 0
                mdBlocks[i].leftFree = 0
                mdBlocks[i].rightFree = 0
            }
        }

        // pcpu_update_empty_pages(chunk, -nr_empty_pages)
        nrEmptyPopPages -= nrEmptyPages

        if regionOverlap(chunkMD.scanHintStart, chunkMD.scanHintStart + chunkMD.scanHint, bitOff, bitOff + bits) {
            chunkMD.scanHint = 0
        }
        // Only a broken chunk contig hint needs a chunk scan.
        if regionOverlap(chunkMD.contigHintStart, chunkMD.contigHintStart + chunkMD.contigHint, bitOff, bitOff + bits) {
            chunkRefreshHint(fullScan: false)
        }
    }

    /// `find_next_zero_bit(pcpu_index_alloc_map(chunk, index), PCPU_BITMAP_BLOCK_BITS, from)`:
    /// block-relative, `bitsPerBlock` when the rest of the block is allocated.
    public func nextZeroInBlock(_ index: Int, from: Int) -> Int {
        let bpb = bitsPerBlock
        guard from < bpb else { return bpb }
        let base = index * bpb
        return allocMap.findNextZero(from: base + from, limit: base + bpb) - base
    }
}
