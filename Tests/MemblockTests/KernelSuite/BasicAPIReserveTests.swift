import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/basic_api.c (v6.8): the memblock_reserve checks, plus the two
/// reserve checks the file gained after v6.8 (6.11: memblock_reserve_all_locations_check,
/// memblock_reserve_many_may_conflict_check), whose behaviour is the same in v6.8.
@Suite("basic_api.c: memblock_reserve") struct BasicAPIReserveTests {
    /// memblock_reserve_simple_check: one reserved block, one entry.
    @Test func memblockReserveSimple() throws {
        var s = SuiteMemblock()
        try s.reserve(SZ_2G, SZ_128M)
        #expect(s.reserved(0) == Span(SZ_2G, SZ_128M))
    }

    /// memblock_reserve_disjoint_check
    ///
    ///  |        +--+      +----------------+  |
    ///  |        |r1|      |       r2       |  |
    ///  +--------+--+------+----------------+--+
    ///
    /// Two entries in memblock.reserved; total size and counter updated.
    @Test func memblockReserveDisjoint() throws {
        var s = SuiteMemblock()
        try s.reserve(SZ_256M, SZ_16M)
        try s.reserve(SZ_512M, SZ_512M)
        #expect(s.reserved(0) == Span(SZ_256M, SZ_16M))
        #expect(s.reserved(1) == Span(SZ_512M, SZ_512M))
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == SZ_16M + SZ_512M)
    }

    /// memblock_reserve_overlap_top_check: r2 overlaps the beginning of r1.
    ///
    ///  |  +--------------+--+--------------+  |
    ///  |  |       r2     |  |     r1       |  |
    ///  +--+--------------+--+--------------+--+
    ///     ^              ^
    ///     |              |
    ///     |              r1.base
    ///     |
    ///     r2.base
    ///
    /// One region from r2.base; the counter is not updated.
    @Test func memblockReserveOverlapTop() throws {
        var s = SuiteMemblock()
        let r1 = Span(SZ_1G, SZ_1G), r2 = Span(SZ_128M, SZ_1G)
        let total = (r1.base - r2.base) + r1.size
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(s.reserved(0) == Span(r2.base, total))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == total)
    }

    /// memblock_reserve_overlap_bottom_check: r2 overlaps the end of r1.
    ///
    ///  |  +--------------+--+--------------+  |
    ///  |  |       r1     |  |     r2       |  |
    ///  +--+--------------+--+--------------+--+
    ///     ^              ^
    ///     |              |
    ///     |              r2.base
    ///     |
    ///     r1.base
    ///
    /// One region from r1.base; the counter is not updated.
    @Test func memblockReserveOverlapBottom() throws {
        var s = SuiteMemblock()
        let r1 = Span(SZ_2K, SZ_128K), r2 = Span(SZ_128K, SZ_128K)
        let total = (r2.base - r1.base) + r2.size
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(s.reserved(0) == Span(r1.base, total))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == total)
    }

    /// memblock_reserve_within_check: r2 lies within r1.
    ///
    ///  | +-----+--+---------------------------|
    ///  | |     |r2|          r1               |
    ///  +-+-----+--+---------------------------+
    ///    ^     ^
    ///    |     |
    ///    |     r2.base
    ///    |
    ///    r1.base
    ///
    /// The region stays the same; counter and total size are not updated.
    @Test func memblockReserveWithin() throws {
        var s = SuiteMemblock()
        try s.reserve(SZ_1M, SZ_8M)
        try s.reserve(SZ_2M, SZ_64K)
        #expect(s.reserved(0) == Span(SZ_1M, SZ_8M))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == SZ_8M)
    }

    /// memblock_reserve_twice_check: reserving the same block twice changes nothing.
    @Test func memblockReserveTwice() throws {
        var s = SuiteMemblock()
        try s.reserve(SZ_16K, SZ_2M)
        try s.reserve(SZ_16K, SZ_2M)
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == SZ_2M)
    }

    /// memblock_reserve_between_check: a third block fills the space between two.
    ///
    ///  |        +--------+--------+--------+  |
    ///  |        |   r1   |   r3   |   r2   |  |
    ///  +--------+--------+--------+--------+--+
    ///
    /// One reserved region from r1.base of size r1 + r2 + r3.
    @Test func memblockReserveBetween() throws {
        var s = SuiteMemblock()
        try s.reserve(SZ_1G, SZ_8K)
        try s.reserve(SZ_1G + SZ_16K, SZ_8K)
        try s.reserve(SZ_1G + SZ_8K, SZ_8K)
        #expect(s.reserved(0) == Span(SZ_1G, 3 * SZ_8K))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == 3 * SZ_8K)
    }

    /// memblock_reserve_near_max_check: r extends past PHYS_ADDR_MAX.
    ///
    ///                               +--------+
    ///                               |    r   |
    ///                               +--------+
    ///  |                            +----+
    ///  |                            | rgn|
    ///  +----------------------------+----+
    ///
    /// A block of size PHYS_ADDR_MAX - r.base is reserved.
    @Test func memblockReserveNearMax() throws {
        var s = SuiteMemblock()
        let base = PHYS_ADDR_MAX - SZ_1M
        try s.reserve(base, SZ_2M)
        #expect(s.reserved(0) == Span(base, PHYS_ADDR_MAX - base))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == PHYS_ADDR_MAX - base)
    }

    /// `MEMORY_BASE(idx)` of basic_api.c: 32K blocks with 32K gaps from 128K.
    static func memoryBase(_ idx: Int) -> UInt64 { SZ_128K + MEM_SIZE * 2 * UInt64(idx) }
    /// PAGE_ALIGN(2 * 128 * sizeof(struct memblock_region)): the doubled reserved array.
    static let newReservedRegionsSize = pageAlign(UInt64(INIT_MEMBLOCK_REGIONS) * 2 * MEMBLOCK_REGION_SIZE)

    /// After the 129th reservation: 128 + 1 blocks, the doubled array, max 256; then a
    /// memblock_reserve() below everything still lands in slot 0.
    static func expectDoubledThenReserveWorks(_ s: inout SuiteMemblock) throws {
        let blocks = UInt64(INIT_MEMBLOCK_REGIONS + 1) * MEM_SIZE
        #expect(s.cnt(.reserved) == INIT_MEMBLOCK_REGIONS + 2)
        #expect(s.totalSize(.reserved) == blocks + newReservedRegionsSize)
        #expect(s.max(.reserved) == INIT_MEMBLOCK_REGIONS * 2)
        try s.reserve(SZ_16K, SZ_16K)
        #expect(s.reserved(0) == Span(SZ_16K, SZ_16K))
        #expect(s.cnt(.reserved) == INIT_MEMBLOCK_REGIONS + 3)
        #expect(s.totalSize(.reserved) == blocks + newReservedRegionsSize + SZ_16K)
        #expect(s.max(.reserved) == INIT_MEMBLOCK_REGIONS * 2)
    }

    /// memblock_reserve_many_check: reserving the 129th block doubles memblock.reserved; the new
    /// array comes from the one memory region (above the range being reserved) and is reserved too,
    /// one more entry of PAGE_ALIGN(256 * sizeof(struct memblock_region)) bytes.
    @Test func memblockReserveMany() throws {
        var s = SuiteMemblock()
        s.mb.allowResize()
        try s.add(DUMMY_BASE, MEM_SIZE)
        for i in 0 ..< INIT_MEMBLOCK_REGIONS {
            try s.reserve(Self.memoryBase(i), MEM_SIZE)
            #expect(s.cnt(.reserved) == i + 1)
            #expect(s.totalSize(.reserved) == UInt64(i + 1) * MEM_SIZE)
        }
        try s.reserve(Self.memoryBase(INIT_MEMBLOCK_REGIONS), MEM_SIZE)
        // The array sits at the top of the memory region (top-down).
        #expect(s.mb.reserved.last.map { Span($0.base, $0.size) }
                == Span(DUMMY_BASE + MEM_SIZE - Self.newReservedRegionsSize, Self.newReservedRegionsSize))
        try Self.expectDoubledThenReserveWorks(&s)
    }

    /// memblock_reserve_all_locations_check (added after v6.8): the 129th reservation at every
    /// position 0 ... 128 among the others doubles the array the same way.
    ///
    ///  0               1               2                 128
    ///  +-------+       +-------+       +-------+         +-------+
    ///  |  32K  |       |  32K  |       |  32K  |   ...   |  32K  |
    ///  +-------+-------+-------+-------+-------+         +-------+
    ///          |<-32K->|       |<-32K->|
    @Test func memblockReserveAllLocations() throws {
        for skip in 0 ... INIT_MEMBLOCK_REGIONS {
            var s = SuiteMemblock()
            s.mb.allowResize()
            try s.add(DUMMY_BASE, MEM_SIZE)
            for i in 0 ... INIT_MEMBLOCK_REGIONS where i != skip {
                try s.reserve(Self.memoryBase(i), MEM_SIZE)
                let n = i < skip ? i + 1 : i
                #expect(s.cnt(.reserved) == n, "skip \(skip), i \(i)")
                #expect(s.totalSize(.reserved) == UInt64(n) * MEM_SIZE)
            }
            try s.reserve(Self.memoryBase(skip), MEM_SIZE)
            try Self.expectDoubledThenReserveWorks(&s)
        }
    }

    /// memblock_reserve_many_may_conflict_check (added after v6.8): memory is two 32K blocks, one
    /// of them exactly the range whose reservation doubles the array. The new array must not land
    /// in that range (the "fix overlapping allocation when doubling reserved array" rule: search
    /// above the range, then below it) but at the top of memory.regions[0].
    ///
    ///           0                               1
    /// memory    +-------+                       +-------+
    ///           |  32K  |                       |  32K  |
    ///           +-------+ ------+-------+-------+-------+
    ///                   |<-32K->|<-32K->|<-32K->|
    ///
    ///                           0               skipped           127
    /// reserved                  +-------+       .........         +-------+
    ///                           |  32K  |       .  32K  .   ...   |  32K  |
    ///                           +-------+-------+-------+         +-------+
    ///                                   |<-32K->|
    ///                                           ^
    ///                                           |
    ///                                           |
    ///                                           skipped one
    @Test func memblockReserveManyMayConflict() throws {
        let offset = pageAlign(DUMMY_BASE)
        func base(_ idx: Int) -> UInt64 { offset + MEM_SIZE * 2 * UInt64(idx) }
        for skip in 1 ... INIT_MEMBLOCK_REGIONS + 1 {
            var s = SuiteMemblock()
            s.mb.allowResize()
            try s.add(base(0), MEM_SIZE)
            try s.add(base(skip), MEM_SIZE)
            for i in 1 ... INIT_MEMBLOCK_REGIONS + 1 where i != skip {
                try s.reserve(base(i), MEM_SIZE)
                let n = i < skip ? i : i - 1
                #expect(s.cnt(.reserved) == n, "skip \(skip), i \(i)")
                #expect(s.totalSize(.reserved) == UInt64(n) * MEM_SIZE)
            }
            try s.reserve(base(skip), MEM_SIZE)
            #expect(s.reserved(0).end == base(0) + SZ_32K, "skip \(skip)")
            #expect(s.reserved(0).size == Self.newReservedRegionsSize)
            try Self.expectDoubledThenReserveWorks(&s)
        }
    }
}
