import Testing
import KernelSupport
@testable import Memblock

/// memblock_reserve / memblock_phys_free / memblock_remove (cf. basic_api.c).
@Suite struct MemblockReserveFreeTests {
    /// A reserve is recorded with nid MAX_NUMNODES; adjacent reserves merge.
    ///
    ///  |   +------+------+          |
    ///  |   |  r1  |  r2  |          |
    ///  +---+------+------+----------+
    @Test func reserveMergesAdjacent() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.reserve(0x1000_0000, 0x1000, log: &log, caller: "t")
        try mb.reserve(0x1000_1000, 0x3000, log: &log, caller: "t")
        #expect(mb.reserved == [region(0x1000_0000, 0x4000)])
        #expect(mb.reservedSize == 0x4000)
        #expect(mb.isReserved(0x1000_3fff) && !mb.isReserved(0x1000_4000))
        #expect(mb.isRegionReserved(0x0fff_f000, 0x1001) && !mb.isRegionReserved(0x0fff_f000, 0x1000))
    }

    /// Freeing the middle of a reserved region splits it.
    ///
    ///  |  +------+......+------+  |
    ///  |  |  r1  : free :  r1  |  |
    ///  +--+------+......+------+--+
    @Test func physFreeMiddleSplits() throws {
        var mb = try memblock(reserved: [(0x10000, 0x10000)])
        var log = KernelLog()
        try mb.physFree(0x14000, 0x4000, log: &log, caller: "t")
        #expect(mb.reserved == [region(0x10000, 0x4000), region(0x18000, 0x8000)])
        #expect(mb.reservedSize == 0xc000)
    }

    /// A free overlapping the top of r1 and the bottom of r2 trims both.
    ///
    ///  |  +-----+.........+-----+  |
    ///  |  | r1  :  free   : r2  |  |
    ///  +--+-----+.........+-----+--+
    @Test func physFreeAcrossTwo() throws {
        var mb = try memblock(reserved: [(0x10000, 0x10000), (0x30000, 0x10000)])
        var log = KernelLog()
        try mb.physFree(0x18000, 0x20000, log: &log, caller: "t")
        #expect(mb.reserved == [region(0x10000, 0x8000), region(0x38000, 0x8000)])
    }

    /// Freeing everything leaves an empty array (cnt 1 with the dummy in 6.8, 0 in 6.12).
    @Test func physFreeAll() throws {
        for kernel in [KernelVersion.v6_8, .v6_12] {
            var mb = try memblock(testProfile(kernel), reserved: [(0x10000, 0x10000), (0x30000, 0x10000)])
            var log = KernelLog()
            try mb.physFree(0, 0x100000, log: &log, caller: "t")
            #expect(mb.reserved.isEmpty)
            #expect(mb.count(.reserved) == (kernel == .v6_12 ? 0 : 1))
        }
    }

    /// A zero-length free still prints its trace (end = base − 1) and changes nothing.
    @Test func physFreeZeroLength() throws {
        var mb = try memblock(reserved: [(0x7ffd_b000, 0x1000)])
        let before = mb
        var log = KernelLog()
        try mb.physFree(0x7ffd_b000, 0, log: &log, caller: "pcpu_embed_first_chunk")
        #expect(traces(log) == ["memblock_phys_free: [0x000000007ffdb000-0x000000007ffdafff] pcpu_embed_first_chunk"])
        #expect(mb == before)
    }

    /// Freeing a range that was never reserved changes nothing.
    @Test func physFreeUnreserved() throws {
        var mb = try memblock(reserved: [(0x10000, 0x1000)])
        var log = KernelLog()
        try mb.physFree(0x20000, 0x1000, log: &log, caller: "t")
        #expect(mb.reserved == [region(0x10000, 0x1000)])
    }

    /// memblock_remove of the middle of a memory region keeps both ends, with their node.
    ///
    ///  |  +--------+.......+--------+  |
    ///  |  |  mem   :removed:  mem   |  |
    ///  +--+--------+.......+--------+--+
    @Test func removeMiddle() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x4000_0000, nid: 2)])
        var log = KernelLog()
        try mb.remove(0x5000_0000, 0x1000_0000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x4000_0000, 0x1000_0000, nid: 2), region(0x6000_0000, 0x2000_0000, nid: 2)])
        #expect(traces(log).last == "memblock_remove: [0x0000000050000000-0x000000005fffffff] t")
    }

    /// Removing all memory leaves the dummy entry, which the dump shows (6.8) or not (6.12).
    @Test func removeAllThenDump() throws {
        var mb = try memblock(memory: [region(0x4000_0000, 0x1000)])
        var log = KernelLog()
        try mb.remove(0x4000_0000, 0x1000, log: &log, caller: "t")
        #expect(mb.memory.isEmpty && mb.count(.memory) == 1)
        #expect(mb.dumpLines(.memory) == [" memory.cnt  = 0x1",
                                          " memory[0x0]\t[0x0000000000000000-0xffffffffffffffff], 0x0000000000000000 bytes flags: 0x0"])
        var mb12 = try memblock(testProfile(.v6_12), memory: [region(0x4000_0000, 0x1000)])
        try mb12.remove(0x4000_0000, 0x1000, log: &log, caller: "t")
        #expect(mb12.dumpLines(.memory) == [" memory.cnt  = 0x0"])
    }
}
