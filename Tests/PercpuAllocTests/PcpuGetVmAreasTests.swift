import Testing
@testable import PercpuAlloc

/// pcpu_get_vm_areas worked by hand for the two recorded machines; the
/// expected bases are the recorded chunks' `base_addr`s.
@Suite struct PcpuGetVmAreasTests {
    /// arm64 6.1, VA_BITS 48, 4K pages: VMALLOC_END = VMEMMAP_START - 256M =
    /// -(1 << 42) - 0x10000000 = 0xfffffbfff0000000. Groups at 0, 0x40003000,
    /// 0x80003000, 0xbf7ce000, each 0x3e000: the last area ends at 0xbf80c000, so
    /// the first chunk's base is 0xfffffbfff0000000 - 0xbf80c000 = 0xfffffbff307f4000.
    /// The next one's last area must end where the first chunk's last area starts
    /// (base1 + 0xbf7ce000), so base2 = base1 - 0x3e000, and so on.
    @Test func arm64FourGroupChunksStackDownwards() {
        var free = VmallocFreeSpace(ranges: [(0xffff800008000000, 0xfffffbfff0000000)])
        let offsets: [UInt64] = [0, 0x40003000, 0x80003000, 0xbf7ce000]
        let sizes = [UInt64](repeating: 0x3e000, count: 4)
        var bases: [UInt64] = []
        for _ in 0 ..< 4 {
            let base = pcpuGetVmAreasBase(free, offsets: offsets, sizes: sizes, align: 0x1000,
                                          vmallocStart: 0xffff800008000000, vmallocEnd: 0xfffffbfff0000000)!
            bases.append(base)
            for (o, s) in zip(offsets, sizes) { free.occupy(base + o, base + o + s) }
        }
        #expect(bases == [0xfffffbff307f4000, 0xfffffbff307b6000, 0xfffffbff30778000, 0xfffffbff3073a000])
    }

    /// x86_64 5-level paging: VMALLOC_START 0xffa0000000000000, 12800 TB, VMALLOC_END
    /// = start + (12800 << 40) - 1 = 0xffd1ffffffffffff. Atom 2 MiB: aligned end
    /// 0xffd1ffffffe00000; groups at 0 and 0x3b600000 of 0x200000 end at 0x3b800000:
    /// base = 0xffd1ffffffe00000 - 0x3b800000 = 0xffd1ffffc4600000.
    @Test func x86TwoGroupChunk() {
        let free = VmallocFreeSpace(ranges: [(0xffa0000000000000, 0xffd1ffffffffffff)])
        let base = pcpuGetVmAreasBase(free, offsets: [0, 0x3b600000], sizes: [0x200000, 0x200000], align: 0x200000,
                                      vmallocStart: 0xffa0000000000000, vmallocEnd: 0xffd1ffffffffffff)
        #expect(base == 0xffd1ffffc4600000)
    }

    @Test func aChunkLargerThanTheSpaceHasNoPlace() {
        let free = VmallocFreeSpace(ranges: [(0x10000, 0x20000)])
        #expect(pcpuGetVmAreasBase(free, offsets: [0, 0x10000], sizes: [0x1000, 0x1000], align: 0x1000,
                                   vmallocStart: 0x10000, vmallocEnd: 0x20000) == nil)
    }

    @Test func releasedRangesMergeWithTheirNeighbours() {
        var free = VmallocFreeSpace(ranges: [(0x0, 0x10000)])
        free.occupy(0x4000, 0x8000)
        #expect(free.ranges.map(\.start) == [0x0, 0x8000])
        free.release(0x4000, 0x8000)
        #expect(free.ranges.count == 1 && free.ranges[0].start == 0 && free.ranges[0].end == 0x10000)
    }
}
