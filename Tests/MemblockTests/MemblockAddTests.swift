import Testing
import KernelSupport
@testable import Memblock

/// memblock_add / memblock_add_node: insertion, merging, overlaps (cf. tools/testing/memblock/tests/basic_api.c).
@Suite struct MemblockAddTests {
    /// A new memblock: no regions; the kernel's cnt counts the dummy entry up to 6.8, not in 6.12.
    @Test func initialState() {
        let mb = Memblock(profile: testProfile())
        #expect(mb.memory.isEmpty && mb.reserved.isEmpty)
        #expect(mb.count(.memory) == 1 && mb.count(.reserved) == 1)
        #expect(mb.capacity(.memory) == 128 && mb.capacity(.reserved) == 128)
        #expect(!mb.bottomUp && mb.currentLimit == MEMBLOCK_ALLOC_ANYWHERE)
        #expect(Memblock(profile: testProfile(.v6_12)).count(.memory) == 0)
        #expect(Memblock(profile: testProfile(.v6_1)).count(.reserved) == 1)
    }

    /// Add to an empty array: the range becomes the only region, nid MAX_NUMNODES.
    ///
    ///  |        +--------------------+                |
    ///  |        |        rgn         |                |
    ///  +--------+--------------------+----------------+
    @Test func addToEmpty() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x1000_0000, 0x1000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x1000_0000, 0x1000)])
        #expect(mb.count(.memory) == 1)
        #expect(mb.memorySize == 0x1000)
    }

    /// Two disjoint regions, added high first: kept sorted.
    ///
    ///  |   +----+         +--------+      |
    ///  |   | r1 |         |   r2   |      |
    ///  +---+----+---------+--------+------+
    @Test func addDisjoint() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x2000_0000, 0x2000, log: &log, caller: "t")
        try mb.add(0x1000_0000, 0x1000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x1000_0000, 0x1000), region(0x2000_0000, 0x2000)])
        #expect(mb.memorySize == 0x3000)
    }

    /// r2 overlaps the top of r1: one region from r1.base to r2.end.
    ///
    ///  |    +----+----+------------+      |
    ///  |    |    |r2  |            |      |
    ///  |    | r1 |    |            |      |
    ///  +----+----+----+------------+------+
    @Test func addOverlapTop() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x1000_0000, 0x2000_0000, log: &log, caller: "t")
        try mb.add(0x2000_0000, 0x2000_0000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x1000_0000, 0x3000_0000)])
    }

    /// r2 overlaps the bottom of r1 (added second): its lower part is inserted and merged.
    @Test func addOverlapBottom() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x2000_0000, 0x2000_0000, log: &log, caller: "t")
        try mb.add(0x1000_0000, 0x2000_0000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x1000_0000, 0x3000_0000)])
        #expect(mb.count(.memory) == 1)
    }

    /// r2 inside r1, and r1 added twice: nothing changes.
    ///
    ///  |    +-------+--+-------+      |
    ///  |    |  r1   |r2|       |      |
    ///  +----+-------+--+-------+------+
    @Test func addWithinAndTwice() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x1000_0000, 0x1000_0000, log: &log, caller: "t")
        try mb.add(0x1800_0000, 0x1000, log: &log, caller: "t")
        try mb.add(0x1000_0000, 0x1000_0000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x1000_0000, 0x1000_0000)])
        #expect(mb.memorySize == 0x1000_0000)
    }

    /// r3 fills the gap between r1 and r2 exactly: all three merge.
    ///
    ///  |  +--------+--------+--------+  |
    ///  |  |   r1   |   r3   |   r2   |  |
    ///  +--+--------+--------+--------+--+
    @Test func addBetween() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x10000, 0x10000, log: &log, caller: "t")
        try mb.add(0x30000, 0x10000, log: &log, caller: "t")
        try mb.add(0x20000, 0x10000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x10000, 0x30000)])
    }

    /// r3 spans r1, the gap, r2 and beyond on both sides: one region.
    ///
    ///  | +--+-----+----+-----+---+ |
    ///  | |  | r1  |    | r2  |   | |
    ///  | |          r3           | |
    ///  +-+-----------------------+-+
    @Test func addSpanning() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x10000, 0x10000, log: &log, caller: "t")
        try mb.add(0x30000, 0x10000, log: &log, caller: "t")
        try mb.add(0x8000, 0x40000, log: &log, caller: "t")
        #expect(mb.memory == [region(0x8000, 0x40000)])
    }

    /// Adjacent regions on different nodes, or with different flags, stay apart.
    @Test func addAdjacentDifferentNodeOrFlags() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.addNode(0x4000_0000, 0x4000_0000, nid: 0, flags: [], log: &log, caller: "t")
        try mb.addNode(0x8000_0000, 0x4000_0000, nid: 1, flags: [], log: &log, caller: "t")
        try mb.addNode(0xc000_0000, 0x1000, nid: 1, flags: .hotplug, log: &log, caller: "t")
        try mb.addNode(0xc000_1000, 0x1000, nid: 1, flags: [], log: &log, caller: "t")
        #expect(mb.memory == [region(0x4000_0000, 0x4000_0000, nid: 0), region(0x8000_0000, 0x4000_0000, nid: 1),
                              region(0xc000_0000, 0x1000, nid: 1, flags: .hotplug), region(0xc000_1000, 0x1000, nid: 1)])
    }

    /// An overlapping add never changes existing regions: the uncovered parts get the new nid.
    ///
    ///  |   +--------+--------+--------+    |
    ///  |   | new n0 | old n1 | new n0 |    |
    ///  +---+--------+--------+--------+----+
    @Test func overlapKeepsOldAttributes() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.addNode(0x20000, 0x10000, nid: 1, flags: [], log: &log, caller: "t")
        try mb.addNode(0x10000, 0x30000, nid: 0, flags: [], log: &log, caller: "t")
        #expect(mb.memory == [region(0x10000, 0x10000, nid: 0), region(0x20000, 0x10000, nid: 1),
                              region(0x30000, 0x10000, nid: 0)])
        #expect(mb.memorySize == 0x30000)
    }

    /// memblock_cap_size: a range running past PHYS_ADDR_MAX is cut at it; the trace still prints
    /// C's wrapped end.
    @Test func addNearTopOfAddressSpace() throws {
        var mb = Memblock(profile: testProfile())
        mb.debug = true
        var log = KernelLog()
        try mb.add(0xffff_ffff_ffff_f000, 0x10000, log: &log, caller: "t")
        #expect(mb.memory == [region(0xffff_ffff_ffff_f000, 0xfff)])
        #expect(traces(log) == ["memblock_add: [0xfffffffffffff000-0x000000000000efff] t"])
        try mb.add(UInt64.max, UInt64.max, log: &log, caller: "t")   // capped to size 0: no-op
        #expect(mb.memory.count == 1)
    }

    /// Size 0 does nothing (the trace still prints end = base − 1).
    @Test func addZeroSize() throws {
        var mb = Memblock(profile: testProfile(.v6_12))
        mb.debug = true
        var log = KernelLog()
        try mb.add(0x1000, 0, log: &log, caller: "t")
        #expect(mb.memory.isEmpty && mb.count(.memory) == 0)
        #expect(traces(log) == ["memblock_add: [0x0000000000001000-0x0000000000000fff] t"])
    }

    /// memblock_trim_memory(PAGE_SIZE) as x86 runs it on the e820 RAM of x86-2node-embed
    /// (`BIOS-e820: [mem 0x…0000-0x…9fbff] usable`, `[mem 0x…100000-0x…7ffdffff] usable`): the
    /// partial page goes, but total_size keeps it — the dump's `memory size = 0x000000007ff7ec00`.
    ///
    ///  | +------+.|      +--------------------+ |
    ///  | | RAM  |x|      |        RAM         | |
    ///  +-+------+-+------+--------------------+-+
    ///  0x1000  0x9f000 0x9fc00  0x100000      0x7ffe0000
    @Test func trimMemoryKeepsStaleTotal() throws {
        var mb = Memblock(profile: testProfile())
        var log = KernelLog()
        try mb.add(0x1000, 0x9ec00, log: &log, caller: "e820__memblock_setup")
        try mb.add(0x10_0000, 0x7fee_0000, log: &log, caller: "e820__memblock_setup")
        #expect(mb.memorySize == 0x7ff7_ec00)
        mb.trimMemory(align: 0x1000)
        #expect(mb.memory == [region(0x1000, 0x9e000), region(0x10_0000, 0x7fee_0000)])
        #expect(mb.memorySize == 0x7ff7_ec00)
        #expect(mb.dumpAllLines()[1] == " memory size = 0x000000007ff7ec00 reserved size = 0x0000000000000000")
        // A region that vanishes is subtracted.
        try mb.add(0x8000_0100, 0x800, log: &log, caller: "t")
        mb.trimMemory(align: 0x1000)
        #expect(mb.memory.count == 2 && mb.memorySize == 0x7ff7_ec00)
    }

    /// memblock_start_of_DRAM / end_of_DRAM / is_region_memory.
    @Test func dramBoundsAndIsMemory() throws {
        let mb = try memblock(memory: [region(0x4000_0000, 0x4000_0000, nid: 0), region(0x8000_0000, 0x4000_0000, nid: 1)])
        #expect(mb.startOfDRAM == 0x4000_0000 && mb.endOfDRAM == 0xc000_0000)
        #expect(mb.isMemory(0x4000_0000, 0x4000_0000))
        #expect(!mb.isMemory(0x7fff_f000, 0x2000))   // crosses into the next region: not one region
        #expect(!mb.isMemory(0x3fff_f000, 0x1000))
        #expect(mb.isMemory(0xbfff_f000))
        #expect(Memblock(profile: testProfile()).endOfDRAM == 0)
    }
}
