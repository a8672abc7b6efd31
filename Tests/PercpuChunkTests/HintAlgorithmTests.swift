import Testing
import PercpuChunk

/// The hint algorithms on their own: pcpu_block_update's tie-breaking and
/// pcpu_block_update_hint_alloc's multi-block path, driven through
/// `allocateArea` (pcpu_alloc_area's bookkeeping) on a 4-page, 4K chunk.
@Suite struct HintAlgorithmTests {
    /// A fresh 4-block chunk (page-aligned tmp_addr, 16384 bytes): nothing hidden.
    func freshChunk() throws -> PcpuChunk {
        try pcpuAllocFirstChunk(tmpAddr: 0x20000, mapSize: 16384, config: debian61).chunk
    }

    /// Runs fed to a 64-bit block whose hints were reset as by a refresh
    /// (contig 0, first_free past the end):
    ///   [3,10)  7 > 0            -> contig 7@3
    ///   [16,23) 7 == 7, __ffs(16) = 4 > __ffs(3) = 0 -> better aligned: contig 7@16
    ///   [40,47) 7 == 7, __ffs(40) = 3 < 4, 40 > scan start 0 -> scan 7@40
    ///   [50,64) 14 > 7, 50 > 16 but old contig 7 is not > scan 7 and 50 is
    ///           not < 40 -> scan stays 7@40; contig 14@50; ends at 64 -> right 14
    ///   [0,2)   2 < 14, not better than scan -> only left_free 2, first_free 0
    ///   [0,20) (fresh copy) 20 > 14 with start 0 not after contig -> scan_hint 0
    ///           (scan_hint_start is left at 40: the kernel only zeroes the size)
    @Test func blockUpdateTieBreaking() {
        var b = md(contig: 0, at: 0, left: 0, right: 0, firstFree: 64, nrBits: 64)
        b.update(start: 3, end: 10)
        #expect(b == md(contig: 7, at: 3, left: 0, right: 0, firstFree: 3, nrBits: 64))
        b.update(start: 16, end: 23)
        #expect(b == md(contig: 7, at: 16, left: 0, right: 0, firstFree: 3, nrBits: 64))
        b.update(start: 40, end: 47)
        #expect(b == md(contig: 7, at: 16, left: 0, right: 0, firstFree: 3, nrBits: 64, scan: 7, scanAt: 40))
        b.update(start: 50, end: 64)
        #expect(b == md(contig: 14, at: 50, left: 0, right: 14, firstFree: 3, nrBits: 64, scan: 7, scanAt: 40))
        var bigger = b
        b.update(start: 0, end: 2)
        #expect(b == md(contig: 14, at: 50, left: 2, right: 14, firstFree: 0, nrBits: 64, scan: 7, scanAt: 40))
        bigger.update(start: 0, end: 20)
        #expect(bigger == md(contig: 20, at: 0, left: 20, right: 14, firstFree: 0, nrBits: 64, scan: 0, scanAt: 40))
    }

    /// allocateArea(1000, 2024): bits [1000, 3024), blocks 0..2, e_off 976.
    ///
    ///     bit  0        1000 1024         2048      3024 3072         4096
    ///          |..........###|#############|##########....|............|
    ///
    /// Block 0 (empty): contig broken, refresh from first_free 0 -> [0,1000):
    /// contig 1000@0, left 1000, right 0. Block 2 (empty): first_free 976,
    /// left 0, refresh from 976 -> contig 48@976, right 48. Block 1 zeroed.
    /// Empty pages: blocks 0, 2 and 1 -> 4 - 3 = 1.
    /// Chunk refresh: block 0's 1000@0 fits in its block -> contig 1000@0,
    /// left 1000; then block 2's right_free 48 from 3024 + block 3's 1024 ->
    /// 1072@3024 > 1000, after it -> the old contig becomes scan 1000@0; the run
    /// ends the chunk -> right 1072. free_bytes 16384 - 8096 = 8288.
    @Test func allocationAcrossThreeBlocks() throws {
        var c = try freshChunk()
        #expect(try c.allocateArea(bitOff: 1000, bits: 2024) == 4000)
        #expect(c.mdBlocks == [
            md(contig: 1000, at: 0, left: 1000, right: 0, firstFree: 0, nrBits: 1024),
            md(contig: 0, at: 0, left: 0, right: 0, firstFree: 0, nrBits: 1024),
            md(contig: 48, at: 976, left: 0, right: 48, firstFree: 976, nrBits: 1024),
            freeBlock(1024),
        ])
        #expect(c.chunkMD == md(contig: 1072, at: 3024, left: 1000, right: 1072, firstFree: 0, nrBits: 4096,
                                scan: 1000, scanAt: 0))
        #expect(c.nrEmptyPopPages == 1)
        #expect(c.freeBytes == 8288)
        #expect(c.boundMap.setBits == [1000, 3024])
        #expect(pcpuChunkSlot(c, unitSize: 16384) == 10)      // 1072 * 4 = 4288: fls 13 - 3
    }

    /// allocateArea(1000, 2072) ends exactly at bit 3072: e_off == 1024, so the
    /// end block is reset with the middle ones (first_free 1024, hints 0).
    ///
    ///     bit  0        1000 1024         2048          3072         4096
    ///          |..........###|#############|#############|............|
    ///
    /// Empty: blocks 0, 2 and the 1 in between -> 1 left. Chunk: 1000@0 from
    /// block 0, then the run from block 2's right_free 0 (offset 3072) through
    /// block 3 = 1024@3072 > 1000 -> scan 1000@0, contig 1024@3072.
    /// Then allocateArea(0, 10) hits the chunk scan hint (dropped) but not the
    /// contig hint (no refresh); chunk first_free moves to 10; block 0 refresh
    /// from first_free 10 -> contig 990@10, left 0.
    @Test func allocationEndingOnBlockBoundaryThenScanHintHit() throws {
        var c = try freshChunk()
        try c.allocateArea(bitOff: 1000, bits: 2072)
        #expect(c.mdBlocks[1] == md(contig: 0, at: 0, left: 0, right: 0, firstFree: 0, nrBits: 1024))
        #expect(c.mdBlocks[2] == md(contig: 0, at: 0, left: 0, right: 0, firstFree: 1024, nrBits: 1024))
        #expect(c.chunkMD == md(contig: 1024, at: 3072, left: 1000, right: 1024, firstFree: 0, nrBits: 4096,
                                scan: 1000, scanAt: 0))
        #expect(c.nrEmptyPopPages == 1)

        try c.allocateArea(bitOff: 0, bits: 10)
        #expect(c.mdBlocks[0] == md(contig: 990, at: 10, left: 0, right: 0, firstFree: 10, nrBits: 1024))
        #expect(c.chunkMD == md(contig: 1024, at: 3072, left: 1000, right: 1024, firstFree: 10, nrBits: 4096))
        #expect(c.nrEmptyPopPages == 1)
    }

    @Test func allocateAreaRejectsBadRanges() throws {
        var c = try freshChunk()
        #expect(throws: PcpuChunkError.areaOutOfRange(bitOff: 0, bits: 0, regionBits: 4096)) {
            try c.allocateArea(bitOff: 0, bits: 0)
        }
        #expect(throws: PcpuChunkError.areaOutOfRange(bitOff: -1, bits: 4, regionBits: 4096)) {
            try c.allocateArea(bitOff: -1, bits: 4)
        }
        #expect(throws: PcpuChunkError.areaOutOfRange(bitOff: 4000, bits: 97, regionBits: 4096)) {
            try c.allocateArea(bitOff: 4000, bits: 97)
        }
        #expect(throws: PcpuChunkError.areaOutOfRange(bitOff: Int.max, bits: Int.max, regionBits: 4096)) {
            try c.allocateArea(bitOff: Int.max, bits: Int.max)
        }
    }
}
