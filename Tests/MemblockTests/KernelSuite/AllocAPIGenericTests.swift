import Testing
import KernelSupport
@testable import Memblock

/// tools/testing/memblock/tests/alloc_api.c (v6.8): the `*_generic_check` scenarios, which the
/// suite runs top-down and bottom-up (run_top_down / run_bottom_up), each with memblock_alloc and
/// memblock_alloc_raw.
@Suite("alloc_api.c: generic checks") struct AllocAPIGenericTests {
    /// alloc_in_between_generic_check: two reserved regions with a gap that just fits the block.
    ///
    ///  |     +--------+--------+--------+     |
    ///  |     |   r2   |   r3   |   r1   |     |
    ///  +-----+--------+--------+--------+-----+
    ///
    /// All merge into one entry; counter and total size updated.
    @Test(arguments: Direction.allCases, AllocVariant.allCases)
    func allocInBetweenGeneric(direction: Direction, variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let gapSize = SMP_CACHE_BYTES, r3Size = SZ_64
        let rgnSize = (MEM_SIZE - (2 * gapSize + r3Size)) / 2
        let r1 = Span(s.endOfDRAM - (gapSize + rgnSize), rgnSize)
        let r2 = Span(s.startOfDRAM + gapSize, rgnSize)
        try s.reserve(r1.base, r1.size)
        try s.reserve(r2.base, r2.size)
        #expect(try s.alloc(variant, r3Size, SMP_CACHE_BYTES) == r2.end)
        #expect(s.reserved(0) == Span(r1.base - r2.size - r3Size, r1.size + r2.size + r3Size))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == r1.size + r2.size + r3Size)
    }

    /// alloc_small_gaps_generic_check: memory filled with reserved regions whose gaps are too
    /// small for the block.
    ///
    /// +-------+
    /// |  new  |
    /// +--+----+
    ///    |    +-----+    +-----+    +-----+    |
    ///    |    | res |    | res |    | res |    |
    ///    +----+-----+----+-----+----+-----+----+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases, AllocVariant.allCases)
    func allocSmallGapsGeneric(direction: Direction, variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let regionSize = SZ_1K, gapSize = SZ_256
        var regionEnd = s.startOfDRAM
        while regionEnd < s.endOfDRAM {
            try s.reserve(regionEnd + gapSize, regionSize)
            regionEnd += gapSize + regionSize
        }
        let before = s.mb.reserved
        #expect(try s.alloc(variant, regionSize, SMP_CACHE_BYTES) == nil)
        #expect(s.mb.reserved == before)
    }

    /// alloc_all_reserved_generic_check: all memory reserved; no allocation.
    @Test(arguments: Direction.allCases, AllocVariant.allCases)
    func allocAllReservedGeneric(direction: Direction, variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        try s.reserve(s.startOfDRAM, MEM_SIZE)
        #expect(try s.alloc(variant, SZ_256, SMP_CACHE_BYTES) == nil)
        #expect(s.reserved(0) == Span(s.startOfDRAM, MEM_SIZE) && s.cnt(.reserved) == 1)
    }

    /// alloc_no_space_generic_check: memory almost full, not enough left for the block.
    ///
    ///                                +-------+
    ///                                |  new  |
    ///                                +-------+
    ///  |-----------------------------+   |
    ///  |          reserved           |   |
    ///  +-----------------------------+---+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases, AllocVariant.allCases)
    func allocNoSpaceGeneric(direction: Direction, variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let availableSize = SZ_256, reservedSize = MEM_SIZE - availableSize
        try s.reserve(s.startOfDRAM, reservedSize)
        #expect(try s.alloc(variant, SZ_1K, SMP_CACHE_BYTES) == nil)
        #expect(s.reserved(0) == Span(s.startOfDRAM, reservedSize) && s.cnt(.reserved) == 1)
    }

    /// alloc_limited_space_generic_check: memory almost full, just enough left.
    ///
    ///  |---------------------------+---------|
    ///  |          reserved         |   new   |
    ///  +---------------------------+---------+
    ///
    /// The block is allocated and everything merges; total size updated.
    @Test(arguments: Direction.allCases, AllocVariant.allCases)
    func allocLimitedSpaceGeneric(direction: Direction, variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        let availableSize = SZ_256, reservedSize = MEM_SIZE - availableSize
        try s.reserve(s.startOfDRAM, reservedSize)
        #expect(try s.alloc(variant, availableSize, SMP_CACHE_BYTES) == s.startOfDRAM + reservedSize)
        #expect(s.reserved(0) == Span(s.startOfDRAM, MEM_SIZE))
        #expect(s.cnt(.reserved) == 1)
        #expect(s.totalSize(.reserved) == MEM_SIZE)
    }

    /// alloc_no_memory_generic_check: no memory registered (memblock.memory holds only the dummy
    /// entry); no allocation, reserved untouched.
    @Test(arguments: Direction.allCases, AllocVariant.allCases)
    func allocNoMemoryGeneric(direction: Direction, variant: AllocVariant) throws {
        var s = SuiteMemblock(direction)
        #expect(try s.alloc(variant, SZ_1K, SMP_CACHE_BYTES) == nil)
        #expect(s.reserved(0) == Span(0, 0))
        #expect(s.totalSize(.reserved) == 0)
    }

    /// alloc_too_large_generic_check: a block larger than all of memory.
    ///
    ///  +-----------------------------------+
    ///  |                 new               |
    ///  +-----------------------------------+
    ///  |                                 |
    ///  |                                 |
    ///  +---------------------------------+
    ///
    /// No allocation.
    @Test(arguments: Direction.allCases, AllocVariant.allCases)
    func allocTooLargeGeneric(direction: Direction, variant: AllocVariant) throws {
        var s = try SuiteMemblock.setup(direction)
        #expect(try s.alloc(variant, MEM_SIZE + SZ_2, SMP_CACHE_BYTES) == nil)
        #expect(s.reserved(0) == Span(0, 0))
        #expect(s.totalSize(.reserved) == 0)
    }
}
