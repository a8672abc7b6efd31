import Testing
@testable import PercpuAlloc

@Suite struct PcpuBalanceWorkfnTests {
    /// Two entirely free chunks: free_percpu schedules the work and
    /// pcpu_balance_free keeps only the first chunk of the free slot, depopulating
    /// and destroying the other.
    @Test func surplusFreeChunksAreDestroyed() throws {
        var a = try TestAllocator.make()
        let big1 = a.pcpuAlloc(size: 0x6000, align: 4, reserved: false, gfp: GFP.kernel).ptr!
        let big2 = a.pcpuAlloc(size: 0x6000, align: 4, reserved: false, gfp: GFP.kernel).ptr!
        // The second chunk goes below the first in the vmalloc space.
        #expect(big1 &- big2 == 0x10000)
        try a.freePercpu(big1)
        #expect(!a.balancePending)                   // only one free chunk so far
        try a.freePercpu(big2)
        #expect(a.balancePending)
        #expect(a.chunksOnSlot(a.slots.free).count == 2)
        a.pcpuBalanceWorkfn()
        #expect(a.chunksOnSlot(a.slots.free).count == 1)
        let tail = Array(a.traceLines().suffix(3))
        #expect(tail[0] == "balance")
        // Each chunk moved to the *front* of the free slot when it became free
        // (relocation upwards), so the one freed last (at 0x...1ffe0000) is first and
        // spared; the other is depopulated and destroyed.
        #expect(tail[1] == "depopulated chunk=0xffff80001fff0000 pages=0-6")
        #expect(tail[2] == "# percpu_destroy_chunk: base_addr=ffff80001fff0000")
        #expect(a.stats.nrChunks == 2)
    }

    /// With fewer than PCPU_EMPTY_POP_PAGES_HIGH (4) empty populated pages the work
    /// populates 4 - n pages of the first chunk with unpopulated pages, from slot
    /// pcpu_size_to_slot(PAGE_SIZE) = fls(4096) - 3 = 10 up.
    @Test func emptyPagesAreRefilledUpToTheHighMark() throws {
        var a = try TestAllocator.make()
        // Fill the first chunk: 5 pages.
        for _ in 0 ..< 5 { _ = a.pcpuAlloc(size: 4096, align: 4096, reserved: false, gfp: GFP.kernel) }
        #expect(a.nrEmptyPopPages == 0)
        // 2 KiB in a new chunk populates its page 0 (not empty: it holds the area).
        _ = a.pcpuAlloc(size: 2048, align: 4, reserved: false, gfp: GFP.kernel)
        #expect(a.nrEmptyPopPages == 0 && a.balancePending)
        a.pcpuBalanceWorkfn()
        #expect(a.traceLines().suffix(2) == ["balance", "populated chunk=0xffff80001fff0000 pages=1-5"])
        #expect(a.nrEmptyPopPages == 4)
    }

    /// 5.14+: a chunk with at least a quarter of its pages empty, when the others
    /// keep more than 4 + its empty pages, is isolated on free; the work then
    /// depopulates its empty pages from the end and sidelines it. By hand: the
    /// first chunk (5 pages) and chunk C2 (8 pages) filled page by page, a third
    /// chunk C3 with one page used; the work populates 4 pages of C3 (global 4);
    /// 2 freed pages of the first chunk make 6; freeing C2's pages 7 and 6 gives
    /// C2 2 empty pages, and 8 > 4 + 2 with 2 >= 8/4: isolated (global back to 6).
    /// The work walks C2 from page 7 down: pages 7 and 6 are empty and populated,
    /// page 5 is not, so it depopulates 6-8; with no empty page left it stops and,
    /// C2 not being entirely free, sidelines it.
    @Test func mostlyEmptyChunksAreDepopulatedAndSidelined() throws {
        var a = try TestAllocator.make()
        var firstChunkPages: [UInt64] = []
        for _ in 0 ..< 5 { firstChunkPages.append(a.pcpuAlloc(size: 4096, align: 4096, reserved: false, gfp: GFP.kernel).ptr!) }
        var c2: [UInt64] = []
        for _ in 0 ..< 8 { c2.append(a.pcpuAlloc(size: 4096, align: 4096, reserved: false, gfp: GFP.kernel).ptr!) }
        _ = a.pcpuAlloc(size: 4096, align: 4096, reserved: false, gfp: GFP.kernel)          // C3, page 0
        a.pcpuBalanceWorkfn()
        #expect(a.nrEmptyPopPages == 4)
        try a.freePercpu(firstChunkPages[0])
        try a.freePercpu(firstChunkPages[1])
        #expect(a.nrEmptyPopPages == 6)
        try a.freePercpu(c2[7])
        let chunk2 = a.chunks.indices.first { a.chunks[$0]?.md.baseAddr == 0xffff_8000_1fff_0000 }!
        #expect(!a.chunks[chunk2]!.isolated)                    // 7 > 4 + 1, but 1 < 8/4
        try a.freePercpu(c2[6])
        #expect(a.chunks[chunk2]!.isolated)
        #expect(a.chunksOnSlot(a.slots.toDepopulate) == [chunk2])
        #expect(a.nrEmptyPopPages == 6)
        a.pcpuBalanceWorkfn()
        #expect(a.traceLines().suffix(2) == ["balance", "depopulated chunk=0xffff80001fff0000 pages=6-8"])
        #expect(a.chunksOnSlot(a.slots.sidelined) == [chunk2])
        #expect(a.chunks[chunk2]!.md.nrPopulated == 6)
    }
}
