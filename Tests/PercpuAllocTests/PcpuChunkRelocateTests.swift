import Testing
@testable import PercpuAlloc

@Suite struct PcpuChunkRelocateTests {
    /// list_move puts a chunk at the front, list_move_tail at the back; iteration
    /// follows the links.
    @Test func listsKeepTheKernelsOrder() {
        var lists = ChunkLists(nrSlots: 3)
        lists.ensureCapacity(4)
        lists.moveTail(0, slot: 1)
        lists.moveTail(1, slot: 1)
        lists.moveFront(2, slot: 1)
        #expect(lists.entries(1) == [2, 0, 1])
        lists.moveTail(2, slot: 1)
        #expect(lists.entries(1) == [0, 1, 2])
        lists.moveFront(1, slot: 2)
        #expect(lists.entries(1) == [0, 2] && lists.entries(2) == [1])
        #expect(lists.first(1) == 0 && lists.after(0) == 2 && lists.after(2) == nil)
        lists.remove(0)
        #expect(lists.entries(1) == [2] && lists.isEmpty(0))
    }

    /// pcpu_setup_first_chunk's relocate: the 0x5000-byte first chunk is on slot
    /// fls(0x5000) - 5 + 2 = 12; the reserved chunk is on no list.
    @Test func theFirstChunkStartsOnItsSlot() throws {
        let a = try TestAllocator.make()
        #expect(a.slots.nrSlots == 17 && a.slots.free == 15)
        #expect(a.chunksOnSlot(12) == [a.firstChunk])
        #expect((0 ..< 17).allSatisfy { !a.chunksOnSlot($0).contains(a.reservedChunk!) })
    }

    /// A chunk that gained space moves to the front of its new slot, one that lost
    /// space to the back.
    @Test func relocationDirection() throws {
        var a = try TestAllocator.make()
        let p1 = a.pcpuAlloc(size: 0x6000, align: 4, reserved: false, gfp: GFP.kernel).ptr!   // chunk 2
        let p2 = a.pcpuAlloc(size: 0x6000, align: 4, reserved: false, gfp: GFP.kernel).ptr!   // chunk 3
        // Both have 0x2000 bytes left: slot fls(0x2000) - 3 = 11, in the order they moved down.
        let c2 = a.chunks.indices.first { a.chunks[$0]?.md.baseAddr == 0xffff_8000_1fff_0000 }!
        let c3 = a.chunks.indices.first { a.chunks[$0]?.md.baseAddr == 0xffff_8000_1ffe_0000 }!
        #expect(a.chunksOnSlot(11) == [c2, c3])
        try a.freePercpu(p2)
        #expect(a.chunksOnSlot(a.slots.free) == [c3])
        _ = p1
    }
}
