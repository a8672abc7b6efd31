import Testing
@testable import PercpuAlloc

@Suite struct PcpuWorkloadTests {
    /// 10 × 1 KiB then every other one freed: 5 live areas, the first chunk's
    /// free bytes 0x5000 - 5 KiB.
    @Test func allocationsAndFreesByPattern() throws {
        var a = try TestAllocator.make()
        try a.run(PcpuWorkload(steps: [.alloc(count: 10, size: 1024, align: 4, gfp: GFP.kernel, reserved: false, tag: "x"),
                                       .free(tag: "x", pattern: .every(2)),
                                       .free(tag: "x", pattern: .last(1)),
                                       .balance(times: 2)], autoBalance: false))
        #expect(a.workloadSummary == PcpuWorkloadSummary(allocations: 10, failedAllocations: 0, frees: 6, balanceRuns: 2))
        #expect(a.chunks[a.firstChunk]!.md.freeBytes == 0x5000 - 4 * 1024)
        #expect(a.stats.nrCurAlloc == 4)
    }

    /// With autoBalance the work runs as soon as an allocation schedules it
    /// (fewer than 2 empty populated pages left).
    @Test func autoBalanceRunsTheWork() throws {
        var a = try TestAllocator.make()
        try a.run(PcpuWorkload(steps: [.alloc(count: 4, size: 4096, align: 4096, gfp: GFP.kernel, reserved: false, tag: "x")],
                               autoBalance: true))
        // After the 4th page 1 empty page is left: the work finds no chunk with unpopulated
        // pages in slots 10-15, creates one and populates 4 - 1 = 3 of its pages.
        #expect(a.workloadSummary.balanceRuns == 1)
        #expect(a.traceLines().last == "populated chunk=0xffff80001fff0000 pages=0-3")
    }

    /// The emulator keeps at most `chunkLimit` dynamic chunks: a workload that
    /// needs more stops with `emulationLimit` instead of growing without end.
    /// The test allocator's dynamic area is 0x5000 per unit and a new chunk's 8
    /// pages hold 8 areas of 4 KiB (page aligned): 5 fit the first chunk, the
    /// next 8 the one dynamic chunk a limit of 1 allows (nr_chunks counts the
    /// first chunk: limit 2), and the 14th needs a third.
    @Test func chunkLimitStopsARunawayWorkload() throws {
        var a = try TestAllocator.make()
        a.chunkLimit = 2
        #expect(throws: PcpuAllocError.self) {
            try a.run(PcpuWorkload(steps: [.alloc(count: 100, size: 4096, align: 4096, gfp: GFP.kernel, reserved: false, tag: "x")],
                                   autoBalance: false))
        }
        #expect(a.chunkLimitReached)
        #expect(a.stats.nrChunks == 2)
        #expect(a.workloadSummary.allocations == 13)
    }

    /// Events past `eventLimit` are counted, and the trace says how many were not kept.
    @Test func eventsPastTheLimitAreCounted() throws {
        var a = try TestAllocator.make()
        a.eventLimit = 3
        try a.run(PcpuWorkload(steps: [.alloc(count: 5, size: 8, align: 8, gfp: GFP.kernel, reserved: false, tag: "x")],
                               autoBalance: false))
        #expect(a.events.count == 3)
        #expect(a.eventsNotKept == 2)
        #expect(a.traceLines().last == "# 2 more events not kept (pcpu-boot keeps the first 3)")
    }
}
