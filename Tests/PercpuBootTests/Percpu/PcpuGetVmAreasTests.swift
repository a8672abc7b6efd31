import Testing
@testable import PercpuBoot

/// `pcpu_get_vm_areas` (mm/vmalloc.c) for the dynamic chunks after the first,
/// worked by hand on a small vmalloc space.
@Suite struct PcpuGetVmAreasTests {
    /// vmalloc [0x1000_0000, 0x2000_0000); two groups of 64 KiB at offsets 0 and 1 MiB.
    ///
    ///   chunk 1: the last area (group 1, ends at 0x110000) goes under VMALLOC_END:
    ///            base = 0x2000_0000 − 0x110000 = 0x1fef_0000; group 0 at base fits.
    ///
    ///   0x1fef0000   0x1ff00000            0x1fff0000   0x20000000
    ///   |  g0 (c1) |      free             |  g1 (c1) |
    ///
    ///   chunk 2: VMALLOC_END's area is taken; the highest free range [0x1ff0_0000, 0x1fff_0000)
    ///            ends at 0x1fff_0000 → base = 0x1fff_0000 − 0x110000 = 0x1fee_0000; its group 0 at
    ///            0x1fee_0000 lies in [0x1000_0000, 0x1fef_0000): fits. Chunks interleave, each one
    ///            group size (64 KiB) below the previous.
    @Test func chunksInterleaveDownwards() {
        let outlook = dynamicChunkOutlook(offsets: [0, 0x10_0000], sizes: [0x1_0000, 0x1_0000], align: 0x1000,
                                          vmallocStart: 0x1000_0000, vmallocEnd: 0x2000_0000, earlyAreas: [], limit: 3)
        #expect(outlook.span == 0x11_0000)
        #expect(outlook.placedBases == [0x1fef_0000, 0x1fee_0000, 0x1fed_0000])
        #expect(outlook.reachedLimit)
        #expect(outlook.failure == nil)
    }

    /// A chunk wider than the whole vmalloc space: `vmalloc_end - vmalloc_start < last_end`
    /// → WARN_ON and no areas, so not even the first dynamic chunk can exist.
    @Test func spanBeyondTheVmallocSpace() {
        let outlook = dynamicChunkOutlook(offsets: [0, 0x2000_0000], sizes: [0x1_0000, 0x1_0000], align: 0x1000,
                                          vmallocStart: 0x1000_0000, vmallocEnd: 0x2000_0000, earlyAreas: [])
        #expect(outlook.placedBases.isEmpty)
        #expect(outlook.failure != nil)
    }

    /// The space fits one chunk of span 0xc00_0000 (3/4 of it) but, with an early
    /// area taking the bottom 0x400_0000 + 1 page, no second one:
    ///   chunk 1: base = 0x2000_0000 − 0xc01_0000 = 0x13ff_0000 ≥ 0x1400_1000? no →
    /// the early area [0x1000_0000, 0x1400_1000) blocks group 0 → base moves down
    /// below the early area → underflows VMALLOC_START → overflow: nothing fits.
    @Test func earlyAreaBlocksTheOnlyPlacement() {
        let outlook = dynamicChunkOutlook(offsets: [0, 0xc00_0000], sizes: [0x1_0000, 0x1_0000], align: 0x1000,
                                          vmallocStart: 0x1000_0000, vmallocEnd: 0x2000_0000,
                                          earlyAreas: [(0x1000_0000, 0x1400_1000)])
        #expect(outlook.placedBases.isEmpty)
        #expect(outlook.failure?.contains("overflow") == true)
    }
}
