import Testing
@testable import PercpuAlloc

/// pcpu_alloc on the hand-worked allocator of TestAllocator.
@Suite struct PcpuAllocTests {
    @Test func firstFitWithAlignmentInTheFirstChunk() throws {
        var a = try TestAllocator.make()
        let s = TestAllocator.perCpuStart
        // The dynamic region starts at unit offset 0x3000: __addr_to_pcpu_ptr = addr - base + start.
        #expect(a.pcpuAlloc(size: 8, align: 8, reserved: false, gfp: GFP.kernel).ptr == s + 0x3000)
        #expect(a.pcpuAlloc(size: 4, align: 4, reserved: false, gfp: GFP.kernel).ptr == s + 0x3008)
        // Next free byte 0x300c, aligned up to 16: 0x3010.
        #expect(a.pcpuAlloc(size: 16, align: 16, reserved: false, gfp: GFP.kernel).ptr == s + 0x3010)
        // Align below 4 is raised to 4, size 3 rounded to 4: first fit is the 4-byte
        // hole at 0x300c that the 16-byte alignment left (block first_free is bit 3).
        #expect(a.pcpuAlloc(size: 3, align: 1, reserved: false, gfp: GFP.kernel).ptr == s + 0x300c)
        // Freeing the 4 bytes at 0x3008 makes first_free bit 2 again: the next 4 go there.
        try a.freePercpu(s + 0x3008)
        #expect(a.pcpuAlloc(size: 4, align: 4, reserved: false, gfp: GFP.kernel).ptr == s + 0x3008)
    }

    @Test func reservedAllocationsComeFromTheReservedChunk() throws {
        var a = try TestAllocator.make()
        // The reserved region follows the 0x2000 static bytes.
        #expect(a.pcpuAlloc(size: 24, align: 8, reserved: true, gfp: GFP.kernel).ptr == TestAllocator.perCpuStart + 0x2000)
        // More than the reserved chunk's 0x1000 bytes fails: no fallback to the dynamic chunks.
        #expect(a.pcpuAlloc(size: 0x1000, align: 8, reserved: true, gfp: GFP.kernel).ptr == nil)
    }

    @Test func illegalRequestsFail() throws {
        var a = try TestAllocator.make()
        #expect(a.pcpuAlloc(size: 0, align: 4, reserved: false, gfp: GFP.kernel).ptr == nil)
        #expect(a.pcpuAlloc(size: 32 * 1024 + 4, align: 4, reserved: false, gfp: GFP.kernel).ptr == nil)  // > PCPU_MIN_UNIT_SIZE
        #expect(a.pcpuAlloc(size: 8, align: 24, reserved: false, gfp: GFP.kernel).ptr == nil)           // not a power of 2
        #expect(a.pcpuAlloc(size: 8, align: 8192, reserved: false, gfp: GFP.kernel).ptr == nil)         // > PAGE_SIZE
        #expect(a.warnings.count == 4)
    }

    /// 24 KiB do not fit the first chunk's 20 KiB: a chunk is created top-down in
    /// the vmalloc space: base = VMALLOC_END - group size = 0xffff800020000000 -
    /// 0x10000; the area at offset 0 is populated (pages 0-6) before returning.
    @Test func aNewChunkIsCreatedAndPopulatedOnDemand() throws {
        var a = try TestAllocator.make()
        let chunkBase: UInt64 = 0xffff_8000_1fff_0000
        let ptr = a.pcpuAlloc(size: 0x6000, align: 4, reserved: false, gfp: GFP.kernel).ptr
        #expect(ptr == chunkBase &- TestAllocator.base &+ TestAllocator.perCpuStart)
        #expect(a.traceLines().suffix(2) == ["alloc size=24576 align=4 reserved=0 gfp=0xcc0 -> 0x\(String(ptr!, radix: 16))",
                                            "populated chunk=0xffff80001fff0000 pages=0-6"])
        // The first chunk's 5 empty pages stay; the new chunk's 6 pages were counted
        // empty by the hint update (-6) before they were populated (+6).
        #expect(a.nrEmptyPopPages == 5)
        #expect(a.nrPopulated == 8 + 6)           // PFN_DOWN(size_sum) of the first chunk + 6
    }

    /// An atomic request takes populated pages only and never creates a chunk.
    @Test func atomicAllocationsUsePopulatedPagesOnly() throws {
        var a = try TestAllocator.make()
        #expect(a.pcpuAlloc(size: 0x6000, align: 4, reserved: false, gfp: GFP.atomic).ptr == nil)
        #expect(a.atomicAllocFailed && a.balancePending)
        #expect(a.pcpuAlloc(size: 64, align: 8, reserved: false, gfp: GFP.atomic).ptr == TestAllocator.perCpuStart + 0x3000)
    }

    /// __GFP_ACCOUNT charges pcpu_obj_full_size: size × 2 possible CPUs + size/4 × 8.
    @Test func accountedAllocationsChargeTheFullSize() throws {
        var a = try TestAllocator.make()
        let p = a.pcpuAlloc(size: 40, align: 8, reserved: false, gfp: GFP.kernelAccount).ptr!
        #expect(a.memcgChargedBytes == 40 * 2 + 10 * 8)
        _ = a.pcpuAlloc(size: 40, align: 8, reserved: false, gfp: GFP.kernel)
        #expect(a.memcgChargedBytes == 160)
        try a.freePercpu(p)
        #expect(a.memcgChargedBytes == 0)
    }
}
