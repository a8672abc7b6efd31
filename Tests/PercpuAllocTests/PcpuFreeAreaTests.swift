import Testing
@testable import PercpuAlloc

@Suite struct PcpuFreeAreaTests {
    /// pcpu_block_update_hint_free hands chunk_md the chunk offset of the start
    /// but the block offset of the end: a small free in block 1 cannot raise the
    /// chunk's contig hint. Worked by hand on the 5-page first chunk (1024 bits a block):
    /// fill it with 5 × 4096-byte areas, free the 8 bytes... rather: allocate the
    /// whole first chunk in 1 KiB pieces, then free the piece at 0x1400 (bits
    /// 1280-1536, block 1 offsets 256-512). The block sees a 256-bit hole, the chunk
    /// update gets start 1280, end 512: contig -768, so the chunk hint stays 0.
    @Test func aFreeOutsideBlockZeroDoesNotRaiseTheChunkHint() throws {
        var a = try TestAllocator.make()
        var pointers: [UInt64] = []
        for _ in 0 ..< 20 { pointers.append(a.pcpuAlloc(size: 1024, align: 4, reserved: false, gfp: GFP.kernel).ptr!) }
        #expect(pointers.last == TestAllocator.perCpuStart + 0x3000 + 19 * 1024)
        let first = a.firstChunk
        #expect(a.chunks[first]!.md.chunkMD.contigHint == 0)
        try a.freePercpu(pointers[5])                          // offset 0x1400 of the chunk
        let md = a.chunks[first]!.md
        #expect(md.freeBytes == 1024)
        #expect(md.mdBlocks[1].contigHint == 256 && md.mdBlocks[1].contigHintStart == 256)
        #expect(md.chunkMD.contigHint == 0)                    // the kernel's block-relative end
        #expect(md.chunkMD.firstFree == 1280)
        // So the chunk stays on slot 0 and a 1 KiB request creates a new chunk instead.
        #expect(a.chunksOnSlot(0) == [first])
        let next = a.pcpuAlloc(size: 1024, align: 4, reserved: false, gfp: GFP.kernel).ptr!
        #expect(next == 0xffff_8000_1fff_0000 &- TestAllocator.base &+ TestAllocator.perCpuStart)
    }

    /// A free in block 0 does update the chunk hint (end is its own chunk offset there).
    @Test func aFreeInBlockZeroRaisesTheChunkHint() throws {
        var a = try TestAllocator.make()
        var pointers: [UInt64] = []
        for _ in 0 ..< 20 { pointers.append(a.pcpuAlloc(size: 1024, align: 4, reserved: false, gfp: GFP.kernel).ptr!) }
        try a.freePercpu(pointers[1])                          // bits 256-512 of block 0
        let md = a.chunks[a.firstChunk]!.md
        #expect(md.chunkMD.contigHint == 256 && md.chunkMD.contigHintStart == 256)
        #expect(a.pcpuAlloc(size: 1024, align: 4, reserved: false, gfp: GFP.kernel).ptr == pointers[1])
    }

    @Test func freeingAnAddressThatIsNotAnAreaIsAnError() throws {
        var a = try TestAllocator.make()
        let p = a.pcpuAlloc(size: 64, align: 8, reserved: false, gfp: GFP.kernel).ptr!
        #expect(throws: PcpuAllocError.self) { try a.freePercpu(p + 8) }
        #expect(throws: PcpuAllocError.self) { try a.freePercpu(0x1234) }
        try a.freePercpu(p)
        #expect(throws: PcpuAllocError.self) { try a.freePercpu(p) }
    }
}
