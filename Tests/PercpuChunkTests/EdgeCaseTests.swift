import Testing
import PercpuChunk

/// First chunks without a hidden head, with only a hidden tail, and with a
/// served region that straddles a block boundary.
@Suite struct EdgeCaseTests {
    /// UP setup_per_cpu_areas (4K, S = 10): static 0, reserved 0, dyn = unit =
    /// 32768. tmp_addr = base: no start offset, 8 whole pages, no end offset,
    /// so no hint-alloc runs and not even bound bits are set.
    ///
    ///     bit  0       1024    2048   ...   7168    8192
    ///          |.......|.......|....  ...  .|.......|
    ///
    /// Chunk contig 8192@0, left/right 8192; 8 empty pages. 32768 * 1 bytes
    /// = unit size, so pcpu_size_to_slot gives the free slot: unit 2^15 ->
    /// fls 16 -> 13 -> sidelined 14, free 15. Allocations: 17 * 16 = 272, 144,
    /// 8 * 128 = 1024, 8 * 129 = 1032, 8 * 32 = 256.
    @Test func noStartOffset() throws {
        let (fc, allocs) = try pcpuFirstChunk(baseAddr: 0x4000_0000, staticSize: 0, reservedSize: 0, dynSize: 32768,
                                              unitSize: 32768, config: debian61)
        #expect(fc.reservedChunk == nil)
        let d = fc.dynamicChunk
        #expect(d.baseAddr == 0x4000_0000)
        #expect(d.startOffset == 0)
        #expect(d.endOffset == 0)
        #expect(d.chunkMD == freeBlock(8192))
        #expect(d.mdBlocks == Array(repeating: freeBlock(1024), count: 8))
        #expect(d.allocMap.popcount == 0)
        #expect(d.boundMap.popcount == 0)
        #expect(fc.nrEmptyPopPages == 8)
        #expect(fc.slots == PcpuSlots(sidelined: 14, free: 15, toDepopulate: 16, nrSlots: 17))
        #expect(fc.dynamicChunkSlot == 15)
        #expect(fc.nrPopulated == 8)
        #expect(sizes(allocs) == [272, 144, 1024, 1032, 256])
    }

    /// Page-aligned tmp_addr, map 5000: region ALIGN(5000, 4096) = 8192 (2
    /// pages), end_offset 3192 (798 bits from 2048 - 798 = 1250).
    ///
    ///     bit  0                1024      1250          2048
    ///          |.................|.........##############|
    ///
    /// Tail hint-alloc(1250, 798) is in block 1 (s_off 226, e_off 1024): block
    /// 1 was empty, its contig breaks, refresh from first_free 0: [0,226) ->
    /// contig 226@0, left 226, right 0. Chunk refresh from first_free 0:
    /// block 0's contig 1024@0 reaches the block end, so the run starts at its
    /// right_free (1024) and adds block 1's left_free 226 -> 1250@0 (= 5000 B);
    /// it starts at 0 -> chunk left_free 1250; right_free stays 2048.
    @Test func endOffsetOnly() throws {
        let (c, allocs) = try pcpuAllocFirstChunk(tmpAddr: 0x10000, mapSize: 5000, config: debian61)
        #expect(c.startOffset == 0)
        #expect(c.endOffset == 3192)
        #expect(c.mdBlocks == [freeBlock(1024), md(contig: 226, at: 0, left: 226, right: 0, firstFree: 0, nrBits: 1024)])
        #expect(c.chunkMD == md(contig: 1250, at: 0, left: 1250, right: 2048, firstFree: 0, nrBits: 2048))
        #expect(c.nrEmptyPopPages == 1)
        #expect(c.boundMap.setBits == [1250, 2048])
        #expect(sizes(allocs) == [144, 256, 264, 64])
    }

    /// tmp_addr = page + 4092, map 8: the served 8 bytes straddle the block
    /// boundary. region ALIGN(4100) = 8192; start 4092 (1023 bits), end_offset
    /// 8192 - 4100 = 4092 (1023 bits from 1025). end_offset is always below
    /// PAGE_SIZE, so the hidden tail itself never spans blocks; here the free
    /// run does.
    ///
    ///     bit  0                           1023 1025                       2048
    ///          |############################.|.############################|
    ///
    /// Head (0, 1023): block 0 -> contig 1@1023, right 1; chunk 1 + 1024 =
    /// 1025@1023. Tail (1025, 1023) in block 1 (s_off 1, e_off 1024): block 1
    /// refresh -> contig 1@0, left 1. Chunk refresh: block 0 contig reaches the
    /// block end -> right_free run 1 + block 1 left_free 1 = 2@1023, right_free
    /// stale 1025. Both blocks were empty: 2 - 2 = 0 empty pages.
    /// Slot: 8 bytes free, contig 2 bits = 8 bytes -> fls(8) - 3 = 1.
    @Test func regionStraddlesBlockBoundary() throws {
        let (c, _) = try pcpuAllocFirstChunk(tmpAddr: 0x10000 + 4092, mapSize: 8, config: debian61)
        #expect(c.startOffset == 4092)
        #expect(c.endOffset == 4092)
        #expect(c.mdBlocks == [md(contig: 1, at: 1023, left: 0, right: 1, firstFree: 1023, nrBits: 1024),
                               md(contig: 1, at: 0, left: 1, right: 0, firstFree: 0, nrBits: 1024)])
        #expect(c.chunkMD == md(contig: 2, at: 1023, left: 2048, right: 1025, firstFree: 1023, nrBits: 2048))
        #expect(c.nrEmptyPopPages == 0)
        #expect(c.boundMap.setBits == [0, 1023, 1025, 2048])
        #expect(c.allocMap.clearRuns(from: 0, limit: 2048) == [1023 ..< 1025])
        #expect(pcpuChunkSlot(c, unitSize: 32768) == 1)
    }

    /// ALIGN(static, 4): static 87273 -> 87276, dyn' = dyn - 3.
    @Test func unalignedStaticSize() throws {
        let (fc, _) = try pcpuFirstChunk(baseAddr: base, staticSize: 87273, reservedSize: 8192, dynSize: 31511,
                                         unitSize: 126976, config: debian61)
        #expect(fc.staticAligned == 87276)
        #expect(fc.dynamicSize == 31508)
        #expect(fc.reservedChunk?.startOffset == 87276 - 21 * 4096)
        #expect(fc.dynamicChunk.freeBytes == 31508)
    }

    @Test func invalidInputsAreTypedErrors() {
        #expect(throws: PcpuChunkError.invalidPageSize(3000)) {
            try pcpuAllocFirstChunk(tmpAddr: 0, mapSize: 4096, config: PcpuChunkConfig(kernel: .v6_8, pageSize: 3000))
        }
        #expect(throws: PcpuChunkError.invalidPageSize(2048)) {
            try pcpuAllocFirstChunk(tmpAddr: 0, mapSize: 4096, config: PcpuChunkConfig(kernel: .v6_8, pageSize: 2048))
        }
        #expect(throws: PcpuChunkError.invalidMapSize(0)) {
            try pcpuAllocFirstChunk(tmpAddr: 0x1000, mapSize: 0, config: debian61)
        }
        #expect(throws: PcpuChunkError.invalidMapSize(-4)) {
            try pcpuAllocFirstChunk(tmpAddr: 0x1000, mapSize: -4, config: debian61)
        }
        #expect(throws: PcpuChunkError.unalignedRegion(tmpAddr: 0x1002, mapSize: 4096)) {
            try pcpuAllocFirstChunk(tmpAddr: 0x1002, mapSize: 4096, config: debian61)
        }
        #expect(throws: PcpuChunkError.unalignedRegion(tmpAddr: 0x1000, mapSize: 4098)) {
            try pcpuAllocFirstChunk(tmpAddr: 0x1000, mapSize: 4098, config: debian61)
        }
    }

    /// INT_MAX - 3 = 2147483644 is 4-aligned, but its page-aligned region
    /// 2^31 no longer fits the kernel's int region_size.
    @Test func regionTooLargeForInt() {
        #expect(throws: PcpuChunkError.regionTooLarge(what: "first chunk region_size", value: 1 << 31)) {
            try pcpuAllocFirstChunk(tmpAddr: 0, mapSize: Int(Int32.max) - 3, config: debian61)
        }
        #expect(throws: PcpuChunkError.regionTooLarge(what: "pcpu_unit_size", value: 1 << 32)) {
            try pcpuFirstChunk(baseAddr: 0, staticSize: 4, reservedSize: 0, dynSize: 4096, unitSize: 1 << 32,
                               config: debian61)
        }
        #expect(throws: PcpuChunkError.regionTooLarge(what: "reserved_size", value: 1 << 40)) {
            try pcpuFirstChunk(baseAddr: 0, staticSize: 4, reservedSize: 1 << 40, dynSize: 4096, unitSize: 1 << 20,
                               config: debian61)
        }
    }

    @Test func addressOverflowIsTypedError() {
        let top = UInt64.max - 4095                     // page and 4-aligned
        #expect(throws: PcpuChunkError.overflow(.init("first chunk region end"))) {
            try pcpuAllocFirstChunk(tmpAddr: top, mapSize: 8192, config: debian61)
        }
        #expect(throws: PcpuChunkError.overflow(.init("base_addr + static_size"))) {
            try pcpuFirstChunk(baseAddr: top, staticSize: 87272, reservedSize: 8192, dynSize: 31512,
                               unitSize: 126976, config: debian61)
        }
        // dyn 2 cannot absorb the 3 bytes of static alignment.
        #expect(throws: PcpuChunkError.overflow(.init("dyn_size - (static_al - static_size)"))) {
            try pcpuFirstChunk(baseAddr: base, staticSize: 87273, reservedSize: 0, dynSize: 2,
                               unitSize: 126976, config: debian61)
        }
        #expect(throws: PcpuChunkError.overflow(.init("size_sum"))) {
            try pcpuFirstChunk(baseAddr: 0, staticSize: 4, reservedSize: 8, dynSize: UInt64.max - 4,
                               unitSize: 126976, config: debian61)
        }
    }
}
