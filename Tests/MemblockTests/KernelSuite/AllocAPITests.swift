import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_api.c (v6.8): the direction-specific memblock_alloc checks.
/// Like `memblock_alloc_checks()`, every scenario runs with memblock_alloc (TEST_F_NONE) and
/// memblock_alloc_raw (TEST_F_RAW). The generic (both-direction) checks are in AllocAPIGenericTests.
@Suite("alloc_api.c: top-down and bottom-up checks") struct AllocAPITests {
    /// alloc_top_down_simple_check: a small block goes, aligned, near the end of memory.
    @Test(arguments: AllocVariant.allCases)
    func allocTopDownSimple(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let expectedStart = s.endOfDRAM - SMP_CACHE_BYTES
        #expect(try s.alloc(variant, SZ_2, SMP_CACHE_BYTES) == expectedStart)
        #expect(s.reserved(0) == Span(expectedStart, SZ_2))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == SZ_2)
    }

    /// alloc_top_down_disjoint_check: next to a reserved region at a misaligned address, the new
    /// entry is aligned and separate.
    ///
    ///              +
    /// |            +--------+         +--------|
    /// |            |  rgn2  |         |  rgn1  |
    /// +------------+--------+---------+--------+
    ///              ^
    ///              |
    ///              Aligned address boundary
    ///
    /// Top-down, so the new region is the first entry; the old one is unchanged.
    @Test(arguments: AllocVariant.allCases)
    func allocTopDownDisjoint(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let alignment = SMP_CACHE_BYTES * 2
        let r1 = Span(s.endOfDRAM - SZ_2, SZ_2)
        let expectedStart = s.endOfDRAM - alignment
        try s.reserve(r1.base, r1.size)
        #expect(try s.alloc(variant, SZ_16, alignment) == expectedStart)
        #expect(s.reserved(1) == r1)
        #expect(s.reserved(0) == Span(expectedStart, SZ_16))
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1.size + SZ_16)
    }

    /// alloc_top_down_before_check: enough space at the end of the reserved block (first fit).
    ///
    ///  |              +--------+--------------|
    ///  |              |   r1   |      r2      |
    ///  +--------------+--------+--------------+
    ///
    /// Both merge; only the size changes. (r1 ends at an aligned address.)
    @Test(arguments: AllocVariant.allCases)
    func allocTopDownBefore(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let r1Size = SMP_CACHE_BYTES, r2Size = SZ_512, total = r1Size + r2Size
        try s.reserve(s.endOfDRAM - total, r1Size)
        #expect(try s.alloc(variant, r2Size, SMP_CACHE_BYTES) == s.endOfDRAM - r2Size)
        #expect(s.reserved(0) == Span(s.endOfDRAM - total, total))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == total)
    }

    /// alloc_top_down_after_check: not enough space at the end of the reserved block (second fit).
    ///
    ///  |            +-----------+------+     |
    ///  |            |     r2    |  r1  |     |
    ///  +------------+-----------+------+-----+
    ///
    /// Both merge; base and size change. (r1 starts at an aligned address.)
    @Test(arguments: AllocVariant.allCases)
    func allocTopDownAfter(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let r1 = Span(s.endOfDRAM - SMP_CACHE_BYTES, SZ_8), r2Size = SZ_512
        try s.reserve(r1.base, r1.size)
        #expect(try s.alloc(variant, r2Size, SMP_CACHE_BYTES) == r1.base - r2Size)
        #expect(s.reserved(0) == Span(r1.base - r2Size, r1.size + r2Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1.size + r2Size)
    }

    /// alloc_top_down_second_fit_check: two reserved regions, the gap between them too small.
    ///
    ///  |       +--------+----------+   +------|
    ///  |       |   r3   |    r2    |   |  r1  |
    ///  +-------+--------+----------+---+------+
    ///
    /// The block goes before the lower region and merges with it.
    @Test(arguments: AllocVariant.allCases)
    func allocTopDownSecondFit(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.topDown)
        let r1 = Span(s.endOfDRAM - SZ_512, SZ_512)
        let r2 = Span(r1.base - SZ_512, SZ_256)
        let r3Size = SZ_1K
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.alloc(variant, r3Size, SMP_CACHE_BYTES) == r2.base - r3Size)
        #expect(s.reserved(0) == Span(r2.base - r3Size, r2.size + r3Size))
        #expect(s.reserved(1) == r1)
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }

    /// alloc_bottom_up_simple_check: a small block goes, aligned, at the start of memory.
    @Test(arguments: AllocVariant.allCases)
    func allocBottomUpSimple(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        #expect(try s.alloc(variant, SZ_2, SMP_CACHE_BYTES) == s.startOfDRAM)
        #expect(s.reserved(0) == Span(s.startOfDRAM, SZ_2))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == SZ_2)
    }

    /// alloc_bottom_up_disjoint_check: next to a reserved region at a misaligned address, the new
    /// entry is aligned and separate.
    ///
    ///                      +
    ///  |    +----------+   +----------+     |
    ///  |    |   rgn1   |   |   rgn2   |     |
    ///  +----+----------+---+----------+-----+
    ///                      ^
    ///                      |
    ///                      Aligned address boundary
    ///
    /// Bottom-up, so the new region is the second entry; the old one is unchanged.
    @Test(arguments: AllocVariant.allCases)
    func allocBottomUpDisjoint(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let alignment = SMP_CACHE_BYTES * 2
        let r1 = Span(s.startOfDRAM + SZ_2, SZ_2)
        let expectedStart = s.startOfDRAM + alignment
        try s.reserve(r1.base, r1.size)
        #expect(try s.alloc(variant, SZ_16, alignment) == expectedStart)
        #expect(s.reserved(0) == r1)
        #expect(s.reserved(1) == Span(expectedStart, SZ_16))
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1.size + SZ_16)
    }

    /// alloc_bottom_up_before_check: enough space at the beginning of the reserved block (first fit).
    ///
    ///  |------------------+--------+         |
    ///  |        r1        |   r2   |         |
    ///  +------------------+--------+---------+
    ///
    /// Both merge; only the size changes.
    @Test(arguments: AllocVariant.allCases)
    func allocBottomUpBefore(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let r1Size = SZ_512, r2Size = SZ_128
        try s.reserve(s.startOfDRAM + r1Size, r2Size)
        #expect(try s.alloc(variant, r1Size, SMP_CACHE_BYTES) == s.startOfDRAM)
        #expect(s.reserved(0) == Span(s.startOfDRAM, r1Size + r2Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1Size + r2Size)
    }

    /// alloc_bottom_up_after_check: not enough space at the beginning of the reserved block
    /// (second fit).
    ///
    ///  |    +--------+--------------+         |
    ///  |    |   r1   |      r2      |         |
    ///  +----+--------+--------------+---------+
    ///
    /// Both merge; only the size changes. (r1 starts at an aligned address.)
    @Test(arguments: AllocVariant.allCases)
    func allocBottomUpAfter(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let r1 = Span(s.startOfDRAM + SMP_CACHE_BYTES, SZ_64), r2Size = SZ_512
        try s.reserve(r1.base, r1.size)
        #expect(try s.alloc(variant, r2Size, SMP_CACHE_BYTES) == r1.end)
        #expect(s.reserved(0) == Span(r1.base, r1.size + r2Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1.size + r2Size)
    }

    /// alloc_bottom_up_second_fit_check: two reserved regions, the first at the start of memory,
    /// the gap between them too small.
    ///
    ///  |------------+     +--------+--------+  |
    ///  |     r1     |     |   r2   |   r3   |  |
    ///  +------------+-----+--------+--------+--+
    ///
    /// The block goes after the higher region and merges with it.
    @Test(arguments: AllocVariant.allCases)
    func allocBottomUpSecondFit(variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(.bottomUp)
        let r1 = Span(s.startOfDRAM, SZ_512)
        let r2 = Span(r1.end + SZ_512, SZ_256)
        let r3Size = SZ_1K
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.alloc(variant, r3Size, SMP_CACHE_BYTES) == r2.end)
        #expect(s.reserved(0) == r1)
        #expect(s.reserved(1) == Span(r2.base, r2.size + r3Size))
        #expect(s.cnt(.reserved) == 2)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }
}
