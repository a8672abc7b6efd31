import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/basic_api.c (v6.8): the memblock_remove and memblock_free checks.
/// The two sets have the same shapes, on memblock.memory (memblock_add + memblock_remove) and
/// memblock.reserved (memblock_reserve + memblock_free); each scenario is one test, the shared
/// expectations are the `Shape` helpers at the end.
@Suite("basic_api.c: memblock_remove, memblock_free") struct BasicAPIRemoveFreeTests {
    /// memblock_remove_simple_check: r1 is removed, r2 becomes the first region.
    ///
    ///  |  ......          +----------------+  |
    ///  |  : r1 :          |       r2       |  |
    ///  +--+----+----------+----------------+--+
    ///                     ^
    ///                     |
    ///                     rgn.base
    @Test func memblockRemoveSimple() throws { try Shape.remove.simple(Span(SZ_2K, SZ_4K), Span(SZ_128K, SZ_4M)) }

    /// memblock_remove_absent_check: r2 was never added; nothing changes.
    ///
    ///                     +----------------+
    ///                     |       r2       |
    ///                     +----------------+
    ///  |  +----+                              |
    ///  |  | r1 |                              |
    ///  +--+----+------------------------------+
    ///     ^
    ///     |
    ///     rgn.base
    @Test func memblockRemoveAbsent() throws { try Shape.remove.absent(Span(SZ_512K, SZ_4M), Span(SZ_64M, SZ_1G)) }

    /// memblock_remove_overlap_top_check: r2 overlaps the beginning of r1; only the intersection goes.
    ///
    ///           +-----------------+
    ///           |       r2        |
    ///           +-----------------+
    ///  |                 .........+--------+  |
    ///  |                 :     r1 |  rgn   |  |
    ///  +-----------------+--------+--------+--+
    ///                    ^        ^
    ///                    |        |
    ///                    |        rgn.base
    ///                    r1.base
    @Test func memblockRemoveOverlapTop() throws { try Shape.remove.overlapTop(Span(SZ_32M, SZ_32M), Span(SZ_16M, SZ_32M)) }

    /// memblock_remove_overlap_bottom_check: r2 overlaps the end of r1; only the intersection goes.
    ///
    ///        +--------------------------------+
    ///        |               r2               |
    ///        +--------------------------------+
    ///  | +---+.....                           |
    ///  | |rgn| r1 :                           |
    ///  +-+---+----+---------------------------+
    ///    ^
    ///    |
    ///    r1.base
    @Test func memblockRemoveOverlapBottom() throws {
        try Shape.remove.overlapBottom(Span(SZ_2M, SZ_64M), Span(SZ_32M, SZ_256M))
    }

    /// memblock_remove_within_check: r2 lies within r1, which splits in two around it.
    ///
    ///                  +----+
    ///                  | r2 |
    ///                  +----+
    ///  | +-------------+....+---------------+ |
    ///  | |     rgn1    | r1 |     rgn2      | |
    ///  +-+-------------+----+---------------+-+
    ///    ^
    ///    |
    ///    r1.base
    @Test func memblockRemoveWithin() throws { try Shape.remove.within(Span(SZ_1M, SZ_32M), Span(SZ_16M, SZ_1M)) }

    /// memblock_remove_only_region_check: the only region goes; the dummy entry takes its place.
    @Test func memblockRemoveOnlyRegion() throws { try Shape.remove.onlyRegion(Span(SZ_2K, SZ_4K)) }

    /// memblock_remove_near_max_check: r2 extends past PHYS_ADDR_MAX.
    ///
    ///                               +--------+
    ///                               |   r2   |
    ///                               +--------+
    ///  |                        +---+....+
    ///  |                        |rgn|    |
    ///  +------------------------+---+----+
    @Test func memblockRemoveNearMax() throws { try Shape.remove.nearMax() }

    /// memblock_remove_overlap_two_check: r3 overlaps r1 and r2; only the intersections go.
    ///
    ///            +----------------+
    ///            |       r3       |
    ///            +----------------+
    ///  |    +----+.....   ........+--------+
    ///  |    |    |r1  :   :       |r2      |     |
    ///  +----+----+----+---+-------+--------+-----+
    @Test func memblockRemoveOverlapTwo() throws { try Shape.remove.overlapTwo() }

    /// memblock_free_simple_check: r1 is freed, r2 becomes the first reserved region.
    ///
    ///  |              ......           +----+ |
    ///  |              : r1 :           | r2 | |
    ///  +--------------+----+-----------+----+-+
    ///                                  ^
    ///                                  |
    ///                                  rgn.base
    @Test func memblockFreeSimple() throws { try Shape.free.simple(Span(SZ_4M, SZ_1M), Span(SZ_8M, SZ_1M)) }

    /// memblock_free_absent_check: r2 was never reserved; nothing changes.
    ///
    ///                     +----------------+
    ///                     |       r2       |
    ///                     +----------------+
    ///  |  +----+                              |
    ///  |  | r1 |                              |
    ///  +--+----+------------------------------+
    ///     ^
    ///     |
    ///     rgn.base
    @Test func memblockFreeAbsent() throws { try Shape.free.absent(Span(SZ_2M, SZ_8K), Span(SZ_16M, SZ_128M)) }

    /// memblock_free_overlap_top_check: r2 overlaps the beginning of r1; only the intersection is freed.
    ///
    ///     +----+
    ///     | r2 |
    ///     +----+
    ///  |    ...+--------------+               |
    ///  |    :  |    r1        |               |
    ///  +----+--+--------------+---------------+
    ///       ^  ^
    ///       |  |
    ///       |  rgn.base
    ///       |
    ///       r1.base
    @Test func memblockFreeOverlapTop() throws { try Shape.free.overlapTop(Span(SZ_8M, SZ_32M), Span(SZ_1M, SZ_8M)) }

    /// memblock_free_overlap_bottom_check: r2 overlaps the end of r1; only the intersection is freed.
    ///
    ///                   +----------------+
    ///                   |       r2       |
    ///                   +----------------+
    ///  |    +-----------+.....                |
    ///  |    |       r1  |    :                |
    ///  +----+-----------+----+----------------+
    @Test func memblockFreeOverlapBottom() throws {
        try Shape.free.overlapBottom(Span(SZ_8M, SZ_32M), Span(SZ_32M, SZ_32M))
    }

    /// memblock_free_within_check: r2 lies within r1, which splits in two around it.
    ///
    ///                    +----+
    ///                    | r2 |
    ///                    +----+
    ///  |    +------------+....+---------------+
    ///  |    |    rgn1    | r1 |     rgn2      |
    ///  +----+------------+----+---------------+
    ///       ^
    ///       |
    ///       r1.base
    @Test func memblockFreeWithin() throws { try Shape.free.within(Span(SZ_1M, SZ_8M), Span(SZ_4M, SZ_1M)) }

    /// memblock_free_only_region_check: the only reserved region is freed; the dummy takes its place.
    @Test func memblockFreeOnlyRegion() throws { try Shape.free.onlyRegion(Span(SZ_2K, SZ_4K)) }

    /// memblock_free_near_max_check: r2 extends past PHYS_ADDR_MAX.
    ///
    ///                               +--------+
    ///                               |   r2   |
    ///                               +--------+
    ///  |                        +---+....+
    ///  |                        |rgn|    |
    ///  +------------------------+---+----+
    @Test func memblockFreeNearMax() throws { try Shape.free.nearMax() }

    /// memblock_free_overlap_two_check: r3 overlaps r1 and r2; only the intersections are freed.
    ///
    ///            +----------------+
    ///            |       r3       |
    ///            +----------------+
    ///  |    +----+.....   ........+--------+
    ///  |    |    |r1  :   :       |r2      |     |
    ///  +----+----+----+---+-------+--------+-----+
    @Test func memblockFreeOverlapTwo() throws { try Shape.free.overlapTwo() }
}

/// The shared shapes: memblock_add + memblock_remove on memory, memblock_reserve + memblock_free on reserved.
private enum Shape {
    case remove, free

    var type: MemblockTypeName { self == .remove ? .memory : .reserved }
    func put(_ s: inout SuiteMemblock, _ r: Span) throws {
        self == .remove ? try s.add(r.base, r.size) : try s.reserve(r.base, r.size)
    }
    func take(_ s: inout SuiteMemblock, _ r: Span) throws {
        self == .remove ? try s.remove(r.base, r.size) : try s.free(r.base, r.size)
    }
    /// Puts `put`, takes `take`, then expects exactly `left` (slots, counter, total size).
    func run(put: [Span], take: Span, left: [Span], sourceLocation: SourceLocation = #_sourceLocation) throws {
        var s = SuiteMemblock()
        for r in put { try self.put(&s, r) }
        try self.take(&s, take)
        for (i, r) in left.enumerated() { #expect(s.region(type, i) == r, sourceLocation: sourceLocation) }
        #expect(s.cnt(type) == Swift.max(left.count, 1), sourceLocation: sourceLocation)
        #expect(s.mb.regions(type).count == left.count, sourceLocation: sourceLocation)
        #expect(s.totalSize(type) == left.reduce(0) { $0 + $1.size }, sourceLocation: sourceLocation)
    }

    func simple(_ r1: Span, _ r2: Span, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try run(put: [r1, r2], take: r1, left: [r2], sourceLocation: sourceLocation)
    }
    func absent(_ r1: Span, _ r2: Span, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try run(put: [r1], take: r2, left: [r1], sourceLocation: sourceLocation)
    }
    func overlapTop(_ r1: Span, _ r2: Span, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try run(put: [r1], take: r2, left: [Span(r2.end, r1.end - r2.end)], sourceLocation: sourceLocation)
    }
    func overlapBottom(_ r1: Span, _ r2: Span, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try run(put: [r1], take: r2, left: [Span(r1.base, r2.base - r1.base)], sourceLocation: sourceLocation)
    }
    func within(_ r1: Span, _ r2: Span, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try run(put: [r1], take: r2, left: [Span(r1.base, r2.base - r1.base), Span(r2.end, r1.end - r2.end)],
                sourceLocation: sourceLocation)
    }
    /// The dummy entry: slot 0 reads [0, 0), cnt stays 1, total size 0.
    func onlyRegion(_ r1: Span, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try run(put: [r1], take: r1, left: [], sourceLocation: sourceLocation)
    }
    /// r1 = [MAX - 2M, MAX), r2 = [MAX - 1M, MAX + 1M) capped: r1.size - (MAX - r2.base) is left.
    func nearMax(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r1 = Span(PHYS_ADDR_MAX - SZ_2M, SZ_2M), r2 = Span(PHYS_ADDR_MAX - SZ_1M, SZ_2M)
        try run(put: [r1], take: r2, left: [Span(r1.base, r1.size - (PHYS_ADDR_MAX - r2.base))],
                sourceLocation: sourceLocation)
    }
    /// r1 = [16M, 48M), r2 = [64M, 128M), r3 = [32M, 96M).
    func overlapTwo(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r1 = Span(SZ_16M, SZ_32M), r2 = Span(SZ_64M, SZ_64M), r3 = Span(SZ_32M, SZ_64M)
        try run(put: [r1, r2], take: r3, left: [Span(r1.base, r3.base - r1.base), Span(r3.end, r2.end - r3.end)],
                sourceLocation: sourceLocation)
    }
}
