import Testing
import PercpuChunk

/// KERNEL-SPEC §10.A: Debian 6.1 arm64, 4K pages (1024 bits per block),
/// static 87272, reserved 8192; embed d31512 u126976, page mode d15128 u110592.
/// Memblock sizes are from the real boot's memblock=debug trace.
@Suite struct DebianGroundTruthTests {
    /// Reserved chunk: tmp_addr = base + ALIGN(87272, 4) = base + 87272.
    /// 87272 = 21 * 4096 + 1256 -> start_offset 1256 (314 bits).
    /// region = ALIGN(1256 + 8192 = 9448, 4096) = 12288 = 3 pages = 3072 bits.
    /// end_offset = 12288 - 9448 = 2840 (710 bits, from bit 3072 - 710 = 2362).
    ///
    ///     bit  0        314                  1024                 2048      2362      3072
    ///          |#########.....................|.....................|.........#########|
    ///           hidden    block 0 free 710      block 1 free 1024    314 free  hidden
    ///
    /// Head hint-alloc(0, 314): block 0 was empty (1 page), first_free -> 314,
    /// contig broken at s_off 0 -> left 0, refresh: run [314,1024) -> contig
    /// 710@314, right 710. Chunk refresh from first_free 314: 710 (block 0
    /// right_free) + 1024 + 1024 = 2758 @314, which ends at 3072 -> right_free 2758.
    /// Tail hint-alloc(2362, 710) in block 2 (s_off 314, e_off 1024): block 2
    /// was empty (1 page), contig broken, refresh from first_free 0: run
    /// [0,314) -> contig 314@0, left 314, right 0. Chunk refresh: 710 + 1024 +
    /// 314 (block 2 left_free) = 2048 @314, ending at 2362 so right_free keeps
    /// 2758 and left_free its initial 3072. Empty pages: 3 - 1 - 1 = 1.
    @Test func reservedChunk() throws {
        let (fc, _) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192, dynSize: 31512,
                                         unitSize: 126976, config: debian61)
        let r = try #require(fc.reservedChunk)
        #expect(r.baseAddr == base + 21 * 4096)
        #expect(r.startOffset == 1256)
        #expect(r.endOffset == 2840)
        #expect(r.nrPages == 3)
        #expect(r.regionBits == 3072)
        #expect(r.freeBytes == 8192)
        #expect(r.nrPopulated == 3)
        #expect(r.nrEmptyPopPages == 1)
        #expect(r.immutable)
        #expect(r.populated.setBits == [0, 1, 2])
        #expect(r.regionStart == base + 87272)
        #expect(r.regionEnd == base + 87272 + 8192)
        #expect(r.chunkMD == md(contig: 2048, at: 314, left: 3072, right: 2758, firstFree: 314, nrBits: 3072))
        #expect(r.mdBlocks == [
            md(contig: 710, at: 314, left: 0, right: 710, firstFree: 314, nrBits: 1024),
            freeBlock(1024),
            md(contig: 314, at: 0, left: 314, right: 0, firstFree: 0, nrBits: 1024),
        ])
        // alloc_map: [0,314) and [2362,3072); bound_map: 0, 314, (1256+8192)/4 = 2362, 3072.
        #expect(r.allocMap.clearRuns(from: 0, limit: 3072) == [314 ..< 2362])
        #expect(r.allocMap.popcount == 314 + 710)
        #expect(r.boundMap.setBits == [0, 314, 2362, 3072])
    }

    /// Dynamic chunk: tmp_addr = base + 87272 + 8192 = base + 95464;
    /// 95464 = 23 * 4096 + 1256 -> start_offset 1256; 1256 + 31512 = 32768 = 8
    /// pages exactly, so end_offset 0 and only the head is hidden.
    ///
    ///     bit  0        314     1024    2048   ...   7168     8192
    ///          |#########.......|.......|....   ...  |........|
    ///
    /// Block 0: contig 710@314 as above; blocks 1-7 untouched. Chunk: 710 +
    /// 7 * 1024 = 7878 bits @314 (= 31512 bytes), right_free 7878, left_free
    /// 8192 (initial). Empty pages 8 - 1 = 7. Slot: fls(7878 * 4 = 31512) = 15
    /// -> 15 - 3 = 12.
    @Test func dynamicChunk() throws {
        let (fc, _) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192, dynSize: 31512,
                                         unitSize: 126976, config: debian61)
        let d = fc.dynamicChunk
        #expect(d.baseAddr == base + 23 * 4096)
        #expect(d.startOffset == 1256)
        #expect(d.endOffset == 0)
        #expect(d.nrPages == 8)
        #expect(d.freeBytes == 31512)
        #expect(d.chunkMD == md(contig: 7878, at: 314, left: 8192, right: 7878, firstFree: 314, nrBits: 8192))
        #expect(d.mdBlocks[0] == md(contig: 710, at: 314, left: 0, right: 710, firstFree: 314, nrBits: 1024))
        #expect(d.mdBlocks[1...] .allSatisfy { $0 == freeBlock(1024) })
        #expect(d.nrEmptyPopPages == 7)
        #expect(d.boundMap.setBits == [0, 314])
        #expect(d.allocMap.clearRuns(from: 0, limit: 8192) == [314 ..< 8192])
        #expect(fc.nrEmptyPopPages == 7)
        #expect(fc.dynamicChunkSlot == 12)
        #expect(pcpuChunkSlot(d, unitSize: 126976) == 12)
        // pcpu_nr_populated = PFN_DOWN(87272 + 8192 + 31512 = 126976) = 31.
        #expect(fc.nrPopulated == 31)
        #expect(fc.staticAligned == 87272)
        #expect(fc.dynamicSize == 31512)
    }

    /// unit 126976: fls = 17 (65536 <= u < 131072) -> __pcpu_size_to_slot 14.
    @Test func slots() {
        #expect(pcpuSlots(unitSize: 126976) == PcpuSlots(sidelined: 15, free: 16, toDepopulate: 17, nrSlots: 18))
        #expect(pcpuSlots(unitSize: 126976).listHeadsBytes == 288)
        #expect(pcpuSizeToSlot(126976, unitSize: 126976) == 16)      // a whole free unit
        #expect(pcpuSizeToSlot(31512, unitSize: 126976) == 12)
        // max(fls(size) - 3, 1): 1-15 bytes share slot 1 (the kernel comment's
        // "1-31" predates the current formula), 16-31 -> 2, 32 -> fls 6 -> 3.
        #expect(pcpuSizeToSlot(15, unitSize: 126976) == 1)
        #expect(pcpuSizeToSlot(31, unitSize: 126976) == 2)
        #expect(pcpuSizeToSlot(32, unitSize: 126976) == 3)
        #expect(pcpuSizeToSlotBase(0) == 1)
    }

    /// Memblock trace of the real boot: list heads 18 * 16; per chunk
    /// struct 136 + 8 * BITS_TO_LONGS(pages), 8 * BITS_TO_LONGS(bits),
    /// 8 * BITS_TO_LONGS(bits + 1), 32 * blocks.
    /// Reserved: 3 pages, 3072 bits -> 144, 384, 392, 96.
    /// Dynamic: 8 pages, 8192 bits -> 144, 1024, 1032, 256.
    @Test func embedAllocations() throws {
        let (_, allocs) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192, dynSize: 31512,
                                             unitSize: 126976, config: debian61)
        #expect(sizes(allocs) == [288, 144, 384, 392, 96, 144, 1024, 1032, 256])
        #expect(allocs.map(\.what) == ["chunk_lists", "chunk", "alloc_map", "bound_map", "md_blocks",
                                       "chunk", "alloc_map", "bound_map", "md_blocks"])
        #expect(allocs[0].function == "pcpu_setup_first_chunk")
        #expect(allocs[1].panicMessage == "pcpu_alloc_first_chunk: Failed to allocate 144 bytes")
    }

    /// percpu_alloc=page: d15128 u110592. The reserved chunk is the same region
    /// as in embed mode. Dynamic: 1256 + 15128 = 16384 = 4 pages, no end offset:
    ///
    ///     bit  0        314     1024    2048    3072    4096
    ///          |#########.......|.......|.......|.......|
    ///
    /// contig 710 + 3 * 1024 = 3782 @314, empty 3, slot fls(15128) - 3 = 14 - 3 = 11;
    /// u110592: fls 17 -> nr_slots 18. Allocations 288; 144 384 392 96;
    /// 144, 8 * 64 = 512, 8 * 65 = 520, 4 * 32 = 128. Populated PFN_DOWN(110592) = 27.
    @Test func pageMode() throws {
        let (fc, allocs) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192, dynSize: 15128,
                                              unitSize: 110592, config: debian61)
        let d = fc.dynamicChunk
        #expect(d.nrPages == 4)
        #expect(d.endOffset == 0)
        #expect(d.chunkMD == md(contig: 3782, at: 314, left: 4096, right: 3782, firstFree: 314, nrBits: 4096))
        #expect(d.nrEmptyPopPages == 3)
        #expect(fc.dynamicChunkSlot == 11)
        #expect(fc.slots.nrSlots == 18)
        #expect(fc.nrPopulated == 27)
        #expect(fc.reservedChunk?.chunkMD.contigHint == 2048)
        #expect(sizes(allocs) == [288, 144, 384, 392, 96, 144, 512, 520, 128])
    }

    /// Same s on a Debian-like 6.8 (RANDOM_KMALLOC_CACHES off): identical
    /// bitmaps, but sizeof(struct pcpu_chunk) is 192, so chunks cost 200.
    /// Page mode there is d23320 u118784: 1256 + 23320 = 24576 = 6 pages;
    /// contig 6 * 1024 - 314 = 5830 @314, empty 5, slot fls(23320) - 3 = 12,
    /// u118784: fls 17 -> 18 slots; dynamic 200, 8 * 96 = 768, 8 * 97 = 776, 192.
    @Test func v6_8SameStaticSize() throws {
        let (embed, embedAllocs) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192,
                                                      dynSize: 31512, unitSize: 126976, config: debian68)
        #expect(sizes(embedAllocs) == [288, 200, 384, 392, 96, 200, 1024, 1032, 256])
        #expect(embed.dynamicChunk.chunkMD.contigHint == 7878)

        let (page, pageAllocs) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192,
                                                    dynSize: 23320, unitSize: 118784, config: debian68)
        #expect(page.dynamicChunk.chunkMD == md(contig: 5830, at: 314, left: 6144, right: 5830, firstFree: 314, nrBits: 6144))
        #expect(page.nrEmptyPopPages == 5)
        #expect(page.dynamicChunkSlot == 12)
        #expect(page.nrPopulated == 29)
        #expect(sizes(pageAllocs) == [288, 200, 384, 392, 96, 200, 768, 776, 192])
    }

    /// 6.8 with RANDOM_KMALLOC_CACHES: d117528 u212992 (52 pages).
    /// 1256 + 117528 = 118784 = 29 pages; contig 29 * 1024 - 314 = 29382 @314,
    /// empty 28, slot fls(117528) = 17 -> 14; u212992: fls 18 -> 15 -> 19 slots
    /// (304 bytes). Dynamic: 200, 8 * 464 = 3712, 8 * 465 = 3720, 29 * 32 = 928.
    @Test func v6_8RandomKmallocCaches() throws {
        let (fc, allocs) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192,
                                              dynSize: 117528, unitSize: 212992, config: debian68)
        #expect(fc.dynamicChunk.chunkMD.contigHint == 29382)
        #expect(fc.dynamicChunk.chunkMD.contigHintStart == 314)
        #expect(fc.nrEmptyPopPages == 28)
        #expect(fc.dynamicChunkSlot == 14)
        #expect(fc.slots == PcpuSlots(sidelined: 16, free: 17, toDepopulate: 18, nrSlots: 19))
        #expect(fc.nrPopulated == 52)
        #expect(sizes(allocs) == [304, 200, 384, 392, 96, 200, 3712, 3720, 928])
    }
}
