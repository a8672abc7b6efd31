import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/basic_api.c (v6.8): memblock_initialization_check and the
/// memblock_add checks. The reserve, remove/free and bottom-up/trim checks of the same file are in
/// BasicAPIReserveTests, BasicAPIRemoveFreeTests and BasicAPIBottomUpTrimTests.
@Suite("basic_api.c: initialization, memblock_add") struct BasicAPITests {
    /// memblock_initialization_check: the static `memblock` — both arrays hold only the dummy
    /// entry (cnt 1), 128 entries, named "memory" and "reserved"; top-down; no limit.
    @Test func memblockInitialization() {
        let s = SuiteMemblock()
        #expect(s.cnt(.memory) == 1 && s.cnt(.reserved) == 1)
        #expect(s.max(.memory) == 128 && s.max(.reserved) == 128)
        #expect(MemblockTypeName.memory.name == "memory" && MemblockTypeName.reserved.name == "reserved")
        #expect(s.mb.bottomUp == false)
        #expect(s.mb.currentLimit == MEMBLOCK_ALLOC_ANYWHERE)
    }

    /// memblock_add_simple_check: adding one block creates one entry; counter and total size follow.
    @Test func memblockAddSimple() throws {
        var s = SuiteMemblock()
        try s.add(SZ_1G, SZ_4M)
        #expect(s.memory(0) == Span(SZ_1G, SZ_4M))
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == SZ_4M)
    }

    /// memblock_add_node_simple_check: memblock_add_node() with a node and flags records both.
    @Test func memblockAddNodeSimple() throws {
        var s = SuiteMemblock()
        try s.addNode(SZ_1M, SZ_16M, nid: 1, flags: .hotplug)
        #expect(s.memory(0) == Span(SZ_1M, SZ_16M))
        #expect(s.mb.memory[0].nid == 1) // CONFIG_NUMA
        #expect(s.mb.memory[0].flags == .hotplug)
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == SZ_16M)
    }

    /// memblock_add_disjoint_check
    ///
    ///  |        +--------+        +--------+  |
    ///  |        |   r1   |        |   r2   |  |
    ///  +--------+--------+--------+--------+--+
    ///
    /// Two correctly initialised entries; total size and counter updated.
    @Test func memblockAddDisjoint() throws {
        var s = SuiteMemblock()
        try s.add(SZ_1G, SZ_8K)
        try s.add(SZ_1G + SZ_16K, SZ_8K)
        #expect(s.memory(0) == Span(SZ_1G, SZ_8K))
        #expect(s.memory(1) == Span(SZ_1G + SZ_16K, SZ_8K))
        #expect(s.cnt(.memory) == 2)
        #expect(s.totalSize(.memory) == SZ_8K + SZ_8K)
    }

    /// memblock_add_overlap_top_check: r2 overlaps the beginning of r1.
    ///
    ///  |    +----+----+------------+          |
    ///  |    |    |r2  |   r1       |          |
    ///  +----+----+----+------------+----------+
    ///       ^    ^
    ///       |    |
    ///       |    r1.base
    ///       |
    ///       r2.base
    ///
    /// One region from r2.base, both sizes minus the intersection; the counter stays the same.
    @Test func memblockAddOverlapTop() throws {
        var s = SuiteMemblock()
        let r1 = Span(SZ_512M, SZ_1G), r2 = Span(SZ_256M, SZ_512M)
        let total = (r1.base - r2.base) + r1.size
        try s.add(r1.base, r1.size)
        try s.add(r2.base, r2.size)
        #expect(s.memory(0) == Span(r2.base, total))
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == total)
    }

    /// memblock_add_overlap_bottom_check: r2 overlaps the end of r1.
    ///
    ///  |  +--+------+----------+              |
    ///  |  |  | r1   | r2       |              |
    ///  +--+--+------+----------+--------------+
    ///     ^  ^
    ///     |  |
    ///     |  r2.base
    ///     |
    ///     r1.base
    ///
    /// One region from r1.base, both sizes minus the intersection; the counter stays the same.
    @Test func memblockAddOverlapBottom() throws {
        var s = SuiteMemblock()
        let r1 = Span(SZ_128M, SZ_512M), r2 = Span(SZ_256M, SZ_1G)
        let total = (r2.base - r1.base) + r2.size
        try s.add(r1.base, r1.size)
        try s.add(r2.base, r2.size)
        #expect(s.memory(0) == Span(r1.base, total))
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == total)
    }

    /// memblock_add_within_check: r2 lies within r1.
    ///
    ///  |   +-------+--+-----------------------+
    ///  |   |       |r2|      r1               |
    ///  +---+-------+--+-----------------------+
    ///      ^
    ///      |
    ///      r1.base
    ///
    /// The region stays as it was; counter and total size are not updated.
    @Test func memblockAddWithin() throws {
        var s = SuiteMemblock()
        try s.add(SZ_8M, SZ_32M)
        try s.add(SZ_16M, SZ_1M)
        #expect(s.memory(0) == Span(SZ_8M, SZ_32M))
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == SZ_32M)
    }

    /// memblock_add_twice_check: adding the same block twice changes neither counter nor size.
    @Test func memblockAddTwice() throws {
        var s = SuiteMemblock()
        try s.add(SZ_16K, SZ_2M)
        try s.add(SZ_16K, SZ_2M)
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == SZ_2M)
    }

    /// memblock_add_between_check: a third block fills the space between two.
    ///
    ///  |        +--------+--------+--------+  |
    ///  |        |   r1   |   r3   |   r2   |  |
    ///  +--------+--------+--------+--------+--+
    ///
    /// All three merge into one region from r1.base of size r1 + r2 + r3.
    @Test func memblockAddBetween() throws {
        var s = SuiteMemblock()
        try s.add(SZ_1G, SZ_8K)
        try s.add(SZ_1G + SZ_16K, SZ_8K)
        try s.add(SZ_1G + SZ_8K, SZ_8K)
        #expect(s.memory(0) == Span(SZ_1G, 3 * SZ_8K))
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == 3 * SZ_8K)
    }

    /// memblock_add_near_max_check: r extends past PHYS_ADDR_MAX.
    ///
    ///                               +--------+
    ///                               |    r   |
    ///                               +--------+
    ///  |                            +----+
    ///  |                            | rgn|
    ///  +----------------------------+----+
    ///
    /// A block of size PHYS_ADDR_MAX - r.base is added.
    @Test func memblockAddNearMax() throws {
        var s = SuiteMemblock()
        let base = PHYS_ADDR_MAX - SZ_1M
        try s.add(base, SZ_2M)
        #expect(s.memory(0) == Span(base, PHYS_ADDR_MAX - base))
        #expect(s.cnt(.memory) == 1)
        #expect(s.totalSize(.memory) == PHYS_ADDR_MAX - base)
    }

    /// memblock_add_many_check: adding the 129th memory block doubles memblock.memory
    /// (memblock_double_array()), which takes its new array out of memory and reserves it.
    ///
    /// An 8K block (PAGE_ALIGN(2 * 128 * sizeof(struct memblock_region))) is added first, at the
    /// page-aligned base, so that the doubled array has a home; then 128 blocks of 64 bytes with
    /// 64-byte gaps (so that they do not merge).
    @Test func memblockAddMany() throws {
        var s = SuiteMemblock()
        s.mb.allowResize()
        let newRegionsSize = pageAlign(UInt64(INIT_MEMBLOCK_REGIONS) * 2 * MEMBLOCK_REGION_SIZE)
        #expect(newRegionsSize == SZ_8K)
        var base = pageAlign(DUMMY_BASE)
        try s.add(base, newRegionsSize)
        base += newRegionsSize + SZ_64
        for i in 0 ..< INIT_MEMBLOCK_REGIONS {
            try s.add(base, SZ_64)
            base += SZ_64 + SZ_64
            #expect(s.cnt(.memory) == i + 2)
            #expect(s.totalSize(.memory) == newRegionsSize + UInt64(i + 1) * SZ_64)
        }
        #expect(s.max(.memory) == INIT_MEMBLOCK_REGIONS * 2)
        // The doubled array is reserved: it is the 8K block.
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == newRegionsSize)
        #expect(s.reserved(0) == Span(pageAlign(DUMMY_BASE), newRegionsSize))

        // memblock_add() still works after the doubling.
        try s.add(SZ_16K, SZ_16K)
        #expect(s.memory(0) == Span(SZ_16K, SZ_16K))
        #expect(s.cnt(.memory) == INIT_MEMBLOCK_REGIONS + 2)
        #expect(s.totalSize(.memory) == UInt64(INIT_MEMBLOCK_REGIONS) * SZ_64 + newRegionsSize + SZ_16K)
        #expect(s.max(.memory) == INIT_MEMBLOCK_REGIONS * 2)
    }
}
