import Testing
import PercpuChunk

/// Larger pages: PCPU_BITMAP_BLOCK_SIZE == PAGE_SIZE, so a block has
/// PAGE_SIZE / 4 bits and the first chunk often fits a single block.
/// Same static/reserved sizes as the Debian boot; dyn as pcpu_build_alloc_info
/// would make it: size_sum = PFN_ALIGN(87272 + 8192 + 28672 = 124136).
@Suite struct PageSizeTests {
    /// 16K pages (4096 bits per block), 6.8: size_sum = 8 pages = 131072,
    /// dyn = 131072 - 87272 - 8192 = 35608, unit 131072.
    ///
    /// Reserved: 87272 = 5 * 16384 + 5352 -> start 5352 (1338 bits);
    /// 5352 + 8192 = 13544 -> 1 page; end_offset 16384 - 13544 = 2840 (710 bits
    /// from 4096 - 710 = 3386).
    ///
    ///     bit  0          1338            3386       4096
    ///          |###########...............###########|
    ///
    /// Head: contig 2758@1338 (run to the block end; chunk right_free 2758).
    /// Tail (3386, 710) breaks it: refresh from first_free 1338 gives run
    /// [1338,3386) = 2048, ending before the block end -> right 0. Chunk
    /// contig 2048@1338, right_free stale 2758, left_free initial 4096.
    /// The one block was empty before the head: 1 - 1 = 0 empty pages.
    @Test func sixteenKReserved() throws {
        let config = PcpuChunkConfig(kernel: .v6_8, pageSize: 16384)
        let (fc, allocs) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192, dynSize: 35608,
                                              unitSize: 131072, config: config)
        let r = try #require(fc.reservedChunk)
        #expect(r.startOffset == 5352)
        #expect(r.endOffset == 2840)
        #expect(r.nrPages == 1)
        #expect(r.mdBlocks == [md(contig: 2048, at: 1338, left: 0, right: 0, firstFree: 1338, nrBits: 4096)])
        #expect(r.chunkMD == md(contig: 2048, at: 1338, left: 4096, right: 2758, firstFree: 1338, nrBits: 4096))
        #expect(r.nrEmptyPopPages == 0)
        #expect(r.boundMap.setBits == [0, 1338, 3386, 4096])
        // 19 * 16 = 304 list heads; reserved: 192 + 8, 8 * 64 = 512, 8 * 65 = 520, 32;
        // dynamic (3 pages, 12288 bits): 200, 8 * 192 = 1536, 8 * 193 = 1544, 96.
        #expect(sizes(allocs) == [304, 200, 512, 520, 32, 200, 1536, 1544, 96])
    }

    /// Dynamic, 16K: 95464 = 5 * 16384 + 13544 -> start 13544 (3386 bits);
    /// 13544 + 35608 = 49152 = 3 pages exactly -> no end offset.
    ///
    ///     bit  0           3386  4096            8192           12288
    ///          |############.....|...............|...............|
    ///
    /// Block 0: contig 710@3386, right 710; chunk: 710 + 2 * 4096 = 8902 @3386
    /// (= 35608 bytes), right_free 8902. Empty 3 - 1 = 2. Slot: fls(35608) = 16
    /// -> 13; unit 131072 = 2^17: fls 18 -> 15 -> sidelined 16 ... nr_slots 19.
    /// Populated: PFN_DOWN(131072) = 8 pages of 16K.
    @Test func sixteenKDynamic() throws {
        let config = PcpuChunkConfig(kernel: .v6_8, pageSize: 16384)
        let (fc, _) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192, dynSize: 35608,
                                         unitSize: 131072, config: config)
        let d = fc.dynamicChunk
        #expect(d.startOffset == 13544)
        #expect(d.endOffset == 0)
        #expect(d.nrPages == 3)
        #expect(d.bitsPerBlock == 4096)
        #expect(d.mdBlocks == [md(contig: 710, at: 3386, left: 0, right: 710, firstFree: 3386, nrBits: 4096),
                               freeBlock(4096), freeBlock(4096)])
        #expect(d.chunkMD == md(contig: 8902, at: 3386, left: 12288, right: 8902, firstFree: 3386, nrBits: 12288))
        #expect(fc.nrEmptyPopPages == 2)
        #expect(fc.dynamicChunkSlot == 13)
        #expect(fc.slots == PcpuSlots(sidelined: 16, free: 17, toDepopulate: 18, nrSlots: 19))
        #expect(fc.nrPopulated == 8)
    }

    /// 64K pages (16384 bits per block), 6.12: size_sum = PFN_ALIGN(124136) =
    /// 131072 (2 pages), dyn 35608, unit max(131072, PCPU_MIN_UNIT_SIZE 65536).
    ///
    /// Reserved: 87272 = 65536 + 21736 -> start 21736 (5434 bits); 21736 + 8192
    /// = 29928 -> 1 page; end_offset 65536 - 29928 = 35608 (8902 bits, from
    /// 16384 - 8902 = 7482). The hidden tail is larger than the served region:
    ///
    ///     bit  0              5434   7482                          16384
    ///          |###############......##############################|
    ///
    /// Head: contig 10950@5434 (chunk right_free 10950). Tail breaks it:
    /// refresh gives [5434,7482) = 2048 -> contig 2048@5434, right 0.
    ///
    /// Dynamic: 95464 = 65536 + 29928 -> start 29928 (7482 bits); 29928 + 35608
    /// = 65536 -> exactly 1 page, no end offset:
    ///
    ///     bit  0                     7482                          16384
    ///          |######################.............................|
    ///
    /// contig 16384 - 7482 = 8902 @7482 (= 35608 bytes), empty 0, slot 13.
    /// Allocations (192-byte struct): 304; then twice 200, 8 * 256 = 2048,
    /// 8 * 257 = 2056, 32. Populated PFN_DOWN(131072) = 2.
    @Test func sixtyFourK() throws {
        let config = PcpuChunkConfig(kernel: .v6_12, pageSize: 65536)
        let (fc, allocs) = try pcpuFirstChunk(baseAddr: base, staticSize: 87272, reservedSize: 8192, dynSize: 35608,
                                              unitSize: 131072, config: config)
        let r = try #require(fc.reservedChunk)
        #expect(r.startOffset == 21736)
        #expect(r.endOffset == 35608)
        #expect(r.mdBlocks == [md(contig: 2048, at: 5434, left: 0, right: 0, firstFree: 5434, nrBits: 16384)])
        #expect(r.chunkMD == md(contig: 2048, at: 5434, left: 16384, right: 10950, firstFree: 5434, nrBits: 16384))
        #expect(r.boundMap.setBits == [0, 5434, 7482, 16384])

        let d = fc.dynamicChunk
        #expect(d.startOffset == 29928)
        #expect(d.endOffset == 0)
        #expect(d.mdBlocks == [md(contig: 8902, at: 7482, left: 0, right: 8902, firstFree: 7482, nrBits: 16384)])
        #expect(d.chunkMD == md(contig: 8902, at: 7482, left: 16384, right: 8902, firstFree: 7482, nrBits: 16384))
        #expect(fc.nrEmptyPopPages == 0)
        #expect(fc.dynamicChunkSlot == 13)
        #expect(fc.nrPopulated == 2)
        #expect(sizes(allocs) == [304, 200, 2048, 2056, 32, 200, 2048, 2056, 32])
    }
}
